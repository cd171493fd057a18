/**
 * The console's test stand: an in-process gateway on loopback serving the built console, a hall
 * seeded through the API as hall IT would (departments, windows, items, staff with a photo,
 * devices), scripted devices that send real signed ratings and status reports, and one account per
 * role. Shared by test/console/console-screens.test.ts and, for UI work, runnable on its own:
 *
 *   npm run build:console && npx tsx test/console/console-stand.ts     prints the address and logins
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { deviceTopic } from '@hcp/contract';
import { CONSOLE_DIST } from '../../gateway/http/console-static.js';
import type { Gateway } from '../../gateway/gateway.js';
import { consoleClient, loggedIn, type ConsoleClient } from '../support/console-client.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';

export type StandRole = 'hall-it' | 'manager' | 'dept-head' | 'supervisor' | 'auditor';

export const USERS: Record<StandRole, { username: string; password: string; displayName: string }> = {
  'hall-it': { username: 'it1', password: 'it-password-0001', displayName: '赵信息' },
  manager: { username: 'mgr1', password: 'manager-password-1', displayName: '钱主任' },
  'dept-head': { username: 'taxhead', password: 'taxhead-password-1', displayName: '孙科长' },
  supervisor: { username: 'sup1', password: 'supervisor-pass-1', displayName: '李监督' },
  auditor: { username: 'aud1', password: 'auditor-password-1', displayName: '周审计' },
};

export const BADGE_TO_CAPTURE = '04A1B2C3D4';

export interface ConsoleStand {
  gw: Gateway;
  /** The gateway's address; the console is at `${url}/`. */
  url: string;
  mqttUrl: string;
  /** Scripted devices by id (dev-w01 … dev-w03 connected; dev-w04 registered, never enrolled). */
  devices: Map<string, ScriptedDevice>;
  /** A bearer session per role (made through ConsoleAuth, not the rate-limited login route). */
  as: Record<StandRole, ConsoleClient>;
  taxDepartmentId: string;
  stop(): Promise<void>;
}

/** A drawn portrait (PNG bytes), as a photo from a staff ID card scanner might be. */
export async function portraitPng(width = 900, height = 1000): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 300 333">
    <rect width="300" height="333" fill="#cfe0ef"/><circle cx="150" cy="135" r="70" fill="#f1c9a5"/>
    <path d="M80 135 Q150 30 220 135 Q210 70 150 62 Q90 70 80 135Z" fill="#2b2b2b"/>
    <path d="M40 333 Q50 215 150 205 Q250 215 260 333Z" fill="#1f3b63"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

function ok(r: { status: number; body: unknown }, what: string): any {
  if (r.status !== 200) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A rating record with chosen integrity facts (R11) from a scripted device. */
function flagged(d: ScriptedDevice, level: 1 | 2 | 3 | 4 | 5, staffId: string | null, flags: string[], facts: Partial<Record<string, number | boolean>> = {}) {
  return d.rating(
    level,
    {},
    { staffId, facts: { msFromInvitation: 3000, staffLoggedIn: staffId !== null, unarmedPressesBefore: 0, ratingsInLastMinute: 0, ...facts, flags } as any },
  );
}

/** Answer the gateway's badge capture command on this device with `uid`, as a tap on its reader would. */
export async function tapBadgesOn(d: ScriptedDevice, uid: string): Promise<void> {
  const client = d.client!;
  await client.subscribeAsync(deviceTopic(d.deviceId, 'command'), { qos: 1 });
  client.on('message', (topic, payload) => {
    if (topic !== deviceTopic(d.deviceId, 'command')) return;
    const cmd = JSON.parse(payload.toString('utf8')) as { captureBadge?: { captureId: string } };
    if (cmd.captureBadge)
      setTimeout(() => void client.publishAsync(deviceTopic(d.deviceId, 'badge'), JSON.stringify({ captureId: cmd.captureBadge!.captureId, uid }), { qos: 1 }), 800);
  });
}

export async function startConsoleStand(o: { http?: Record<string, unknown> } = {}): Promise<ConsoleStand> {
  if (!existsSync(`${CONSOLE_DIST}/index.html`)) {
    throw new Error(`the console is not built (${CONSOLE_DIST}/index.html is missing): run npm run build:console (scripts/setup.sh does it) first`);
  }
  const gw = await startInProcessGateway(o.http ? { http: o.http } : {});
  const mqttUrl = `mqtt://127.0.0.1:${gw.mqttPort}`;
  const devices = new Map<string, ScriptedDevice>();
  try {
    // Hall IT first; the department head's department must exist before their account.
    await gw.auth.createUser(USERS['hall-it'].username, USERS['hall-it'].password, 'hall-it', { displayName: USERS['hall-it'].displayName });
    const it = await loggedIn(gw, USERS['hall-it'].username, USERS['hall-it'].password);
    const departments = ok(await it.call('GET', '/api/departments'), 'departments') as Array<{ departmentId: string; name: string }>;
    const taxDepartmentId = departments.find((d) => d.name === '税务局')!.departmentId;
    const market = departments.find((d) => d.name === '市场监管局')!.departmentId;
    const section = ok(await it.call('PUT', '/api/departments', { name: '税务局征收管理科', parentId: taxDepartmentId }), 'section').departmentId as string;
    const police = ok(await it.call('PUT', '/api/departments', { name: '公安局' }), 'police').departmentId as string;
    ok(await it.call('PUT', '/api/windows', { windowId: 'w-03', number: '03', departmentId: section }), 'w-03');
    ok(await it.call('PUT', '/api/windows', { windowId: 'w-04', number: '04', departmentId: police }), 'w-04');
    for (const [itemCode, name, departmentId] of [
      ['11131000MB0001', '个体工商户注册登记', market],
      ['11131000MB0002', '食品经营许可', market],
      ['11131000TX0001', '发票领用', taxDepartmentId],
      ['11131000GA0001', '出入境证件办理', police],
    ] as const) {
      ok(await it.call('PUT', '/api/items', { itemCode, name, departmentId }), itemCode);
    }
    for (const [staffId, staffNo, name, post, title, windowId, badge] of [
      ['s-001', 'A001', '张晓梅', '综合受理', '科员', 'w-01', '0A1B2C3D4E'],
      ['s-002', 'A002', '李明', '税务登记', '副科长', 'w-02', '0A1B2C3D4F'],
      ['s-003', 'A003', '王芳', '发票发售', '科员', 'w-03', '0A1B2C3D50'],
      ['s-004', 'A004', '陈建国', '出入境受理', '警务辅助', 'w-04', '0A1B2C3D51'],
    ] as const) {
      ok(await it.call('PUT', '/api/staff', { staffId, staffNo, name, post, title, windowId, badgeUids: [badge] }), staffId);
    }
    const photo = await fetch(`${gw.httpUrl}/api/staff/s-001/photo`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${it.token}`, 'content-type': 'image/png' },
      body: new Uint8Array(await portraitPng()),
    });
    if (photo.status !== 200) throw new Error(`photo: ${photo.status} ${await photo.text()}`);

    for (const role of ['manager', 'dept-head', 'supervisor', 'auditor'] as const) {
      const u = USERS[role];
      await gw.auth.createUser(u.username, u.password, role, { displayName: u.displayName, ...(role === 'dept-head' ? { departmentId: taxDepartmentId } : {}) });
    }
    const as = { 'hall-it': it } as Record<StandRole, ConsoleClient>;
    for (const role of ['manager', 'dept-head', 'supervisor', 'auditor'] as const) as[role] = await loggedIn(gw, USERS[role].username, USERS[role].password);

    for (const [id, win] of [
      ['dev-w01', 'w-01'],
      ['dev-w02', 'w-02'],
      ['dev-w03', 'w-03'],
    ] as const) {
      const d = new ScriptedDevice(id, win, gw.httpUrl);
      const code = ok(await it.call('POST', '/api/devices', { deviceId: id, windowId: win }), id).code as string;
      const enrolled = await d.enrol(code);
      if (enrolled.status !== 200) throw new Error(`enrol ${id}: ${JSON.stringify(enrolled.body)}`);
      await d.connect(mqttUrl);
      devices.set(id, d);
    }
    ok(await it.call('POST', '/api/devices', { deviceId: 'dev-w04', windowId: 'w-04' }), 'dev-w04');

    const [d1, d2, d3] = ['dev-w01', 'dev-w02', 'dev-w03'].map((id) => devices.get(id)!) as [ScriptedDevice, ScriptedDevice, ScriptedDevice];
    const now = new Date().toISOString();
    await d1.publishJson('status', {
      deviceId: 'dev-w01',
      online: true,
      softwareVersion: '0.4.2',
      backlog: 0,
      lastSyncAt: now,
      clockOffsetMs: 180,
      panel: 'connected',
      reader: 'absent',
      storeFill: 0.12,
    });
    await d2.publishJson('status', {
      deviceId: 'dev-w02',
      online: true,
      softwareVersion: '0.4.2',
      backlog: 12,
      lastSyncAt: now,
      clockOffsetMs: -950,
      panel: 'disconnected',
      reader: 'absent',
      storeFill: 0.86,
    });
    await d3.publishJson('status', {
      deviceId: 'dev-w03',
      online: true,
      softwareVersion: '0.4.1',
      backlog: 0,
      lastSyncAt: now,
      clockOffsetMs: 7 * 60_000,
      panel: 'connected',
      reader: 'connected',
      storeFill: 0.4,
    });

    const bad1 = d1.rating(1);
    await d1.send([d1.rating(5), d1.rating(5), d1.rating(4), d1.rating(5), d1.rating(3), bad1, d1.detail(bad1, [108, 115])]);
    const bad2 = d2.rating(2, {}, { staffId: 's-002' });
    await d2.send([d2.rating(5, {}, { staffId: 's-002' }), d2.rating(4, {}, { staffId: 's-002' }), bad2, d2.detail(bad2, [209]), d2.rating(5, {}, { staffId: 's-002' })]);
    await d3.send([
      flagged(d3, 5, 's-003', ['fast-press'], { msFromInvitation: 420 }),
      flagged(d3, 5, 's-003', ['fast-press'], { msFromInvitation: 380 }),
      flagged(d3, 5, 's-003', ['burst'], { ratingsInLastMinute: 4 }),
      flagged(d3, 5, 's-003', ['burst', 'fast-press'], { ratingsInLastMinute: 5, msFromInvitation: 300 }),
      flagged(d3, 4, 's-003', ['unarmed-presses'], { unarmedPressesBefore: 4 }),
      flagged(d3, 4, null, ['no-staff']),
      d3.rating(5, {}, { staffId: 's-003' }),
    ]);
    await gw.assessor.catchUp();
    // The status reports raise their alerts asynchronously: wait until the board has them.
    for (let i = 0; i < 100 && (await gw.alerts.list()).length < 3; i++) await new Promise((r) => setTimeout(r, 50));

    return {
      gw,
      url: gw.httpUrl,
      mqttUrl,
      devices,
      as,
      taxDepartmentId,
      async stop() {
        for (const d of devices.values()) await d.close();
        await gw.stop();
      },
    };
  } catch (err) {
    for (const d of devices.values()) await d.close();
    await gw.stop();
    throw err;
  }
}

/** An anonymous caller, for the lobby screen's key. */
export const anonymous = (gw: Gateway) => consoleClient(gw);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const stand = await startConsoleStand({ http: { port: Number(process.env.PORT ?? 8080) } });
  await tapBadgesOn(stand.devices.get('dev-w01')!, BADGE_TO_CAPTURE);
  console.log(`console: ${stand.url}/`);
  for (const [role, u] of Object.entries(USERS)) console.log(`  ${role.padEnd(11)} ${u.username} / ${u.password}`);
  console.log('type a level 1-5 and Enter to rate at window 01; Ctrl-C to stop');
  const d1 = stand.devices.get('dev-w01')!;
  process.stdin.on('data', (b) => {
    const level = Number(b.toString().trim());
    if (level >= 1 && level <= 5) void d1.send([d1.rating(level as 1 | 2 | 3 | 4 | 5)]).then(() => console.log(`rated ${level}`));
  });
  process.on('SIGINT', () => void stand.stop().then(() => process.exit(0)));
}
