/**
 * The demo hall on one machine (README's first command): the hall gateway with its embedded broker
 * and a first hall-IT account, four windows with their staff, and an enrolled evaluator device per
 * window; the simulated province and SMS provider; then the addresses to open (demo-print.ts).
 * Window 01 has a rating panel (the real firmware on the virtual panel, scripts/lib/demo-panel.ts):
 * its staff logs in with the badge on the panel and its citizens press the panel's buttons; keys
 * typed at the terminal press them too. Windows 02 and 03 have simulated citizens; window 02 prints
 * a receipt after each rating (the capture adapter, into receipts/). Window 04 has nobody rating on
 * their own: there the visitor is the citizen (its kiosk, the phone page, the SMS invitation).
 * Every kiosk's QR codes open the phone page on this gateway (`hall.qrBaseUrl` is its own address).
 * Data lives in .demo/ (or HCP_DEMO_DIR; wiped at each start), each process's log in logs/ there.
 * Ctrl-C stops everything.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DemoPanel } from './lib/demo-panel.js';
import { DEMO_ACCOUNTS, DEMO_WINDOWS, PAPER_CARD_PF, printDemo, SMS_DELAY_SEC } from './lib/demo-print.js';
import { prepareDemoDir } from './lib/demo-dir.js';
import { DemoSms } from './lib/demo-sms.js';
import { REPO_ROOT, startDevice, type RunningDevice } from './lib/device-process.js';
import { freePort } from './lib/free-port.js';
import { startGateway, writeGatewayConfig } from './lib/gateway-process.js';
import { ProvinceSim } from './province-sim/sim-server.js';

let stopping = false;
const DEMO_DIR = prepareDemoDir(REPO_ROOT, process.env.HCP_DEMO_DIR);
const LOG_DIR = join(DEMO_DIR, 'logs');
const RECEIPT_DIR = join(DEMO_DIR, 'receipts');
const gwDir = join(DEMO_DIR, 'gateway');
// The provincial 好差评 system, simulated (faults on demand at its /admin/faults), and the SMS provider.
const PROVINCE_KEY = 'demo-province-shared-key';
const province = new ProvinceSim({ key: PROVINCE_KEY, dbFile: join(DEMO_DIR, 'province.db'), port: 0 });
const sms = new DemoSms();
const [provinceUrl] = await Promise.all([province.start(), sms.start()]);
// Phones reach the kiosks' QR codes at the gateway's own address; it must be known before the
// gateway starts (the codes are built from the config), so the port is chosen here.
const hallUrl = `http://127.0.0.1:${await freePort()}`;
const gwConfig = writeGatewayConfig(gwDir, {
  logLevel: 'info',
  http: { host: '127.0.0.1', port: Number(new URL(hallUrl).port) },
  hall: { hallName: '廊坊市政务服务中心', qrBaseUrl: hallUrl },
  // No province's code for a paper card has been seen (reference/config.ts); the simulated province takes any.
  province: { url: `${provinceUrl}/province/ratings`, appId: 'hcp-demo', key: PROVINCE_KEY, areaCode: '131000', deptCode: 'LF-ZWFW', pf: { 'paper-card': PAPER_CARD_PF } },
  sms: sms.gatewaySection(SMS_DELAY_SEC),
});
const businessKey = spawnSync(
  process.execPath,
  ['--import', 'tsx', join(REPO_ROOT, 'gateway/main.ts'), 'create-business-key', '--config', gwConfig, '--user', 'demo-business-system'],
  { cwd: REPO_ROOT },
)
  .stdout.toString()
  .trim();
const gateway = await startGateway(gwConfig, join(gwDir, 'data'), { logFile: join(LOG_DIR, 'gateway.log') });
sms.connect(gateway.http);
// Window 01's panel: powered before its device starts, as at a real window.
const panelDir = join(DEMO_DIR, 'dev-lf-01');
mkdirSync(panelDir, { recursive: true });
const panel = new DemoPanel(panelDir, DEMO_WINDOWS[0].staff.badgeUids[0]);

// What hall IT does in the console: the windows, their staff, and a device each with its enrolment code.
const codes: string[] = [];
for (const w of DEMO_WINDOWS) {
  await gateway.api('PUT', '/api/windows', { windowId: `w-${w.number}`, number: w.number, department: w.department });
  await gateway.api('PUT', '/api/staff', { ...w.staff, windowId: `w-${w.number}` });
  codes.push(((await gateway.api('POST', '/api/devices', { deviceId: `dev-lf-${w.number}`, windowId: `w-${w.number}` })).body as { code: string }).code);
}
await panel.start();
// The devices start side by side: each is its own program, and starting is mostly compiling.
const devices: RunningDevice[] = await Promise.all(
  DEMO_WINDOWS.map((w, i) =>
    startDevice({
      deviceId: `dev-lf-${w.number}`,
      dir: join(DEMO_DIR, `dev-lf-${w.number}`),
      logFile: join(LOG_DIR, `dev-lf-${w.number}.log`),
      config: {
        logLevel: 'info',
        // Used only until the gateway's config for this device arrives.
        bootstrap: { hallName: '廊坊市政务服务中心', window: { id: `w-${w.number}`, number: w.number, department: w.department }, roster: [] },
        gateway: { url: gateway.http, mqttUrl: gateway.mqttUrl, enrolmentCode: codes[i] },
        ...(w.citizens === 'panel' ? { hardware: panel.hardwareConfig() } : {}),
        ...(w.citizens === 'simulated' ? { simulator: { enabled: true, ratingsPerMinute: 6 } } : {}),
        ...(w.receipts ? { receipt: { adapter: 'capture', dir: RECEIPT_DIR } } : {}),
      },
    }),
  ),
);

// One console account per role besides hall IT, as hall IT would make them (console → 账号).
const windowsNow = (await gateway.api('GET', '/api/windows')).body as Array<{ number: string; departmentId: string }>;
const headOf = windowsNow.find((w) => w.number === '02')!.departmentId;
for (const a of DEMO_ACCOUNTS) await gateway.api('PUT', '/api/accounts', { ...a, ...(a.role === 'dept-head' ? { departmentId: headOf } : {}) });

// Window 04's staff taps in once the gateway's roster reached the device (nobody else will), before
// the block says to post a case there: a device with nobody logged in refuses cases (no-staff).
await badgeIn(devices[3]!, DEMO_WINDOWS[3].staff.badgeUids[0]);
printDemo({ demoDir: DEMO_DIR, logDir: LOG_DIR, receiptDir: RECEIPT_DIR, gateway, devices, businessKey, provinceUrl, smsInbox: sms.inboxUrl, panel });
void panel.serve(devices[0]!);
panel.listenToKeyboard(process.stdin, (line) => console.log(`  panel: ${line}`));
sms.watch((t) => console.log(`  SMS to ${t.to}: ${t.link}`));

async function badgeIn(device: RunningDevice, uid: string): Promise<void> {
  for (let i = 0; i < 60 && !stopping; i++) {
    if ((await device.api('POST', '/api/badge', { uid })).status === 200 && (await device.api('GET', '/api/state')).body.staff) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const stop = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.all(devices.map((d) => d.stop()));
  await panel.stop();
  await gateway.stop();
  await Promise.all([province.stop(), sms.stop()]);
  console.log('hcp demo hall stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void stop());
// A crash must not leave the hall's programs running behind the terminal.
process.on('exit', () => {
  for (const c of [gateway.child, ...devices.map((d) => d.child)]) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
process.on('SIGTERM', () => void stop());
