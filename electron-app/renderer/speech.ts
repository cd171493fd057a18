/** Spoken prompts (Web Speech API) for citizens who cannot read the screen; silent where absent. */
import type { Language } from '@hcp/contract';
import { LANG_TAG } from './i18n.js';

export function speak(text: string, lang: Language): void {
  try {
    const synth = window.speechSynthesis;
    if (!synth || typeof SpeechSynthesisUtterance === 'undefined') return;
    synth.cancel();
    const u = new SpeechSynthesisUtterance(text);
    u.lang = LANG_TAG[lang];
    u.rate = 0.9;
    const voice = synth.getVoices().find((v) => v.lang.toLowerCase().startsWith(LANG_TAG[lang].slice(0, 2)));
    if (voice) u.voice = voice;
    synth.speak(u);
  } catch {
    /* no speech on this machine: degrade silently */
  }
}
