/**
 * One run of the device runtime of one installed version, as the launcher's child: `node
 * <dir>/device/main.js --config …`. Its stdout lines are passed on (the `{"event":"ready"}` line
 * included: the kiosk and tests read it) and its stderr (its JSON log) too; the ready line's local
 * API address and token are kept, so the launcher can ask the new version whether it is healthy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface ReadyLine {
  localApi: string;
  token: string;
}

export class RuntimeChild {
  private child: ChildProcess | null = null;
  private stderrTail = '';
  /** Resolves with the ready line; never rejects (see `exited`). */
  ready!: Promise<ReadyLine>;
  /** Resolves when the process has ended. */
  exited!: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly dir: string,
    private readonly configFile: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  start(): void {
    const child = spawn(process.execPath, [join(this.dir, 'device', 'main.js'), '--config', this.configFile], {
      cwd: this.dir,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.ready = new Promise((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        process.stdout.write(`${line}\n`);
        try {
          const msg = JSON.parse(line) as { event?: string; localApi?: string; token?: string };
          if (msg.event === 'ready' && msg.localApi && msg.token) resolve({ localApi: msg.localApi, token: msg.token });
        } catch {
          /* not the ready line */
        }
      });
    });
    child.stderr!.on('data', (d: Buffer) => {
      process.stderr.write(d);
      this.stderrTail = (this.stderrTail + d.toString()).slice(-4000);
    });
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The child's last words, for a rollback's reason: an uncaught error's line, else its last log message. */
  lastWords(): string {
    const lines = this.stderrTail.trim().split('\n').filter(Boolean);
    const thrown = [...lines].reverse().find((l) => /^\w*Error\b.*: /.test(l));
    if (thrown) return thrown.slice(0, 200);
    const last = lines[lines.length - 1] ?? '';
    try {
      const j = JSON.parse(last) as { msg?: string; err?: { message?: string } };
      return [j.msg, j.err?.message].filter(Boolean).join(': ').slice(0, 200);
    } catch {
      return last.slice(0, 200);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has ended. */
  async stop(graceMs = 20_000): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
