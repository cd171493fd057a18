/** The one IPC channel enum between the kiosk renderer (via preload) and the main process. */
export enum IpcChannel {
  /** Renderer → main: hall IT entered a PIN after the hidden long-press; main checks its hash. */
  RequestExit = 'hcp:request-exit',
}
