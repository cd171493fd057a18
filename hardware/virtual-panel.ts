/**
 * The virtual rating panel from Node: runs hardware/build/virtual-panel (the simavr harness, with
 * the real firmware ELF or a stock StandardFirmata hex) as a child process, and drives it through
 * its control channel (stdin commands, stdout JSON events; hardware/sim/virtual-panel.c).
 *
 * start() is power on, stop() power off (the USB tty goes with it); cable(false|true) pulls and
 * replugs the USB cable of a panel that keeps power. `linkPath`, when given, is kept pointing at
 * the current tty the way udev keeps /dev/serial/by-id/… : there while plugged, gone while not;
 * as a function of the plug count it names a new link at each plug, as a tty can come back as
 * ttyACM1 after ttyACM0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const HARDWARE_DIR = dirname(fileURLToPath(import.meta.url));
export const HARNESS_PATH = join(HARDWARE_DIR, 'build', 'virtual-panel');
export const FIRMWARE = {
  'hcp-panel': join(HARDWARE_DIR, 'build', 'hcp-panel.elf'),
  /** Stock StandardFirmata for the Mega (`make -C hardware standard-firmata`): a plain Arduino. */
  'standard-firmata': join(HARDWARE_DIR, 'build', 'StandardFirmata-mega.hex'),
} as const;

export type PanelButton = '5' | '4' | '3' | '2' | '1' | 'rate';
export type PanelOutput = 'led5' | 'led4' | 'led3' | 'led2' | 'led1' | 'led-rate' | 'buzzer' | 'status';

/** What the harness prints, one JSON object a line. Times: wall clock and simulated, in µs. */
const Stamp = { wall_us: z.number(), sim_us: z.number() };
export const HarnessEventSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('ready'), pty: z.string(), mcu: z.string(), firmware: z.string(), ...Stamp }),
  z.object({ event: z.literal('ok'), command: z.string(), ...Stamp }),
  z.object({ event: z.literal('error'), command: z.string(), message: z.string(), ...Stamp }),
  z.object({ event: z.literal('button'), name: z.string(), pin: z.number(), down: z.boolean(), ...Stamp }),
  z.object({ event: z.literal('pin'), name: z.string(), pin: z.number(), value: z.number(), ...Stamp }),
  z.object({ event: z.literal('host'), open: z.boolean(), ...Stamp }),
  z.object({ event: z.literal('cable'), plugged: z.boolean(), pty: z.string().optional(), ...Stamp }),
  z.object({ event: z.literal('state'), pty: z.string(), hostOpen: z.boolean(), lostToHost: z.number(), ...Stamp }).passthrough(),
  z.object({ event: z.literal('halted'), state: z.string(), ...Stamp }),
  z.object({ event: z.literal('bye'), ...Stamp }),
]);
export type HarnessEvent = z.infer<typeof HarnessEventSchema>;
export type PinEvent = Extract<HarnessEvent, { event: 'pin' }>;
export type ButtonEvent = Extract<HarnessEvent, { event: 'button' }>;
type OkEvent = Extract<HarnessEvent, { event: 'ok' }>;

export interface VirtualPanelOptions {
  /** `hcp-panel` (our firmware, default), `standard-firmata`, or a path to an ELF or hex file. */
  firmware?: keyof typeof FIRMWARE | string;
  /** A path kept linked to the current tty while the cable is in (like /dev/serial/by-id/…), or one per plug. */
  linkPath?: string | ((plug: number) => string);
  /** Called with each harness line that is not an event (simavr's own chatter), for debugging. */
  onChatter?: (line: string) => void;
  /** Keep every pin and button event in `pinEvents`/`buttonEvents` (tests); false for long runs (the demo). */
  keepEvents?: boolean;
}

export class VirtualPanelError extends Error {
  readonly code = 'virtual-panel';
}

export class VirtualPanel extends EventEmitter<{ event: [HarnessEvent] }> {
  private child: ChildProcess | null = null;
  private pending: Array<{ command: string; resolve: (ok: OkEvent) => void; reject: (err: Error) => void }> = [];
  private exited: Promise<void> = Promise.resolve();
  /** The tty the evaluator device opens now; null while unplugged or off. */
  pty: string | null = null;
  /** The link to it (`linkPath`), or the tty itself; null while unplugged or off. */
  path: string | null = null;
  private plugs = 0;
  /** Every pin change since power on, in order (LEDs, buzzer). */
  readonly pinEvents: PinEvent[] = [];
  readonly buttonEvents: ButtonEvent[] = [];
  private readonly outputs = new Map<string, number>();
  /** Buttons held down now (kept whatever `keepEvents` says: `settle()` reads it). */
  private readonly buttonsDown = new Set<string>();
  /** When the last card went on the reader, by the caller's clock (ms) and the panel's (µs). */
  private lastCard: { callerMs: number; simUs: number } | null = null;

  constructor(private readonly o: VirtualPanelOptions = {}) {
    super();
  }

  get firmwarePath(): string {
    const f = this.o.firmware ?? 'hcp-panel';
    return f in FIRMWARE ? FIRMWARE[f as keyof typeof FIRMWARE] : resolve(f);
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Power on: the firmware boots and the USB tty appears. */
  async start(): Promise<void> {
    if (this.child) return;
    for (const file of [HARNESS_PATH, this.firmwarePath]) {
      if (!existsSync(file)) throw new VirtualPanelError(`${file} is missing: run \`make -C hardware\` (bash scripts/setup.sh does)`);
    }
    this.pinEvents.length = 0;
    this.buttonEvents.length = 0;
    this.outputs.clear();
    this.buttonsDown.clear();
    this.lastCard = null; // the panel's clock starts again at power on
    const child = spawn(HARNESS_PATH, ['--firmware', this.firmwarePath], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = new Promise((res) => child.once('exit', () => res()));
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.stdin!.on('error', () => {}); // the harness exiting first is reported by 'exit'
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    child.once('exit', (code, signal) => {
      this.child = null;
      this.setPty(null);
      for (const p of this.pending.splice(0)) p.reject(new VirtualPanelError(`virtual panel exited (${code ?? signal}) during ${p.command}: ${stderr}`));
    });
    const ready = await Promise.race([
      this.next((e) => e.event === 'ready', 10_000),
      this.exited.then(() => {
        throw new VirtualPanelError(`virtual panel did not start: ${stderr}`);
      }),
    ]);
    this.setPty((ready as Extract<HarnessEvent, { event: 'ready' }>).pty);
  }

  /** Power off: the board stops and its tty disappears. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.stdin!.end(); // end of the control channel ends the harness
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Send one control command and wait for its answer. */
  async command(line: string): Promise<void> {
    await this.script([line]);
  }

  /**
   * Several commands in one write, so the simulator reads them together and applies them back to
   * back, with any `wait`s between them in simulated time: their spacing on the panel is what the
   * script says, whatever the load on the host (a contact's bounce, say). Resolves when the last
   * is answered; rejects with the first error.
   */
  async script(lines: readonly string[]): Promise<void> {
    await this.send(lines);
  }

  /** Write the lines at once; their answers, in order. */
  private async send(lines: readonly string[]): Promise<OkEvent[]> {
    const child = this.child;
    if (!child) throw new VirtualPanelError(`virtual panel is off: ${lines[0] ?? ''}`);
    const answers = lines.map((line) => {
      const command = line.split(' ')[0]!;
      return new Promise<OkEvent>((resolve, reject) => this.pending.push({ command, resolve, reject }));
    });
    child.stdin!.write(lines.map((l) => `${l}\n`).join(''));
    return Promise.all(answers);
  }

  /**
   * Let `ms` of simulated time pass on the panel (fractions of a millisecond allowed). Commands sent
   * after it are applied after it. What a test means by "wait until the firmware has had time to
   * …": the simulator can run behind the wall clock on a loaded host, so a wall-clock sleep may be
   * less time on the panel (issue 10).
   */
  wait(ms: number): Promise<void> {
    return this.command(`wait ${ms}`);
  }

  press(button: PanelButton, ms = 100): Promise<void> {
    return this.command(`press ${button} ${ms}`);
  }
  down(button: PanelButton): Promise<void> {
    return this.command(`down ${button}`);
  }
  up(button: PanelButton): Promise<void> {
    return this.command(`up ${button}`);
  }
  /**
   * A badge on the reader for `ms` (the module repeats its frame every 100 ms meanwhile). It goes on
   * no sooner after the last one by the panel's clock than by the caller's: the firmware takes a
   * card for a new tap only after 600 ms of its own time without it, and a caller that spaces its
   * taps by the wall clock (the rig's tapBadge) would otherwise, whenever a loaded host let the
   * simulator fall behind, tap a card the firmware still sees (issue 10).
   */
  async card(id: string, ms = 300): Promise<void> {
    const callerMs = performance.now();
    const last = this.lastCard;
    const spaced = last ? [`until ${(last.simUs / 1000 + (callerMs - last.callerMs)).toFixed(3)}`] : [];
    const answers = await this.send([...spaced, `card ${id} ${ms}`]);
    this.lastCard = { callerMs, simUs: answers.at(-1)!.sim_us };
  }
  lift(): Promise<void> {
    return this.command('lift');
  }
  /** The reader wired to the panel (true) or pulled off it (false). */
  reader(attached: boolean): Promise<void> {
    return this.command(`reader ${attached ? 'on' : 'off'}`);
  }
  readerBytes(bytes: Uint8Array): Promise<void> {
    return this.command(`reader-bytes ${Buffer.from(bytes).toString('hex')}`);
  }
  /** Bytes on the USB line as if the board had sent them (noise toward the device). */
  hostBytes(bytes: Uint8Array): Promise<void> {
    return this.command(`host-bytes ${Buffer.from(bytes).toString('hex')}`);
  }
  /** The board's next `count` bytes toward the device are lost on the line (a flaky USB link). */
  hostDrop(count: number): Promise<void> {
    return this.command(`host-drop ${count}`);
  }
  /** Bytes on the USB line as if the device had sent them (noise toward the firmware). */
  boardBytes(bytes: Uint8Array): Promise<void> {
    return this.command(`board-bytes ${Buffer.from(bytes).toString('hex')}`);
  }
  /** Pull (false) or replug (true) the USB cable; the board keeps power. Replugged, the tty is a new one. */
  async cable(plugged: boolean): Promise<void> {
    const answer = this.next((e) => e.event === 'cable', 5000);
    await this.command(`cable ${plugged ? 'on' : 'off'}`);
    const e = (await answer) as Extract<HarnessEvent, { event: 'cable' }>;
    this.setPty(e.plugged ? (e.pty ?? null) : null);
  }

  /**
   * Wait until every button is up, then `gapMs` more of simulated time: a press that follows a
   * release sooner than the firmware's debounce time is the same press bouncing, as it would be on
   * a real panel. The gap is the panel's time, not the wall clock's: on a loaded host the simulator
   * runs behind, and a gap measured on the wall clock could be none at all on the panel (issue 10).
   */
  async settle(gapMs = 25): Promise<void> {
    while (this.buttonsDown.size > 0) await new Promise((r) => setTimeout(r, 5));
    await this.wait(gapMs);
  }

  /** The output's level now (0 before the firmware first drove it). */
  output(name: PanelOutput): number {
    return this.outputs.get(name) ?? 0;
  }

  /** The next event matching `match` (from now on), or a timeout error. */
  next(match: (e: HarnessEvent) => boolean, timeoutMs: number): Promise<HarnessEvent> {
    return new Promise((res, rej) => {
      const timer = setTimeout(() => {
        this.off('event', listener);
        rej(new VirtualPanelError(`no matching virtual panel event in ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (e: HarnessEvent) => {
        if (!match(e)) return;
        clearTimeout(timer);
        this.off('event', listener);
        res(e);
      };
      this.on('event', listener);
    });
  }

  private onLine(line: string): void {
    if (!line.startsWith('{')) return void this.o.onChatter?.(line);
    const parsed = HarnessEventSchema.safeParse(JSON.parse(line));
    if (!parsed.success) return void this.o.onChatter?.(line);
    const e = parsed.data;
    if (e.event === 'ok' || e.event === 'error') {
      const p = this.pending.shift();
      if (e.event === 'ok') p?.resolve(e);
      else p?.reject(new VirtualPanelError(`${e.command}: ${e.message}`));
    } else if (e.event === 'pin') {
      this.outputs.set(e.name, e.value);
      if (this.o.keepEvents !== false) this.pinEvents.push(e);
    } else if (e.event === 'button') {
      if (e.down) this.buttonsDown.add(e.name);
      else this.buttonsDown.delete(e.name);
      if (this.o.keepEvents !== false) this.buttonEvents.push(e);
    }
    this.emit('event', e);
  }

  private setPty(pty: string | null): void {
    const old = this.path;
    this.pty = pty;
    const linkPath = this.o.linkPath;
    if (!linkPath) return void (this.path = pty);
    if (pty === null) {
      if (old) rmSync(old, { force: true });
      this.path = null;
      return;
    }
    this.plugs += 1;
    const link = typeof linkPath === 'string' ? linkPath : linkPath(this.plugs);
    if (old && old !== link) rmSync(old, { force: true });
    // Replace atomically: a reader of the link never sees it missing while plugged.
    const tmp = `${link}.tmp-${process.pid}`;
    rmSync(tmp, { force: true });
    symlinkSync(pty, tmp);
    renameSync(tmp, link);
    this.path = link;
  }
}
