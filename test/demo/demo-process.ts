/**
 * The demo hall as the README starts it (`npx tsx scripts/demo-hall.ts` in the repository), seen
 * from outside: its printed block read into addresses, and its process tree by pid and ppid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';

export interface PrintedDemo {
  console: string;
  logins: Array<{ username: string; password: string }>;
  docs: string;
  paperCards: string;
  kiosks: Map<string, string>;
  phones: Map<string, string>;
  statusCurls: Map<string, string>;
  postCase: string;
  caseWithSms: string;
  smsInbox: string;
  provinceStats: string;
  provinceRatings: string;
  receiptDir: string;
}

export class DemoProcess {
  readonly child: ChildProcess;
  out = '';
  readonly exited: Promise<number | null>;
  /** Every process ever seen below the demo's (orphans leave the tree; a failed run still finds them). */
  readonly seen = new Set<number>();

  constructor(demoDir: string) {
    // detached: its own process group, as a shell gives a foreground job.
    this.child = spawn('npx', ['tsx', 'scripts/demo-hall.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, HCP_DEMO_DIR: demoDir },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.out += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.out += d.toString()));
    // 'close': its output is all read (the last line says it stopped) and nothing holds its pipes.
    this.exited = new Promise((res) => this.child.once('close', (code) => res(code)));
  }

  /** The printed block, once "Ctrl-C to stop." is out; rejects if the demo dies first. */
  async running(timeoutMs: number): Promise<PrintedDemo> {
    const started = Date.now();
    while (!this.out.includes('Ctrl-C to stop.')) {
      if (this.child.exitCode !== null) throw new Error(`demo exited ${this.child.exitCode}:\n${this.out}`);
      if (Date.now() - started > timeoutMs) throw new Error(`demo not running in ${timeoutMs} ms:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return parsePrinted(this.out);
  }

  /** Every process below the demo's, now (from /proc: pid and ppid). */
  descendants(): number[] {
    const parentOf = new Map<number, number>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        // The command may hold spaces and parentheses: the fields after its last ')' are fixed.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        parentOf.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      } catch {
        /* gone meanwhile */
      }
    }
    const found: number[] = [];
    const queue = [this.child.pid!];
    while (queue.length) {
      const pid = queue.shift()!;
      for (const [child, parent] of parentOf) {
        if (parent !== pid) continue;
        queue.push(child);
        found.push(child);
      }
    }
    for (const pid of found) this.seen.add(pid);
    return found;
  }

  /** Kill what is left of the demo's programs (after a failed run), by pid, checking each is ours. */
  killLeftovers(): void {
    for (const pid of this.seen) {
      try {
        if (alive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(REPO_ROOT)) process.kill(pid, 'SIGKILL');
      } catch {
        /* gone meanwhile */
      }
    }
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function parsePrinted(out: string): PrintedDemo {
  const one = (re: RegExp) => {
    const m = out.match(re);
    if (!m) throw new Error(`the demo did not print ${re}:\n${out}`);
    return m[1]!;
  };
  const all = (re: RegExp) => new Map([...out.matchAll(re)].map((m) => [m[1]!, m[2]!]));
  const consoleBlock = out.slice(out.indexOf(' The console'), out.indexOf('  paper cards'));
  const province = out.match(/^\s+province sim\s+(\S+)\s+(\S+)/m);
  return {
    console: one(/^\s+console\s+(http\S+)/m),
    logins: [...consoleBlock.matchAll(/^ {22}.* (\S+) \/ (\S+)$/gm)].map((m) => ({ username: m[1]!, password: m[2]! })),
    docs: one(/API docs\s+(\S+)/),
    paperCards: one(/paper cards\s+(\S+)/),
    kiosks: all(/window (\d\d) kiosk\s+(\S+)/g),
    phones: all(/window (\d\d) phone\s+(\S+)/g),
    statusCurls: all(/window (\d\d) status\s+(curl .+)$/gm),
    postCase: one(/post a case\s+(curl .+)$/m),
    caseWithSms: one(/case with SMS\s+(curl .+)$/m),
    smsInbox: one(/^\s+SMS inbox\s+(\S+)/m),
    provinceStats: province?.[1] ?? '',
    provinceRatings: province?.[2] ?? '',
    receiptDir: one(/window 02 receipts\s+(\S+)/),
  };
}
