/**
 * The panel worker: a child process that owns the panel's serial port and drives the board with
 * johnny-five over Firmata. johnny-five cannot reconnect a board in-process (and keeps global
 * board state), so when the link is lost this process exits and the supervisor in the device
 * program starts a fresh one (panel-supervisor.ts). Reports and commands: panel-ipc.ts.
 *
 * Settings arrive as JSON in HCP_PANEL_WORKER. Logs go to stderr; stdout is the device program's.
 */
import pino from 'pino';
import { SerialPort } from 'serialport';
import bindTransport from 'firmata-io';
import five from 'johnny-five';
import { watchDeviceNode } from '../device-node-watch.js';
import { LogThrottle } from '../log-throttle.js';
import { buttonController, openButtonSource } from './panel-buttons.js';
import { decodeNfcUid, NFC_UID_SYSEX } from './panel-sysex.js';
import { PANEL_BUTTON_PINS, PANEL_PINS, PanelCommandSchema, PanelWorkerSettingsSchema, type PanelCommand, type PanelReport } from './panel-ipc.js';

const settings = PanelWorkerSettingsSchema.parse(JSON.parse(process.env.HCP_PANEL_WORKER ?? '{}'));
const log = pino({ name: 'hcp-panel-worker', level: settings.logLevel }, pino.destination({ dest: 2, sync: true }));
const { Firmata } = bindTransport;
const LEVELS = [5, 4, 3, 2, 1] as const;

const send = (r: PanelReport) => process.send?.(r);
let port: SerialPort | null = null;
let ending = false;

/** Give up the link: tell the supervisor why, close the port (awaited), exit. */
async function end(reason: string, code: number): Promise<never> {
  if (!ending) {
    ending = true;
    if (code !== 0) send({ t: 'lost', reason });
    log.info({ reason }, 'panel worker ending');
    if (port?.isOpen) await new Promise<void>((res) => port!.close(() => res()));
  }
  // Let the IPC message leave before exiting.
  setImmediate(() => process.exit(code));
  return new Promise<never>(() => {});
}

// The device program went away: nobody to report to, and the port must be freed.
process.on('disconnect', () => void end('parent gone', 0));
// firmata.js acting on garbage from the line (a capability answer made of noise, say) can throw:
// this link is then untrustworthy, and a fresh worker starts clean.
process.on('uncaughtException', (err) => void end(`worker error: ${err.message}`, 7));

async function openPort(): Promise<SerialPort> {
  const p = new SerialPort({ path: settings.path, baudRate: settings.baudRate, autoOpen: false });
  await new Promise<void>((res, rej) => p.open((err) => (err ? rej(err) : res())));
  return p;
}

try {
  port = await openPort();
} catch (err) {
  await end(`cannot open ${settings.path}: ${(err as Error).message}`, 3);
}
port!.on('close', () => void end('port closed (unplugged?)', 4));
port!.on('error', (err) => void end(`port error: ${err.message}`, 4));
watchDeviceNode(settings.path, (why) => void end(`unplugged: ${why}`, 4));

const handshake = setTimeout(() => void end(`no Firmata handshake in ${settings.handshakeTimeoutMs} ms`, 5), settings.handshakeTimeoutMs);
// A board that reset on open (DTR) announces its version by itself; one that did not (simavr, an
// already-running board) is asked after a short wait instead of firmata.js's default 5 s.
const io = new Firmata(port!, { reportVersionTimeout: 300 });
io.once('ready', () => {
  clearTimeout(handshake);
  const board = new five.Board({ io, repl: false, sigint: false, debug: false });
  board.once('ready', () => void setUp(board));
});

async function setUp(board: InstanceType<typeof five.Board>): Promise<void> {
  // Drive the board by what it says it runs, not by what the config expects: a panel flashed with
  // the wrong firmware keeps its buttons working, and hall IT is told.
  const ours = io.firmware.name === 'hcp-panel';
  if (ours !== (settings.firmware === 'hcp-panel')) {
    log.error(
      { configured: settings.firmware, board: io.firmware.name },
      'the panel runs other firmware than hardware.panel.firmware says: fix the config or flash the panel (hardware/README.md)',
    );
  }
  const refused = (what: string) => send({ t: 'refused', what });
  const source = await openButtonSource(io, PANEL_BUTTON_PINS, { onRefused: refused, onLost: (loss) => send({ t: 'events-lost', ...loss }) });
  // A press of hcp-panel is each checked down edge, as it arrives: the board has debounced it, and
  // johnny-five's Button would debounce again by arrival time, dropping a press whose release a busy
  // host read in the same chunk (issue 10). A plain board's port reports are raw: johnny-five's
  // Button debounces those.
  const whenPressed = (pin: number, report: PanelReport) => {
    if (source.debounced) source.watch(pin, (level) => level === 0 && send(report));
    else new five.Button({ pin, board, isPullup: true, controller: buttonController(source) }).on('press', () => send(report));
  };
  for (const level of LEVELS) whenPressed(PANEL_PINS.levelButtons[level], { t: 'press', level });
  whenPressed(PANEL_PINS.pleaseRateButton, { t: 'please-rate' });

  const levelLeds = new Map(LEVELS.map((l) => [l, new five.Led({ pin: PANEL_PINS.levelLeds[l], board })]));
  const pleaseRateLed = new five.Led({ pin: PANEL_PINS.pleaseRateLed, board });
  // An active buzzer (built-in oscillator): a beep is the pin held high. johnny-five's default Piezo
  // controller would toggle the pin from the host at audio rate, flooding the 57600-baud link.
  let beepTimer: NodeJS.Timeout | null = null;
  const buzzer = new five.Piezo({
    pin: PANEL_PINS.buzzer,
    board,
    controller: {
      initialize: {
        value() {
          io.pinMode(PANEL_PINS.buzzer, io.MODES.OUTPUT!);
        },
      },
      tone: {
        value(_tone: number, ms: number) {
          if (beepTimer) clearTimeout(beepTimer);
          io.digitalWrite(PANEL_PINS.buzzer, 1);
          beepTimer = setTimeout(() => io.digitalWrite(PANEL_PINS.buzzer, 0), ms);
        },
      },
      noTone: {
        value() {
          if (beepTimer) clearTimeout(beepTimer);
          io.digitalWrite(PANEL_PINS.buzzer, 0);
        },
      },
    },
  });

  if (ours) {
    io.sysexResponse(NFC_UID_SYSEX, (payload) => {
      const decoded = decodeNfcUid(payload);
      if ('uid' in decoded) send({ t: 'badge', uid: decoded.uid });
      else refused(decoded.problem);
    });
  }
  // The firmware's own lines (hcp-panel: its start and reset cause, refused requests).
  const saysLog = new LogThrottle(5000);
  io.on('string', (text: string) => saysLog.hit((skipped) => log.info({ firmware: text.slice(0, 120), alsoSince: skipped }, 'panel says')));

  let pleaseRateState: 'off' | 'on' | 'blink' = 'off';
  const apply = (cmd: PanelCommand) => {
    switch (cmd.t) {
      case 'leds':
        for (const [level, led] of levelLeds) cmd.levels.includes(level) ? led.on() : led.stop().off();
        if (cmd.pleaseRate !== pleaseRateState) {
          pleaseRateState = cmd.pleaseRate;
          if (cmd.pleaseRate === 'blink')
            pleaseRateLed.on().blink(400); // lit at once, then blinking
          else if (cmd.pleaseRate === 'on') pleaseRateLed.stop().on();
          else pleaseRateLed.stop().off();
        }
        return;
      case 'beep':
        buzzer.frequency(2000, cmd.ms);
        return;
      case 'close':
        for (const led of [...levelLeds.values(), pleaseRateLed]) led.stop().off();
        buzzer.noTone();
        // Let the writes reach the board before the port closes.
        port!.drain(() => void end('closed by the device program', 0));
        return;
    }
  };
  process.on('message', (raw) => {
    const cmd = PanelCommandSchema.safeParse(raw);
    if (cmd.success) apply(cmd.data);
    else log.warn({ problem: cmd.error.issues[0]?.message }, 'refused a panel command');
  });

  // Heartbeat: a board that stopped answering (crashed firmware, a hub that kept the tty) is a
  // lost link. On StandardFirmata each beat also re-asserts the button pins' mode and reporting,
  // so line noise that the firmware took for commands cannot leave the buttons deaf; hcp-panel
  // refuses such commands on button pins and reports every edge whatever the host asked.
  let answered = true;
  setInterval(() => {
    if (!answered) return void end('panel stopped answering version queries', 6);
    answered = false;
    io.reportVersion(() => (answered = true));
    source.reassert();
  }, settings.heartbeatMs).unref();

  const fw = io.firmware;
  send({ t: 'ready', path: settings.path, firmware: fw.name ?? 'unknown', version: fw.version ? `${fw.version.major}.${fw.version.minor}` : 'unknown' });
  log.info({ path: settings.path, firmware: fw.name }, 'panel ready');
}
