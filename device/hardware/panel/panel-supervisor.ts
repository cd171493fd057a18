/**
 * Supervises the panel link: finds the panel's port (USB fingerprint or configured path), runs one
 * panel worker process on it (panel-worker.ts: johnny-five, which cannot reconnect in-process),
 * and when the worker ends — unplugged, unresponsive, handshake failed — reports the panel
 * disconnected, waits with backoff, re-runs discovery (the tty may come back under a new name) and
 * starts a fresh worker. One worker at a time, and the next starts only after the previous has
 * exited (its port closed): one owner per port.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { Backoff, pause } from '../link-backoff.js';
import { LogThrottle } from '../log-throttle.js';
import { locatePort, type ListPorts, type PortSpec } from '../port-discovery.js';
import { PanelReportSchema, type PanelCommand, type PanelReport, type PanelWorkerSettings } from './panel-ipc.js';

export interface PanelSupervisorOptions {
  spec: PortSpec;
  worker: Omit<PanelWorkerSettings, 'path'>;
  listPorts: ListPorts;
  backoff: { initialMs: number; maxMs: number };
  logger: Logger;
  /** Button presses, please-rate and badge reads, in the order the panel sent them. */
  onReport: (report: Exclude<PanelReport, { t: 'ready' | 'lost' | 'refused' | 'events-lost' }>) => void;
  onConnection: (state: 'connected' | 'disconnected') => void;
  /** The worker is ready: the caller re-sends the LED state it wants shown. */
  onReady: () => void;
}

const WORKER_TS = fileURLToPath(new URL('./panel-worker.ts', import.meta.url));
const WORKER_JS = fileURLToPath(new URL('./panel-worker.js', import.meta.url));
const STOP_GRACE_MS = 2000;

/** Run the worker the way this module runs: TypeScript through tsx in development and tests. */
function workerEntry(): { file: string; execArgv: string[] } {
  if (import.meta.url.endsWith('.ts')) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    return { file: WORKER_TS, execArgv: ['--import', tsx] };
  }
  return { file: WORKER_JS, execArgv: [] };
}

export class PanelSupervisor {
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private child: ChildProcess | null = null;
  private ready = false;
  /** The path the current worker owns (NFC discovery must skip it). */
  openPath: string | null = null;
  /** How many workers reached ready (tests and health read it). */
  connects = 0;
  /** Malformed messages from the panel (line noise) are logged throttled. */
  private readonly refusedLog = new LogThrottle();

  constructor(private readonly o: PanelSupervisorOptions) {}

  async start(): Promise<void> {
    if (this.loop) return;
    this.abort = new AbortController();
    this.o.onConnection('disconnected');
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    this.abort!.abort();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      // Ask for LEDs off and a clean close; a worker stuck on a dead tty is killed after a grace.
      if (this.ready) child.send({ t: 'close' } satisfies PanelCommand);
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.loop;
      clearTimeout(timer);
    } else await this.loop;
    this.loop = null;
    this.abort = null;
  }

  /** Send a command to the panel if one is connected; dropped otherwise (onReady re-sends state). */
  command(cmd: PanelCommand): void {
    if (this.ready && this.child?.connected) this.child.send(cmd);
  }

  private async run(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.o.backoff.initialMs, this.o.backoff.maxMs);
    while (!signal.aborted) {
      const path = await locatePort(this.o.spec, this.o.listPorts).catch((err: Error) => {
        this.o.logger.warn({ err: err.message }, 'listing serial ports failed');
        return null;
      });
      if (path && !signal.aborted) {
        const wasUp = await this.runWorker(path);
        if (wasUp) backoff.reset();
      }
      if (!signal.aborted) await pause(backoff.take(), signal);
    }
  }

  /** One worker, from fork to exit. True when it got as far as ready. */
  private async runWorker(path: string): Promise<boolean> {
    const { file, execArgv } = workerEntry();
    const child = fork(file, [], {
      execArgv,
      env: { ...process.env, HCP_PANEL_WORKER: JSON.stringify({ ...this.o.worker, path }) },
      // The worker's stdout would mix into the device program's machine-readable stdout.
      stdio: ['ignore', 2, 2, 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    this.openPath = path;
    let wasUp = false;
    child.on('message', (raw) => {
      const parsed = PanelReportSchema.safeParse(raw);
      if (!parsed.success) return void this.o.logger.warn('refused a malformed report from the panel worker');
      const r = parsed.data;
      switch (r.t) {
        case 'ready':
          wasUp = true;
          this.ready = true;
          this.connects += 1;
          this.o.logger.info({ path: r.path, firmware: r.firmware, version: r.version }, 'panel connected');
          this.o.onConnection('connected');
          this.o.onReady();
          return;
        case 'lost':
          this.o.logger.warn({ path, reason: r.reason }, 'panel link lost');
          return;
        case 'refused':
          this.refusedLog.hit((skipped) => this.o.logger.warn({ what: r.what, alsoSince: skipped }, 'panel sent a malformed message'));
          return;
        case 'events-lost':
          // Not throttled: each report follows an event that did arrive, so they come no faster
          // than presses do, and a press that was not taken must never go unlogged (issue 10).
          if (r.pressLost) this.o.logger.warn({ missed: r.missed }, 'a press on the panel was lost on the line (its BUTTON_EVENT never arrived): the citizen must press again');
          else this.o.logger.warn({ missed: r.missed }, 'button events from the panel were lost on the line: a press among them, if any, was not taken');
          return;
        default:
          this.o.onReport(r);
      }
    });
    await new Promise<void>((res) => {
      child.once('exit', () => res());
      child.once('error', (err) => {
        this.o.logger.error({ err: err.message }, 'panel worker failed');
        res();
      });
    });
    this.child = null;
    this.openPath = null;
    if (this.ready) {
      this.ready = false;
      this.o.onConnection('disconnected');
    }
    return wasUp;
  }
}
