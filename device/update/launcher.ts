/**
 * The update launcher (docs/UPDATE.md): supervises the device runtime of the version `current`
 * points at, restarting it when it dies, and — every `checkEveryMs` — checks in with the gateway
 * (./update-cycle.ts). When a release is installed it switches: stops the running version, points
 * `current` at the new one, starts it, and gives it `healthTimeoutMs` to be healthy
 * (./health-check.ts). If it is not, it stops it, points `current` back and starts the old one, and
 * says why. The switch is written down before it starts, so a launcher killed halfway (a power cut)
 * finishes the trial when it starts again.
 *
 * The store (the data dir) is shared by the versions and never touched here. A release's migrations
 * run when the new version opens the store; a release that declares them not backward compatible
 * (`rollbackSafe: false`) is never rolled back once it has migrated (the old version could not run
 * on that store), and the launcher says so ("rollback-blocked") and keeps the new one running.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { UpdateReport } from '../contract/release.js';
import { waitHealthy } from './health-check.js';
import type { InstallLayout } from './install-layout.js';
import { readLauncherState, writeLauncherState, type LauncherState } from './launcher-state.js';
import { RuntimeChild } from './runtime-child.js';

export interface LauncherOptions {
  /** The device config file, passed on to each version. */
  configFile: string;
  dataDir: string;
  layout: InstallLayout;
  healthTimeoutMs: number;
  /** Whether a healthy version must connect to the gateway (the config has a gateway section). */
  needGateway: boolean;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

export type Trial = NonNullable<LauncherState['trial']>;

export class UpdateLauncher {
  private child: RuntimeChild | null = null;
  private supervised = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartDelayMs = 1000;
  state: LauncherState = { reports: [], outcomes: {} };

  constructor(private readonly o: LauncherOptions) {}

  get running(): RuntimeChild | null {
    return this.child;
  }

  /** Prepare the layout, finish a switch left halfway, and run the current version. */
  async start(): Promise<void> {
    this.o.layout.prepare();
    this.state = readLauncherState(this.o.layout.stateFile);
    if (this.state.trial) {
      this.o.logger.warn({ from: this.state.trial.from, to: this.state.trial.to }, 'a switch was interrupted: trying the new version again');
      await this.runTrial(this.state.trial);
    } else {
      this.runCurrent();
    }
  }

  async stop(): Promise<void> {
    this.supervised = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    await this.child?.stop();
  }

  queueReport(report: UpdateReport): void {
    this.state.reports.push(report);
    if (report.state !== 'downloading' && report.state !== 'installed') this.state.outcomes[report.version] = report.state;
    this.save();
  }

  save(): void {
    writeLauncherState(this.o.layout.stateFile, this.state);
  }

  /** Start the current version and restart it whenever it dies (1 s, doubling to 30 s; reset after a minute up). */
  private runCurrent(): void {
    const child = this.spawn(this.o.layout.currentDir());
    this.supervised = true;
    const startedAt = Date.now();
    void child.exited.then((e) => {
      if (!this.supervised || this.child !== child) return;
      if (Date.now() - startedAt > 60_000) this.restartDelayMs = 1000;
      this.o.logger.error({ code: e.code, signal: e.signal, restartInMs: this.restartDelayMs, lastWords: child.lastWords() }, 'the device runtime stopped: restarting it');
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (this.supervised && this.child === child) this.runCurrent();
      }, this.restartDelayMs);
      this.restartDelayMs = Math.min(this.restartDelayMs * 2, 30_000);
    });
  }

  private spawn(dir: string): RuntimeChild {
    const child = new RuntimeChild(dir, this.o.configFile, this.o.env);
    child.start();
    this.child = child;
    return child;
  }

  /** The highest store migration applied (0 before the first start). */
  private schemaVersion(): number {
    const file = join(this.o.dataDir, 'device.db');
    if (!existsSync(file)) return 0;
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
      return row ? ((db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v ?? 0) : 0;
    } finally {
      db.close();
    }
  }

  /** Switch from the running version to the one installed in `toDir`; answers whether it stayed. */
  async switchTo(to: { version: string; dir: string; rollbackSafe: boolean }): Promise<boolean> {
    const fromDir = this.o.layout.currentDir();
    const from = this.o.layout.currentVersion();
    this.supervised = false;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.child?.stop();
    const trial: Trial = { from, fromDir, to: to.version, toDir: to.dir, rollbackSafe: to.rollbackSafe, schemaBefore: this.schemaVersion() };
    this.state.trial = trial;
    this.save();
    this.o.layout.point('previous', fromDir);
    this.o.layout.point('current', to.dir);
    this.o.logger.info({ from, to: to.version }, 'switched: starting the new version');
    return this.runTrial(trial);
  }

  private async runTrial(trial: Trial): Promise<boolean> {
    const child = this.spawn(trial.toDir);
    const health = await waitHealthy(child, { timeoutMs: this.o.healthTimeoutMs, needGateway: this.o.needGateway });
    if (health.ok) {
      this.state.trial = undefined;
      this.queueReport({ version: trial.to, state: 'healthy' });
      const pruned = this.o.layout.prune();
      this.o.logger.info({ version: trial.to, pruned }, 'the new version is healthy');
      this.restartDelayMs = 1000;
      this.supervise(child);
      return true;
    }
    await child.stop(5000);
    if (!trial.rollbackSafe && this.schemaVersion() > trial.schemaBefore) {
      // Its migrations ran and the release says the old version cannot run on them: stay, and say so.
      this.state.trial = undefined;
      this.queueReport({
        version: trial.to,
        state: 'rollback-blocked',
        reason: `${health.reason}; not rolled back: its store migrations are not backward compatible`.slice(0, 300),
      });
      this.o.logger.error({ version: trial.to, why: health.reason }, 'the new version is not healthy, and its migrations forbid a rollback: keeping it (hall IT must act)');
      this.runCurrent();
      return true;
    }
    this.o.layout.point('current', trial.fromDir);
    this.state.trial = undefined;
    this.queueReport({ version: trial.to, state: 'rolled-back', reason: health.reason.slice(0, 300) });
    this.o.logger.error({ version: trial.to, back: trial.from, why: health.reason }, 'the new version is not healthy: rolled back');
    this.runCurrent();
    return false;
  }

  /** Supervise a child that is already running (the new version, once healthy). */
  private supervise(child: RuntimeChild): void {
    this.supervised = true;
    void child.exited.then(() => {
      if (!this.supervised || this.child !== child) return;
      this.o.logger.error({ lastWords: child.lastWords() }, 'the device runtime stopped: restarting it');
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (this.supervised && this.child === child) this.runCurrent();
      }, this.restartDelayMs);
    });
  }
}
