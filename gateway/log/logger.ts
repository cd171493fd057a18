/**
 * The gateway's structured log (pino), one namespace per module (docs/STYLE.md §6), to stderr:
 * stdout carries the program's machine-readable lines. Nothing that identifies a rater is logged.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createRootLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({ name: opts.name ?? 'hcp-gateway', level: opts.level ?? process.env.HCP_LOG_LEVEL ?? 'info' }, pino.destination({ dest: 2, sync: false }));
}
