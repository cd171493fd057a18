/** Starts the real kiosk shell composition (electron-app/main/kiosk-shell.ts) on the Electron test double. */
import { hashPin } from '../../electron-app/main/kiosk-config.js';
import { startKioskShell } from '../../electron-app/main/kiosk-shell.js';
import { FakeElectron, type FakeWindow } from './electron-double.js';
import { ManualClock } from './manual-clock.js';

export const ORIGIN = 'http://127.0.0.1:8765';
export const PIN = '246810';

export interface ShellOnDouble {
  electron: FakeElectron;
  clock: ManualClock;
  logs: string[];
  win: FakeWindow;
  token: { value: string };
}

export async function startShellOnDouble(): Promise<ShellOnDouble> {
  const electron = new FakeElectron();
  const clock = new ManualClock();
  const logs: string[] = [];
  const token = { value: 'tok-boot-1' };
  const shell = startKioskShell(electron, {
    config: { localApi: ORIGIN, tokenFile: '/nonexistent', exitPinHash: hashPin(PIN, '00112233445566778899aabbccddeeff') },
    preload: '/opt/hcp/preload.cjs',
    readToken: () => token.value,
    clock,
    log: (m) => logs.push(m),
  });
  electron.app.becomeReady();
  await shell.ready;
  const win = electron.windows[0];
  if (!win) throw new Error('the shell opened no window');
  return { electron, clock, logs, win, token };
}
