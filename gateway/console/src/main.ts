/**
 * The console's first script: it asks the gateway its first questions (first-answers.ts), then
 * loads the console itself (app.ts) — so the answers travel while Vue and Element Plus download
 * and start, instead of after.
 */
import { askFirstQuestions } from './first-answers';

askFirstQuestions(window.location.hash);
void import('./app');
