/**
 * Notice that a serial device node went away. serialport learns of an unplug from a failed read,
 * but on Linux a read waiting on the poller can miss the hang-up (seen with ptys, and with some
 * USB-serial drivers), leaving a link that looks open and hears nothing. So each link also polls
 * its device node: gone, or now a different device (a new tty at a reused by-id link), is an unplug.
 */
import { statSync } from 'node:fs';

/** Polls `path` every `intervalMs`; calls `onGone` once. Returns a function that stops the watch. */
export function watchDeviceNode(path: string, onGone: (why: string) => void, intervalMs = 250): () => void {
  const identity = (): string | null => {
    try {
      const st = statSync(path); // follows links: the device the path names now
      return `${st.dev}:${st.ino}:${st.rdev}`;
    } catch {
      return null;
    }
  };
  const first = identity();
  const timer = setInterval(() => {
    const now = identity();
    if (now === first) return;
    clearInterval(timer);
    onGone(now === null ? `${path} is gone` : `${path} is now another device`);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
