/**
 * A hand-written test double of the Electron main-process API the kiosk shell uses
 * (electron-app/main/electron-api.ts), since Electron's binary cannot run here. Each class
 * `implements` the narrow interface, whose signatures come from node_modules/electron/electron.d.ts,
 * and the helpers emit events the way Electron does: an Event with preventDefault/defaultPrevented
 * and the event's params, then the positional arguments Electron passes.
 */
import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions, CallbackResponse, Event, RenderProcessGoneDetails, WindowOpenHandlerResponse } from 'electron';
import type {
  KeyInput,
  NavigationParams,
  OpenDetails,
  RequestDetails,
  ShellApp,
  ShellContents,
  ShellDownloadItem,
  ShellElectron,
  ShellFrame,
  ShellInvokeEvent,
  ShellIpcMain,
  ShellSession,
  ShellWindow,
} from '../../electron-app/main/electron-api.js';

/** An Electron Event: `preventDefault()` flips `defaultPrevented`. */
export function electronEvent<P extends object>(params: P): Event<P> {
  let prevented = false;
  return Object.assign(
    {
      preventDefault: () => {
        prevented = true;
      },
      get defaultPrevented() {
        return prevented;
      },
    },
    params,
  );
}

export class FakeFrame implements ShellFrame {
  constructor(
    public url: string,
    public readonly parent: FakeFrame | null = null,
  ) {}
  get origin(): string {
    return new URL(this.url).origin;
  }
}

export class FakeWebContents extends EventEmitter implements ShellContents {
  readonly mainFrame: FakeFrame;
  openHandler: ((details: OpenDetails) => WindowOpenHandlerResponse) | null = null;
  readonly loaded: string[] = [];
  zoomFactor = 1;
  devToolsOpen = false;
  destroyed = false;

  constructor(url = 'about:blank') {
    super();
    this.mainFrame = new FakeFrame(url);
  }
  setWindowOpenHandler(handler: (details: OpenDetails) => WindowOpenHandlerResponse): void {
    this.openHandler = handler;
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    this.mainFrame.url = url;
  }
  closeDevTools(): void {
    this.devToolsOpen = false;
  }
  /** Electron kills the renderer; it then emits render-process-gone with reason 'killed'. */
  forcefullyCrashRenderer(): void {
    this.emit('render-process-gone', electronEvent({}), { reason: 'killed', exitCode: 9 } satisfies RenderProcessGoneDetails);
  }
  setZoomFactor(factor: number): void {
    this.zoomFactor = factor;
  }
  async setVisualZoomLevelLimits(): Promise<void> {}
  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** window.open / target=_blank: what the open handler answers (Electron opens nothing unless 'allow'). */
  openWindow(url: string): WindowOpenHandlerResponse['action'] | 'no handler' {
    return this.openHandler?.({ url }).action ?? 'no handler';
  }
  /** Fires a will-* navigation event as Electron does; true when the navigation may go ahead. */
  navigate(event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect', url: string, isMainFrame = true): boolean {
    const e = electronEvent<NavigationParams>({ url, isMainFrame });
    if (event === 'will-frame-navigate') this.emit(event, e);
    else this.emit(event, e, url, false, isMainFrame, 1, 1);
    return !e.defaultPrevented;
  }
  attachWebview(src: string): boolean {
    const e = electronEvent({});
    this.emit('will-attach-webview', e, {}, { src });
    return !e.defaultPrevented;
  }
  /** Electron opens DevTools (F12 in a plain build) and emits devtools-opened. */
  openDevTools(): void {
    this.devToolsOpen = true;
    this.emit('devtools-opened');
  }
  /** A key press; true when the page (and the menu shortcuts) get it. */
  press(key: string, mods: Partial<Omit<KeyInput, 'key' | 'type'>> = {}): boolean {
    const e = electronEvent({});
    this.emit('before-input-event', e, { type: 'keyDown', key, control: false, shift: false, alt: false, meta: false, ...mods } satisfies KeyInput);
    return !e.defaultPrevented;
  }
  finishLoad(): void {
    this.emit('did-finish-load');
  }
  failLoad(code: number, description: string): void {
    this.emit('did-fail-load', electronEvent({}), code, description, this.mainFrame.url, true, 1, 1);
  }
  renderProcessGone(reason: RenderProcessGoneDetails['reason']): void {
    this.emit('render-process-gone', electronEvent({}), { reason, exitCode: 1 } satisfies RenderProcessGoneDetails);
  }
}

export class FakeWindow extends EventEmitter implements ShellWindow {
  readonly webContents = new FakeWebContents();
  destroyed = false;
  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Alt+F4, the compositor or a window manager asks to close; true when the window would close. */
  tryClose(): boolean {
    const e = electronEvent({});
    this.emit('close', e);
    return !e.defaultPrevented;
  }
}

export class FakeSession extends EventEmitter implements ShellSession {
  permissionRequest: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  permissionCheck: ((webContents: unknown, permission: string, requestingOrigin: string) => boolean) | null = null;
  devicePermission: (() => boolean) | null = null;
  beforeRequest: ((details: RequestDetails, callback: (response: CallbackResponse) => void) => void) | null = null;
  readonly webRequest = {
    onBeforeRequest: (listener: FakeSession['beforeRequest']) => {
      this.beforeRequest = listener;
    },
  };
  setPermissionRequestHandler(handler: FakeSession['permissionRequest']): void {
    this.permissionRequest = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['permissionCheck']): void {
    this.permissionCheck = handler;
  }
  setDevicePermissionHandler(handler: (() => boolean) | null): void {
    this.devicePermission = handler;
  }

  /** A page asks for a permission; Electron grants it when no handler is set. */
  requestPermission(contents: FakeWebContents, permission: string): boolean {
    let granted = true;
    this.permissionRequest?.(contents, permission, (g) => {
      granted = g;
    });
    return granted;
  }
  checkPermission(permission: string, origin: string): boolean {
    return this.permissionCheck?.(null, permission, origin) ?? true;
  }
  /** A request leaves the page; true when it goes out. */
  request(url: string): boolean {
    let cancel = false;
    this.beforeRequest?.({ url }, (r) => {
      cancel = r.cancel === true;
    });
    return !cancel;
  }
  /** Chromium starts a download; true when it would be saved. */
  download(url: string, contents: FakeWebContents): boolean {
    let cancelled = false;
    const item: ShellDownloadItem = {
      getURL: () => url,
      cancel: () => {
        cancelled = true;
      },
    };
    const e = electronEvent({});
    this.emit('will-download', e, item, contents);
    return !e.defaultPrevented && !cancelled;
  }
}

export class FakeIpcMain implements ShellIpcMain {
  readonly handlers = new Map<string, (event: ShellInvokeEvent, ...args: unknown[]) => unknown>();
  handle(channel: string, listener: (event: ShellInvokeEvent, ...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  /** ipcRenderer.invoke from `sender`'s `frame`; unhandled channels reject as in Electron. */
  async invoke(channel: string, sender: FakeWebContents, frame: FakeFrame | null, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h({ sender, senderFrame: frame }, ...args);
  }
}

export class FakeApp extends EventEmitter implements ShellApp {
  readonly switches: Array<[string, string | undefined]> = [];
  readonly commandLine = { appendSwitch: (s: string, v?: string) => void this.switches.push([s, v]) };
  exitCode: number | null = null;
  gotLock = true;
  private readyResolve!: () => void;
  private readonly readyPromise = new Promise<void>((r) => {
    this.readyResolve = r;
  });
  requestSingleInstanceLock(): boolean {
    return this.gotLock;
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
  becomeReady(): void {
    this.readyResolve();
  }
  /** A webContents is created anywhere in the app (a window, a devtools host, a popup). */
  createContents(url = 'about:blank'): FakeWebContents {
    const wc = new FakeWebContents(url);
    this.emit('web-contents-created', electronEvent({}), wc);
    return wc;
  }
}

export class FakeElectron implements ShellElectron {
  readonly app = new FakeApp();
  readonly ipcMain = new FakeIpcMain();
  readonly session = { defaultSession: new FakeSession() };
  readonly windows: FakeWindow[] = [];
  readonly powerSaveBlocks: string[] = [];
  readonly powerSaveBlocker = {
    start: (type: 'prevent-app-suspension' | 'prevent-display-sleep') => this.powerSaveBlocks.push(type),
  };
  createWindow(options: BrowserWindowConstructorOptions): FakeWindow {
    const w = new FakeWindow(options);
    this.windows.push(w);
    this.app.emit('web-contents-created', electronEvent({}), w.webContents);
    return w;
  }
}
