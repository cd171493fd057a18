/**
 * The hall-IT exit over IPC (sender check, PIN, lockout on an injected clock) and the renderer's
 * crash/hang recovery (back-off, cap, clean restart), driven through the Electron test double.
 */
import { describe, expect, it } from 'vitest';
import { IpcChannel } from '../../electron-app/main/ipc-channels.js';
import { EXIT_RENDERER_KEEPS_CRASHING } from '../../electron-app/main/kiosk-shell.js';
import { FakeFrame, FakeWebContents } from './electron-double.js';
import { ORIGIN, PIN, startShellOnDouble } from './shell-fixture.js';

describe('hall-IT exit: who may ask', () => {
  it('answers only the kiosk window top frame while it shows the local API', async () => {
    const { electron, win, clock } = await startShellOnDouble();
    const ipc = electron.ipcMain;
    const wc = win.webContents;
    const ask = (sender: FakeWebContents, frame: FakeFrame | null, pin: unknown = PIN) => ipc.invoke(IpcChannel.RequestExit, sender, frame, pin);
    expect(await ask(new FakeWebContents(`${ORIGIN}/`), new FakeFrame(`${ORIGIN}/`))).toBe(false); // another webContents
    expect(await ask(wc, new FakeFrame(`${ORIGIN}/`, wc.mainFrame))).toBe(false); // a subframe
    expect(await ask(wc, null)).toBe(false); // frame gone (navigated or destroyed)
    wc.mainFrame.url = 'chrome-error://chromewebdata/';
    expect(await ask(wc, wc.mainFrame)).toBe(false); // an error page in the kiosk window
    wc.mainFrame.url = `${ORIGIN}/#token=x`;
    expect(await ask(wc, wc.mainFrame, 246810)).toBe(false); // not a string
    clock.advance(1000);
    expect(electron.app.exitCode).toBeNull();
    expect(await ask(wc, wc.mainFrame)).toBe(true);
    expect(win.tryClose()).toBe(true);
    clock.advance(100);
    expect(electron.app.exitCode).toBe(0);
  });

  it('requests from outside the kiosk page do not use up hall IT tries', async () => {
    const { electron, win } = await startShellOnDouble();
    const stranger = new FakeWebContents(`${ORIGIN}/`);
    for (let i = 0; i < 20; i++) await electron.ipcMain.invoke(IpcChannel.RequestExit, stranger, stranger.mainFrame, '000000');
    expect(await electron.ipcMain.invoke(IpcChannel.RequestExit, win.webContents, win.webContents.mainFrame, PIN)).toBe(true);
  });
});

describe('hall-IT exit: PIN lockout', () => {
  it('locks the exit for 15 minutes after 5 wrong PINs, even for the right PIN, then opens again', async () => {
    const { electron, win, logs } = await startShellOnDouble();
    const wc = win.webContents;
    const ask = (pin: string) => electron.ipcMain.invoke(IpcChannel.RequestExit, wc, wc.mainFrame, pin);
    for (let i = 0; i < 4; i++) expect(await ask('111111')).toBe(false);
    expect(await ask(PIN)).toBe(true); // a right PIN before the fifth wrong one resets the count
    const fresh = await startShellOnDouble();
    const ask2 = (pin: string) => fresh.electron.ipcMain.invoke(IpcChannel.RequestExit, fresh.win.webContents, fresh.win.webContents.mainFrame, pin);
    for (let i = 0; i < 5; i++) expect(await ask2('111111')).toBe(false);
    expect(await ask2(PIN)).toBe(false);
    expect(fresh.logs.at(-1)).toBe('hall-IT exit: locked for 15 more min');
    fresh.clock.advance(14 * 60_000 + 59_000);
    expect(await ask2(PIN)).toBe(false);
    fresh.clock.advance(1000);
    expect(await ask2(PIN)).toBe(true);
    // The PIN itself is never logged.
    expect([...logs, ...fresh.logs].some((l) => l.includes(PIN) || l.includes('111111'))).toBe(false);
  });
});

describe('renderer recovery', () => {
  it('reloads a crashed page with a fresh token after 1, 2, 4 … s, capped at 30 s', async () => {
    const { win, clock, token } = await startShellOnDouble();
    const wc = win.webContents;
    wc.finishLoad();
    token.value = 'tok-boot-2';
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      wc.renderProcessGone('crashed');
      delays.push(clock.pendingDelays()[0] ?? -1);
      clock.advance(delays.at(-1) ?? 0);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000]);
    expect(wc.loaded).toHaveLength(7);
    expect(wc.loaded.at(-1)).toBe(`${ORIGIN}/#token=tok-boot-2`);
  });

  it('after 6 crashes with no stable minute it exits 70 for the service manager to restart it', async () => {
    const { electron, win, clock, logs } = await startShellOnDouble();
    for (let i = 0; i < 6; i++) {
      win.webContents.renderProcessGone('oom');
      clock.advance(30_000);
    }
    expect(electron.app.exitCode).toBeNull();
    win.webContents.renderProcessGone('oom');
    expect(electron.app.exitCode).toBe(EXIT_RENDERER_KEEPS_CRASHING);
    expect(logs.at(-1)).toMatch(/gone 7 times in a row/);
  });

  it('forgets old crashes once the page has stayed up for a minute', async () => {
    const { electron, win, clock } = await startShellOnDouble();
    for (let i = 0; i < 20; i++) {
      win.webContents.renderProcessGone('crashed');
      clock.advance(clock.pendingDelays()[0] ?? 0);
      win.webContents.finishLoad();
      clock.advance(60_000);
    }
    expect(electron.app.exitCode).toBeNull();
    win.webContents.renderProcessGone('crashed');
    expect(clock.pendingDelays()).toEqual([1000]);
  });

  it('crashes a hung page after 10 s unless it answers, then reloads it', async () => {
    const { win, clock } = await startShellOnDouble();
    const wc = win.webContents;
    wc.emit('unresponsive');
    clock.advance(5000);
    wc.emit('responsive');
    clock.advance(60_000);
    expect(wc.loaded).toHaveLength(1);
    wc.emit('unresponsive');
    clock.advance(10_000);
    expect(clock.pendingDelays()).toEqual([1000]); // crashed (render-process-gone 'killed'), reload scheduled
    clock.advance(1000);
    expect(wc.loaded).toHaveLength(2);
  });

  it('keeps retrying while the device runtime is not up yet, and never gives up on that', async () => {
    const { electron, win, clock } = await startShellOnDouble();
    const wc = win.webContents;
    for (let i = 0; i < 50; i++) {
      wc.failLoad(-102, 'ERR_CONNECTION_REFUSED');
      clock.advance(30_000);
    }
    expect(wc.loaded).toHaveLength(51);
    expect(electron.app.exitCode).toBeNull();
    wc.failLoad(-3, 'ERR_ABORTED'); // our own reload cut a load short: not a failure
    expect(clock.pendingDelays()).toEqual([]);
  });
});
