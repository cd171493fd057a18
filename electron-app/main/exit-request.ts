/**
 * The one IPC handler (IpcChannel.RequestExit): hall IT's PIN from the kiosk page. It answers only
 * a message sent by the kiosk window's own top frame while it shows the local API origin
 * (Electron security checklist §17; Electron Fiddle src/main/ipc.ts); anything else gets `false`
 * and never reaches the PIN check, so it cannot use up hall IT's tries either.
 */
import type { ShellContents, ShellInvokeEvent, ShellIpcMain } from './electron-api.js';
import { IpcChannel } from './ipc-channels.js';
import type { PinLockout } from './pin-lockout.js';

export interface ExitRequestOptions {
  origin: string;
  /** The kiosk window's contents, or null before it exists or after it is gone. */
  kioskContents: () => ShellContents | null;
  lockout: PinLockout;
  /** Close the kiosk and quit: called once the PIN is accepted. */
  exit: () => void;
  log: (msg: string) => void;
}

export function isFromKioskPage(event: ShellInvokeEvent, kiosk: ShellContents | null, origin: string): boolean {
  const frame = event.senderFrame;
  if (!kiosk || kiosk.isDestroyed() || event.sender !== kiosk || !frame) return false;
  // Only the top frame, and only while it shows the local API (not an error page or anything else).
  return frame.parent === null && frame.origin === origin;
}

export function handleExitRequests(ipcMain: ShellIpcMain, o: ExitRequestOptions): void {
  ipcMain.handle(IpcChannel.RequestExit, (event, pin) => {
    if (!isFromKioskPage(event, o.kioskContents(), o.origin)) {
      o.log('hall-IT exit: request from outside the kiosk page ignored');
      return false;
    }
    if (typeof pin !== 'string') return false;
    const verdict = o.lockout.attempt(pin);
    if (verdict === 'locked') {
      o.log(`hall-IT exit: locked for ${Math.ceil(o.lockout.lockRemainingMs() / 60_000)} more min`);
      return false;
    }
    if (verdict === 'wrong') {
      o.log('hall-IT exit: wrong PIN');
      return false;
    }
    o.log('hall-IT exit: PIN accepted');
    o.exit();
    return true;
  });
}
