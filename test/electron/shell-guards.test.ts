/**
 * The kiosk shell's locks, driven through the Electron test double: what a citizen (or a page gone
 * wrong) tries, and whether Electron would let it happen.
 */
import { describe, expect, it } from 'vitest';
import { ORIGIN, startShellOnDouble } from './shell-fixture.js';

describe('kiosk shell on the Electron double: the window and its page', () => {
  it('opens one locked kiosk window on the local API with the token read at load time', async () => {
    const { electron, win } = await startShellOnDouble();
    expect(electron.windows).toHaveLength(1);
    expect(win.options).toMatchObject({ kiosk: true, fullscreen: true, closable: false, frame: false });
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      devTools: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      preload: '/opt/hcp/preload.cjs',
    });
    expect(win.webContents.loaded).toEqual([`${ORIGIN}/#token=tok-boot-1`]);
    expect(electron.powerSaveBlocks).toEqual(['prevent-display-sleep']);
    expect(electron.app.switches).toContainEqual(['disable-pinch', undefined]);
  });

  it('navigates only within the local API origin, in the page, its frames and redirects', async () => {
    const wc = (await startShellOnDouble()).win.webContents;
    expect(wc.navigate('will-navigate', `${ORIGIN}/#token=x`)).toBe(true);
    expect(wc.navigate('will-frame-navigate', `${ORIGIN}/qr`, false)).toBe(true);
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:9999/',
      'http://127.0.0.1:8765.evil.cn/',
      'http://localhost:8765/',
      'file:///etc/passwd',
      'chrome://settings',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(wc.navigate('will-navigate', url), url).toBe(false);
      expect(wc.navigate('will-frame-navigate', url, false), url).toBe(false);
      expect(wc.navigate('will-redirect', url), url).toBe(false);
    }
  });

  it('opens no new window and attaches no webview, whatever the URL', async () => {
    const wc = (await startShellOnDouble()).win.webContents;
    expect(wc.openWindow('https://example.com/')).toBe('deny');
    expect(wc.openWindow(`${ORIGIN}/`)).toBe('deny');
    expect(wc.attachWebview(`${ORIGIN}/`)).toBe(false);
  });

  it('locks every webContents the app creates, not only the kiosk window', async () => {
    const { electron } = await startShellOnDouble();
    const other = electron.app.createContents();
    expect(other.openWindow('https://example.com/')).toBe('deny');
    expect(other.navigate('will-navigate', 'https://example.com/')).toBe(false);
    expect(other.attachWebview('https://example.com/')).toBe(false);
  });

  it('closes DevTools if they ever open, and swallows F12, Ctrl+Shift+I/J/C and the reload/close/zoom keys', async () => {
    const { win, logs } = await startShellOnDouble();
    const wc = win.webContents;
    wc.openDevTools();
    expect(wc.devToolsOpen).toBe(false);
    expect(logs).toContain('devtools closed');
    expect(wc.press('F12')).toBe(false);
    for (const k of ['I', 'J', 'C']) expect(wc.press(k, { control: true, shift: true }), `Ctrl+Shift+${k}`).toBe(false);
    for (const k of ['r', 'w', 'q', 'n', 'p', 's', '+', '-', '0']) expect(wc.press(k, { control: true }), `Ctrl+${k}`).toBe(false);
    expect(wc.press('F5')).toBe(false);
    expect(wc.press('F4', { alt: true })).toBe(false);
    // Typing still reaches the page (a hardware keyboard for the comment, digits for the call-back number).
    for (const k of ['a', 'Z', '5', 'Backspace', 'Enter', ' ']) expect(wc.press(k), k).toBe(true);
    expect(wc.press('c', { control: true })).toBe(true);
  });

  it('keeps the zoom at 1 and the window open until the hall-IT exit', async () => {
    const { win } = await startShellOnDouble();
    win.webContents.setZoomFactor(1.5);
    win.webContents.emit('zoom-changed', {}, 'in');
    expect(win.webContents.zoomFactor).toBe(1);
    expect(win.tryClose()).toBe(false);
  });
});

describe('kiosk shell on the Electron double: the session', () => {
  it('refuses every permission, asked or checked, from the local API origin as from any other', async () => {
    const { electron, win } = await startShellOnDouble();
    const ses = electron.session.defaultSession;
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'fullscreen', 'openExternal', 'display-capture', 'unknown']) {
      expect(ses.requestPermission(win.webContents, p), p).toBe(false);
      expect(ses.checkPermission(p, ORIGIN), p).toBe(false);
      expect(ses.checkPermission(p, 'https://example.com'), p).toBe(false);
    }
    expect(ses.devicePermission?.()).toBe(false);
  });

  it('lets requests reach the local API (http and ws) and data: images only', async () => {
    const ses = (await startShellOnDouble()).electron.session.defaultSession;
    expect(ses.request(`${ORIGIN}/api/view`)).toBe(true);
    expect(ses.request('ws://127.0.0.1:8765/api/live')).toBe(true);
    expect(ses.request('data:image/png;base64,iVBORw0KGgo=')).toBe(true);
    for (const url of [
      'https://example.com/x.js',
      'ws://127.0.0.1:1883/',
      'http://127.0.0.1:8766/',
      'file:///var/lib/hcp/local-api.token',
      'devtools://devtools/bundled/inspector.html',
    ]) {
      expect(ses.request(url), url).toBe(false);
    }
  });

  it('cancels every download, from the kiosk page too', async () => {
    const { electron, win, logs } = await startShellOnDouble();
    expect(electron.session.defaultSession.download(`${ORIGIN}/export.csv`, win.webContents)).toBe(false);
    expect(electron.session.defaultSession.download('https://example.com/a.exe', win.webContents)).toBe(false);
    expect(logs.filter((l) => l === 'download refused')).toHaveLength(2);
  });
});

describe('kiosk shell on the Electron double: one shell per device', () => {
  it('leaves at once when another shell holds the single-instance lock', async () => {
    const { FakeElectron } = await import('./electron-double.js');
    const { startKioskShell } = await import('../../electron-app/main/kiosk-shell.js');
    const { ManualClock } = await import('./manual-clock.js');
    const electron = new FakeElectron();
    electron.app.gotLock = false;
    const shell = startKioskShell(electron, {
      config: { localApi: ORIGIN, tokenFile: '/x', exitPinHash: `scrypt:${'0'.repeat(32)}:${'0'.repeat(64)}` },
      preload: '/p',
      readToken: () => '',
      clock: new ManualClock(),
      log: () => undefined,
    });
    electron.app.becomeReady();
    expect(await shell.ready).toBeNull();
    expect(electron.app.exitCode).toBe(0);
    expect(electron.windows).toHaveLength(0);
    expect(electron.ipcMain.handlers.size).toBe(0);
  });
});
