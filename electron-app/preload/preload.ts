/**
 * The narrow bridge (Electron security checklist; Electron Fiddle's pattern): the renderer gets one
 * function, never ipcRenderer itself. Runs sandboxed with context isolation.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { IpcChannel } from '../main/ipc-channels.js';

contextBridge.exposeInMainWorld('hcpKiosk', {
  requestExit: (pin: string): Promise<boolean> => ipcRenderer.invoke(IpcChannel.RequestExit, String(pin).slice(0, 12)),
});
