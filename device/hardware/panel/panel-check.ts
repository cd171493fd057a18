/**
 * Hall IT's check of one panel, without the device runtime: connect over Firmata, say what firmware
 * the board runs, light each LED in turn and beep (a lamp test), then print every button edge and
 * badge read for a while. A technician installing panels runs it once per panel
 * (`npm run panel:check`); it writes nothing anywhere.
 */
import { SerialPort } from 'serialport';
import bindTransport from 'firmata-io';
import { LEVELS, RATING_LEVELS, type RatingLevel } from '../../contract/index.js';
import { decodeNfcUid, NFC_UID_SYSEX } from './panel-sysex.js';
import { PANEL_PINS } from './panel-ipc.js';
import { openButtonSource } from './panel-buttons.js';

export interface PanelCheckOptions {
  path: string;
  baudRate?: number;
  /** How long to listen for presses and badges. */
  listenMs: number;
  lampTest?: boolean;
  out: (line: string) => void;
}

export interface PanelCheckReport {
  firmware: string;
  /** Problems with the board itself (wrong firmware, pins it cannot drive). */
  problems: string[];
  /** Presses seen per button: '5' … '1' and 'rate'. */
  presses: Record<string, number>;
  badges: string[];
}

const BUTTONS: Array<{ name: string; pin: number; label: string }> = [
  ...RATING_LEVELS.map((l: RatingLevel) => ({ name: String(l), pin: PANEL_PINS.levelButtons[l], label: `${l} ${LEVELS[l].zh}` })),
  { name: 'rate', pin: PANEL_PINS.pleaseRateButton, label: 'please rate 请评价' },
];
const LEDS = [...RATING_LEVELS.map((l: RatingLevel) => ({ pin: PANEL_PINS.levelLeds[l], label: `LED ${l}` })), { pin: PANEL_PINS.pleaseRateLed, label: 'LED please rate' }];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CheckIo {
  firmware: { name?: string; version?: { major: number; minor: number } };
  version: { major?: number; minor?: number };
  MODES: Record<string, number>;
  pins: Array<{ supportedModes?: number[] }>;
  pinMode(pin: number, mode: number): void;
  digitalWrite(pin: number, value: 0 | 1): void;
  sysexResponse(command: number, handler: (payload: number[]) => void): void;
  on(event: string, listener: (...args: never[]) => void): void;
  once(event: string, listener: () => void): void;
}

export async function runPanelCheck(o: PanelCheckOptions): Promise<PanelCheckReport> {
  const port = new SerialPort({ path: o.path, baudRate: o.baudRate ?? 57600, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((err) => (err ? rej(new Error(`cannot open ${o.path}: ${err.message}`)) : res())));
  const report: PanelCheckReport = { firmware: 'unknown', problems: [], presses: Object.fromEntries(BUTTONS.map((b) => [b.name, 0])), badges: [] };
  try {
    const io = new bindTransport.Firmata(port, { reportVersionTimeout: 300 }) as unknown as CheckIo;
    await new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`no Firmata answer from ${o.path} in 15 s: is it a panel, at 57600 baud?`)), 15_000);
      io.once('ready', () => {
        clearTimeout(timer);
        res();
      });
    });
    const fw = io.firmware;
    const ours = fw.name === 'hcp-panel';
    report.firmware = `${fw.name ?? '?'} ${fw.version?.major ?? '?'}.${fw.version?.minor ?? '?'} (Firmata ${io.version.major}.${io.version.minor})`;
    o.out(`board: ${report.firmware}${ours ? '' : ' — not hcp-panel: no badge reader on the panel, no checked button events'}`);
    io.on('string', ((text: string) => o.out(`board says: ${text}`)) as never);
    const OUTPUT = io.MODES.OUTPUT!;
    for (const { pin, label } of [...LEDS, { pin: PANEL_PINS.buzzer, label: 'buzzer' }]) {
      if (!io.pins[pin]?.supportedModes?.includes(OUTPUT)) report.problems.push(`${label} (D${pin}) cannot be an output on this board`);
    }
    for (const p of report.problems) o.out(`PROBLEM: ${p}`);

    const onEdge = (pin: number, level: number) => {
      const b = BUTTONS.find((x) => x.pin === pin);
      if (!b) return;
      if (level === 0) report.presses[b.name]! += 1;
      o.out(`button ${b.label} (D${pin}) ${level === 0 ? 'pressed' : 'released'}`);
    };
    const source = await openButtonSource(
      io as never,
      BUTTONS.map((b) => b.pin),
      {
        onRefused: (problem) => o.out(`malformed message (${problem}): a bad cable?`),
        onLost: (loss) => o.out(`${loss.missed} button event(s) lost on the line${loss.pressLost ? ', a press among them' : ''}: a bad cable?`),
      },
    );
    if (ours) {
      io.sysexResponse(NFC_UID_SYSEX, (payload) => {
        const d = decodeNfcUid(payload);
        if ('uid' in d) {
          report.badges.push(d.uid);
          o.out(`badge ${d.uid}`);
        } else o.out(`malformed badge read (${d.problem}): a bad cable?`);
      });
    }
    for (const b of BUTTONS) source.watch(b.pin, (level) => onEdge(b.pin, level));

    if (o.lampTest ?? true) {
      o.out('lamp test: each LED for half a second, then a beep');
      for (const { pin } of [...LEDS, { pin: PANEL_PINS.buzzer }]) io.pinMode(pin, OUTPUT);
      for (const { pin, label } of LEDS) {
        io.digitalWrite(pin, 1);
        o.out(`  ${label} on`);
        await sleep(500);
        io.digitalWrite(pin, 0);
      }
      io.digitalWrite(PANEL_PINS.buzzer, 1);
      await sleep(200);
      io.digitalWrite(PANEL_PINS.buzzer, 0);
    }
    o.out(`press every button and tap a badge (${Math.round(o.listenMs / 1000)} s)…`);
    await sleep(o.listenMs);
    const silent = BUTTONS.filter((b) => report.presses[b.name] === 0).map((b) => b.label);
    o.out(silent.length ? `not pressed: ${silent.join(', ')}` : 'every button was pressed');
    o.out(`badges read: ${report.badges.length}`);
    return report;
  } finally {
    await new Promise<void>((res) => (port.isOpen ? port.close(() => res()) : res()));
  }
}
