/**
 * The part of Electron's main-process API the kiosk shell uses, as narrow interfaces whose method
 * and event signatures are copied from Electron's own type definitions (node_modules/electron/electron.d.ts).
 * The guards take these instead of importing 'electron', so they run under plain Node with a test
 * double (test/electron/electron-double.ts); main.ts passes the real module, and tsc checks that
 * the real module fits them (STYLE.md §3).
 */
import type { BrowserWindowConstructorOptions, CallbackResponse, Event, Input, RenderProcessGoneDetails, WebPreferences, WindowOpenHandlerResponse } from 'electron';

/** The fields of Electron's event params and structures the guards read (same names and types). */
export type NavigationParams = { url: string; isMainFrame: boolean };
export type OpenDetails = { url: string };
export type KeyInput = Pick<Input, 'type' | 'key' | 'control' | 'shift' | 'alt' | 'meta'>;
export type ShellDownloadItem = { getURL(): string; cancel(): void };
export type RequestDetails = { url: string };
/** IpcMainInvokeEvent: who sent it. */
export type ShellInvokeEvent = { readonly sender: ShellContents; readonly senderFrame: ShellFrame | null };

/** WebFrameMain: only what the IPC sender check reads. */
export interface ShellFrame {
  readonly url: string;
  readonly origin: string;
  readonly parent: ShellFrame | null;
}

export interface ShellContents {
  readonly mainFrame: ShellFrame;
  setWindowOpenHandler(handler: (details: OpenDetails) => WindowOpenHandlerResponse): void;
  loadURL(url: string): Promise<void>;
  closeDevTools(): void;
  forcefullyCrashRenderer(): void;
  setZoomFactor(factor: number): void;
  setVisualZoomLevelLimits(minimumLevel: number, maximumLevel: number): Promise<void>;
  isDestroyed(): boolean;
  on(event: 'will-navigate', listener: (details: Event<NavigationParams>, url: string) => void): this;
  on(event: 'will-frame-navigate', listener: (details: Event<NavigationParams>) => void): this;
  on(event: 'will-redirect', listener: (details: Event<NavigationParams>, url: string) => void): this;
  on(event: 'will-attach-webview', listener: (event: Event, webPreferences: WebPreferences, params: Record<string, string>) => void): this;
  on(event: 'devtools-opened', listener: () => void): this;
  on(event: 'before-input-event', listener: (event: Event, input: KeyInput) => void): this;
  on(event: 'zoom-changed', listener: (event: Event, zoomDirection: 'in' | 'out') => void): this;
  on(event: 'did-finish-load', listener: () => void): this;
  on(event: 'did-fail-load', listener: (event: Event, errorCode: number, errorDescription: string, validatedURL: string, isMainFrame: boolean) => void): this;
  on(event: 'render-process-gone', listener: (event: Event, details: RenderProcessGoneDetails) => void): this;
  on(event: 'unresponsive', listener: () => void): this;
  on(event: 'responsive', listener: () => void): this;
}

export interface ShellWindow {
  readonly webContents: ShellContents;
  isDestroyed(): boolean;
  on(event: 'close', listener: (event: Event) => void): this;
}

export interface ShellSession {
  setPermissionRequestHandler(handler: ((webContents: unknown, permission: string, callback: (permissionGranted: boolean) => void) => void) | null): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string, requestingOrigin: string) => boolean) | null): void;
  setDevicePermissionHandler(handler: (() => boolean) | null): void;
  readonly webRequest: {
    onBeforeRequest(listener: ((details: RequestDetails, callback: (response: CallbackResponse) => void) => void) | null): void;
  };
  on(event: 'will-download', listener: (event: Event, item: ShellDownloadItem, webContents: unknown) => void): this;
}

export interface ShellApp {
  readonly commandLine: { appendSwitch(the_switch: string, value?: string): void };
  requestSingleInstanceLock(): boolean;
  whenReady(): Promise<void>;
  exit(exitCode?: number): void;
  on(event: 'web-contents-created', listener: (event: Event, webContents: ShellContents) => void): this;
  on(event: 'window-all-closed', listener: () => void): this;
}

export interface ShellIpcMain {
  handle(channel: string, listener: (event: ShellInvokeEvent, ...args: unknown[]) => Promise<unknown> | unknown): void;
}

/** What the shell needs from `import * as electron from 'electron'`. */
export interface ShellElectron {
  app: ShellApp;
  ipcMain: ShellIpcMain;
  session: { readonly defaultSession: ShellSession };
  powerSaveBlocker: { start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number };
  createWindow(options: BrowserWindowConstructorOptions): ShellWindow;
}
