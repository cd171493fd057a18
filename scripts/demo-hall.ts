/**
 * The demo hall on one machine (README's first command): the hall gateway with its embedded broker
 * and a first hall-IT account, three windows with their staff, and an enrolled evaluator device per
 * window with simulated citizens rating on their own; then the addresses to open. Window 01 has a
 * rating panel (the real firmware on the virtual panel, scripts/lib/demo-panel.ts): its staff logs
 * in with the badge on the panel and its citizens press the panel's buttons; keys typed at the
 * terminal press them too. Data lives in .demo/ (wiped at each start), each process's log in
 * .demo/logs/ (JSON lines, printed at the end where). Ctrl-C stops everything.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT, startDevice, type RunningDevice } from './lib/device-process.js';
import { spawnSync } from 'node:child_process';
import { ADMIN, startGateway, writeGatewayConfig } from './lib/gateway-process.js';
import { ProvinceSim } from './province-sim/sim-server.js';
import { DemoPanel } from './lib/demo-panel.js';

const DEMO_DIR = join(REPO_ROOT, '.demo');
const LOG_DIR = join(DEMO_DIR, 'logs');
const WINDOWS = [
  { number: '01', department: '市场监管局', staff: { staffId: 's-001', staffNo: 'A001', name: '张晓梅', post: '综合受理', title: '科员', badgeUids: ['0A1B2C3D4E'] } },
  { number: '02', department: '不动产登记中心', staff: { staffId: 's-002', staffNo: 'A002', name: '李建国', post: '不动产登记', title: '副科长', badgeUids: ['0A1B2C3D4F'] } },
  { number: '03', department: '人力资源和社会保障局', staff: { staffId: 's-003', staffNo: 'A003', name: '王芳', post: '社保经办', title: '科员', badgeUids: ['0A1B2C3D50'] } },
];

/** The demo's console logins for the other roles (docs/CONSOLE.md "Who sees what"). */
const DEMO_ACCOUNTS = [
  { label: 'manager', username: 'manager', password: 'demo-manager-2026', role: 'manager', displayName: '钱主任' },
  { label: 'department head (不动产登记中心)', username: 'dept-head', password: 'demo-depthead-2026', role: 'dept-head', displayName: '孙科长' },
  { label: 'supervisor', username: 'supervisor', password: 'demo-supervisor-2026', role: 'supervisor', displayName: '李监督' },
  { label: 'auditor', username: 'auditor', password: 'demo-auditor-2026', role: 'auditor', displayName: '周审计' },
] as const;

rmSync(DEMO_DIR, { recursive: true, force: true });
mkdirSync(DEMO_DIR, { recursive: true });
const gwDir = join(DEMO_DIR, 'gateway');
// The provincial 好差评 system, simulated (faults on demand at its /admin/faults).
const PROVINCE_KEY = 'demo-province-shared-key';
const province = new ProvinceSim({ key: PROVINCE_KEY, dbFile: join(DEMO_DIR, 'province.db'), port: 0 });
const provinceUrl = await province.start();
const gwConfig = writeGatewayConfig(gwDir, {
  logLevel: 'info',
  province: { url: `${provinceUrl}/province/ratings`, appId: 'hcp-demo', key: PROVINCE_KEY, areaCode: '131000', deptCode: 'LF-ZWFW' },
});
const businessKey = spawnSync(
  process.execPath,
  ['--import', 'tsx', join(REPO_ROOT, 'gateway/main.ts'), 'create-business-key', '--config', gwConfig, '--user', 'demo-business-system'],
  { cwd: REPO_ROOT },
)
  .stdout.toString()
  .trim();
const gateway = await startGateway(gwConfig, join(gwDir, 'data'), { logFile: join(LOG_DIR, 'gateway.log') });
const devices: RunningDevice[] = [];
// Window 01's panel: powered before its device starts, as at a real window.
const panel = new DemoPanel(join(DEMO_DIR, 'dev-lf-01'), WINDOWS[0]!.staff.badgeUids[0]!);
mkdirSync(join(DEMO_DIR, 'dev-lf-01'), { recursive: true });
await panel.start();
for (const w of WINDOWS) {
  const deviceId = `dev-lf-${w.number}`;
  const windowId = `w-${w.number}`;
  // What hall IT does in the console: the window, its staff, and a device with its enrolment code.
  await gateway.api('PUT', '/api/windows', { windowId, number: w.number, department: w.department });
  await gateway.api('PUT', '/api/staff', { ...w.staff, windowId });
  const { code } = (await gateway.api('POST', '/api/devices', { deviceId, windowId })).body as { code: string };
  const withPanel = w.number === '01';
  devices.push(
    await startDevice({
      deviceId,
      dir: join(DEMO_DIR, deviceId),
      logFile: join(LOG_DIR, `${deviceId}.log`),
      config: {
        logLevel: 'info',
        // Used only until the gateway's config for this device arrives.
        bootstrap: { hallName: '廊坊市政务服务中心', window: { id: windowId, number: w.number, department: w.department }, roster: [] },
        gateway: { url: gateway.http, mqttUrl: gateway.mqttUrl, enrolmentCode: code },
        // Window 01's citizens use its panel; the others are simulated inside their devices.
        ...(withPanel ? { hardware: panel.hardwareConfig() } : { simulator: { enabled: true, ratingsPerMinute: 6 } }),
      },
    }),
  );
}

// One console account per role besides hall IT, as hall IT would make them (console → 账号).
const windowsNow = (await gateway.api('GET', '/api/windows')).body as Array<{ number: string; departmentId: string }>;
const headOf = windowsNow.find((w) => w.number === '02')!.departmentId;
for (const a of DEMO_ACCOUNTS) await gateway.api('PUT', '/api/accounts', { ...a, ...(a.role === 'dept-head' ? { departmentId: headOf } : {}) });

console.log('\nhcp demo hall is running. Open:');
console.log(`  console           ${gateway.http}/   logins (user / password):`);
console.log(`                    hall IT ${ADMIN.username} / ${ADMIN.password}`);
for (const a of DEMO_ACCOUNTS) console.log(`                    ${a.label} ${a.username} / ${a.password}`);
console.log(`  API docs          ${gateway.http}/docs   (the same logins; /openapi.json for scripts)`);
console.log(
  `  post a case       curl -X POST ${gateway.http}/api/cases -H 'content-type: application/json' -H 'x-api-key: ${businessKey}' -d '{"caseNo":"LF-2026-0001","windowNumber":"01","itemCode":"11131000MB0001","itemName":"个体工商户注册登记"}'`,
);
console.log(`  province sim      ${provinceUrl}/admin/stats   ${provinceUrl}/admin/ratings`);
console.log(
  `  live counts       curl -s -X POST ${gateway.http}/api/login -H 'content-type: application/json' -d '{"username":"${ADMIN.username}","password":"${ADMIN.password}"}'  then  GET ${gateway.http}/api/counts`,
);
for (const [i, d] of devices.entries()) {
  console.log(`  window ${WINDOWS[i]!.number} kiosk     ${d.url}/#token=${d.token}`);
  console.log(`  window ${WINDOWS[i]!.number} status    curl -H 'authorization: Bearer ${d.token}' ${d.url}/api/status`);
}
console.log(`  verify a device  npm run device:verify -- --data-dir ${devices[0]!.dataDir}`);
const logFiles = ['gateway', ...devices.map((_, i) => `dev-lf-${WINDOWS[i]!.number}`)].map((n) => relative(process.cwd(), join(LOG_DIR, `${n}.log`)));
console.log(`  logs              ${logFiles.join('  ')}`);
console.log(`                    JSON lines; to follow one: tail -f ${logFiles[0]} | npx pino-pretty`);
console.log(`  window 01 panel   ${panel.linkPath} → ${panel.panel.pty}  (virtual panel running the hcp-panel firmware)`);
console.log('  type here: 1-5 presses a level on window 01\'s panel, r "please rate", b the staff badge, a simulated citizens on/off');
console.log('Ctrl-C to stop.');
void panel.serve(devices[0]!);
panel.listenToKeyboard(process.stdin, (line) => console.log(`  panel: ${line}`));

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await Promise.all(devices.map((d) => d.stop()));
  await panel.stop();
  await gateway.stop();
  await province.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
