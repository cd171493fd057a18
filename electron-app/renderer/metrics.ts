/**
 * In-page measurements read by the kiosk tests and scripts/bench-kiosk.ts: press → the frame that
 * shows the pressed state, and navigation start → first interactive screen. Cheap enough to keep
 * in production (a bounded ring of numbers, nothing about the rater).
 */
interface KioskMetrics {
  pressAckMs: number[];
  interactiveMs: number | null;
}

declare global {
  interface Window {
    __hcpMetrics: KioskMetrics;
  }
}

window.__hcpMetrics = { pressAckMs: [], interactiveMs: null };

/** From the input event's timestamp to just after the next frame is produced. */
export function notePressAck(eventTimeStamp: number): void {
  requestAnimationFrame(() => {
    // rAF runs before paint; a message posted from it is handled after that frame is painted.
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      const m = window.__hcpMetrics.pressAckMs;
      m.push(performance.now() - eventTimeStamp);
      if (m.length > 500) m.shift();
    };
    ch.port2.postMessage(0);
  });
}

export function noteInteractive(): void {
  if (window.__hcpMetrics.interactiveMs !== null) return;
  window.__hcpMetrics.interactiveMs = performance.now();
  performance.mark('hcp-interactive');
}
