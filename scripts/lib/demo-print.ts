/**
 * The demo hall's cast (windows, staff, console accounts) and the block it prints once running:
 * grouped by who would use each address (the console, each window, the business system and the
 * channels around it). test/demo/demo-hall.test.ts reads this block and opens every address.
 */
import { join } from 'node:path';
import type { DemoPanel } from './demo-panel.js';
import { shownPath } from './demo-dir.js';
import type { RunningDevice } from './device-process.js';
import { ADMIN, type RunningGateway } from './gateway-process.js';

/** `citizens`: who rates there — the panel's buttons, the device's simulator, or only the visitor. */
export const DEMO_WINDOWS = [
  {
    number: '01',
    department: '市场监管局',
    citizens: 'panel',
    receipts: false,
    staff: { staffId: 's-001', staffNo: 'A001', name: '张晓梅', post: '综合受理', title: '科员', badgeUids: ['0A1B2C3D4E'] },
  },
  {
    number: '02',
    department: '不动产登记中心',
    citizens: 'simulated',
    receipts: true,
    staff: { staffId: 's-002', staffNo: 'A002', name: '李建国', post: '不动产登记', title: '副科长', badgeUids: ['0A1B2C3D4F'] },
  },
  {
    number: '03',
    department: '人力资源和社会保障局',
    citizens: 'simulated',
    receipts: false,
    staff: { staffId: 's-003', staffNo: 'A003', name: '王芳', post: '社保经办', title: '科员', badgeUids: ['0A1B2C3D50'] },
  },
  {
    number: '04',
    department: '住房公积金管理中心',
    citizens: 'visitor',
    receipts: false,
    staff: { staffId: 's-004', staffNo: 'A004', name: '赵磊', post: '公积金提取', title: '科员', badgeUids: ['0A1B2C3D51'] },
  },
] as const;

/** The demo's console logins for the other roles (docs/CONSOLE.md "Who sees what"). */
export const DEMO_ACCOUNTS = [
  { label: 'manager', username: 'manager', password: 'demo-manager-2026', role: 'manager', displayName: '钱主任' },
  { label: 'department head (不动产登记中心)', username: 'dept-head', password: 'demo-depthead-2026', role: 'dept-head', displayName: '孙科长' },
  { label: 'supervisor', username: 'supervisor', password: 'demo-supervisor-2026', role: 'supervisor', displayName: '李监督' },
  { label: 'auditor', username: 'auditor', password: 'demo-auditor-2026', role: 'auditor', displayName: '周审计' },
] as const;

/** How long after its case an unrated citizen is texted: a day in a hall, seconds here. */
export const SMS_DELAY_SEC = 20;
/** The paper card's channel code sent to the (simulated) province; a real hall sets its province's. */
export const PAPER_CARD_PF = 8;

export interface DemoAddresses {
  demoDir: string;
  logDir: string;
  receiptDir: string;
  gateway: RunningGateway;
  devices: RunningDevice[];
  businessKey: string;
  provinceUrl: string;
  smsInbox: string;
  panel: DemoPanel;
}

const postCase = (gw: string, key: string, body: unknown) => `curl -X POST ${gw}/api/cases -H 'content-type: application/json' -H 'x-api-key: ${key}' -d '${JSON.stringify(body)}'`;

export function printDemo(a: DemoAddresses): void {
  const gw = a.gateway.http;
  const say = (label: string, text: string) => console.log(`  ${label.padEnd(20)}${text}`);
  const more = (text: string) => console.log(`  ${''.padEnd(20)}${text}`);
  console.log(`\nhcp demo hall is running (data in ${shownPath(a.demoDir)}). Open:`);

  console.log('\n The console');
  say('console', `${gw}/   logins (user / password):`);
  more(`hall IT ${ADMIN.username} / ${ADMIN.password}`);
  for (const acc of DEMO_ACCOUNTS) more(`${acc.label} ${acc.username} / ${acc.password}`);
  say('paper cards', `${gw}/#/paper   (manager or department head: print 评议卡, enter the returned ones; they go to the province)`);
  say('API docs', `${gw}/docs   (the same logins; /openapi.json for scripts)`);
  say(
    'live counts',
    `curl -s -X POST ${gw}/api/login -H 'content-type: application/json' -d '{"username":"${ADMIN.username}","password":"${ADMIN.password}"}'  then  GET ${gw}/api/counts`,
  );

  console.log('\n The windows (01 a rating panel, 02 and 03 simulated citizens, 04 nobody but you)');
  for (const [i, d] of a.devices.entries()) {
    const w = DEMO_WINDOWS[i]!;
    say(`window ${w.number} kiosk`, `${d.url}/#token=${d.token}`);
    say(`window ${w.number} phone`, `${gw}/w/w-${w.number}   (the kiosk's QR code: rate from a phone)`);
    say(`window ${w.number} status`, `curl -H 'authorization: Bearer ${d.token}' ${d.url}/api/status`);
  }
  say('window 01 panel', `${shownPath(a.panel.linkPath)} → ${a.panel.panel.pty}  (virtual panel running the hcp-panel firmware)`);
  say('window 02 receipts', `${shownPath(a.receiptDir)}/   (a slip after each rating; show one: npx tsx device/receipt/show-receipt.ts <file>)`);
  say('verify a device', `npm run device:verify -- --data-dir ${shownPath(a.devices[0]!.dataDir)}`);

  console.log('\n The business system, the province, the SMS provider');
  say('post a case', postCase(gw, a.businessKey, { caseNo: 'LF-2026-0001', windowNumber: '01', itemCode: '11131000MB0001', itemName: '个体工商户注册登记' }));
  say(
    'case with SMS',
    postCase(gw, a.businessKey, {
      caseNo: 'LF-2026-0002',
      windowNumber: '04',
      itemCode: '11131000MB0002',
      itemName: '住房公积金提取',
      applicant: { phone: '13800138000', smsConsent: true },
    }),
  );
  more(`leave it unrated on window 04's kiosk: ${SMS_DELAY_SEC} s later (a day in a hall) the text with its link arrives at the SMS inbox`);
  say('SMS inbox', `${a.smsInbox}   (what reached the handsets; ${a.smsInbox}texts.json for scripts)`);
  say('province sim', `${a.provinceUrl}/admin/stats   ${a.provinceUrl}/admin/ratings`);

  console.log('\n This machine');
  const logFiles = ['gateway', ...a.devices.map((_, i) => `dev-lf-${DEMO_WINDOWS[i]!.number}`)].map((n) => shownPath(join(a.logDir, `${n}.log`)));
  say('logs', logFiles.join('  '));
  more(`JSON lines; to follow one: tail -f ${logFiles[0]} | npx pino-pretty`);
  console.log('  type here: 1-5 presses a level on window 01\'s panel, r "please rate", b the staff badge, a its simulated citizens on/off');
  console.log('Ctrl-C to stop.');
}
