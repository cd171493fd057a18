/**
 * Locks the session the kiosk page runs in (Electron security checklist §5, §12): the kiosk needs
 * no permission at all (no camera, microphone, location, notifications, USB, serial, clipboard
 * read, fullscreen request), so every request and check is refused, whichever origin asks; no
 * request leaves for anything but the local API (on top of the page's CSP); nothing is ever
 * downloaded onto the device.
 */
import type { ShellSession } from './electron-api.js';

/** Request URLs the kiosk page may load: the local API over http and ws, and inline data: images. */
export function isAllowedRequest(url: string, origin: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'data:') return true;
  const wsOrigin = origin.replace(/^http/, 'ws');
  return parsed.origin === origin || `${parsed.protocol}//${parsed.host}` === wsOrigin;
}

export function lockSession(ses: ShellSession, origin: string, log: (msg: string) => void): void {
  ses.setPermissionRequestHandler((_contents, permission, done) => {
    log(`permission refused: ${permission}`);
    done(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onBeforeRequest((details, done) => done({ cancel: !isAllowedRequest(details.url, origin) }));
  ses.on('will-download', (e, item) => {
    e.preventDefault();
    item.cancel();
    log('download refused');
  });
}
