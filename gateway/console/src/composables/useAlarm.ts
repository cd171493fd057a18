/**
 * The 差评 alarm: a short two-tone chime made with WebAudio (no sound file to fetch or cache), and a
 * desktop notification when the user allowed it. Browsers start audio only after a user gesture,
 * so the first click or key press in the console unlocks the AudioContext for later alarms.
 */
import { ref } from 'vue';

let audio: AudioContext | null = null;

function context(): AudioContext | null {
  if (audio) return audio;
  try {
    audio = new AudioContext();
  } catch {
    return null;
  }
  return audio;
}

function unlock(): void {
  const ctx = context();
  if (ctx?.state === 'suspended') void ctx.resume().catch(() => undefined);
}

if (typeof document !== 'undefined') {
  document.addEventListener('pointerdown', unlock, { capture: true, once: true });
  document.addEventListener('keydown', unlock, { capture: true, once: true });
}

/** Play the chime: 880 Hz then 660 Hz, twice, with soft edges (no click). Answers whether audio was available. */
export function playAlarm(): boolean {
  const ctx = context();
  if (!ctx) return false;
  if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
  const start = ctx.currentTime + 0.02;
  [880, 660, 880, 660].forEach((freq, i) => {
    const at = start + i * 0.2;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(0.25, at + 0.02);
    gain.gain.linearRampToValueAtTime(0, at + 0.18);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + 0.2);
  });
  // Tests cannot hear: they read when the last chime was started.
  document.documentElement.dataset.alarmAt = String(Date.now());
  return true;
}

export type DesktopPermission = NotificationPermission | 'unsupported';

const permission = ref<DesktopPermission>(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);

/** Desktop notifications: the permission, asked only on a user's click (browsers require it). */
export function useDesktopAlerts() {
  async function ask(): Promise<void> {
    if (typeof Notification === 'undefined') return;
    permission.value = await Notification.requestPermission();
  }
  return { permission, ask };
}

/** A desktop notification, if allowed; `tag` folds repeats of one event into one. */
export function desktopAlert(title: string, body: string, tag: string): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    new Notification(title, { body, tag, requireInteraction: true });
  } catch {
    // Some browsers allow notifications only from a service worker: the in-page alert still shows.
  }
}
