/**
 * Issue 11, the Registry screen's gateway side: departments as a tree (a cycle, a duplicate name
 * and an unknown parent refused, naming the field; deleted only when unused), service items (事项)
 * by code, scope enforced by the API (a department head sees their department and the ones below
 * it — windows, staff, items — and nothing else), a supervisor changes nothing, and every change
 * is in the audit log with who, when and from where. The console's types come from /openapi.json,
 * so every route of these is described there with its answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { consoleClient, loggedIn, type ConsoleClient } from '../support/console-client.js';

let gw: Gateway;
let it1: ConsoleClient;
let sup: ConsoleClient;
let mgr: ConsoleClient;
let head: ConsoleClient;
let aud: ConsoleClient;
const ids: Record<string, string> = {};
const startedAt = new Date().toISOString();

beforeAll(async () => {
  gw = await startInProcessGateway();
  await gw.auth.createUser('it1', 'it-password-0001', 'hall-it');
  await gw.auth.createUser('mgr', 'manager-password-1', 'manager');
  await gw.auth.createUser('sup', 'supervisor-pass-1', 'supervisor');
  await gw.auth.createUser('aud', 'auditor-password-1', 'auditor');
  it1 = await loggedIn(gw, 'it1', 'it-password-0001');
  mgr = await loggedIn(gw, 'mgr', 'manager-password-1');
  sup = await loggedIn(gw, 'sup', 'supervisor-pass-1');
  aud = await loggedIn(gw, 'aud', 'auditor-password-1');
  // The fixture's windows made their departments by name.
  for (const d of (await it1.call('GET', '/api/departments')).body as Array<{ departmentId: string; name: string }>) ids[d.name] = d.departmentId;
});
afterAll(async () => gw?.stop());

describe('departments', () => {
  it('form a tree: new ones get an id, a cycle, a duplicate name and an unknown parent are refused naming the field', async () => {
    expect(Object.keys(ids).sort()).toEqual(['市场监管局', '税务局'].sort());
    const child = await it1.call('PUT', '/api/departments', { name: '登记注册科', parentId: ids['市场监管局'] });
    expect(child.status).toBe(200);
    expect(child.body).toMatchObject({ name: '登记注册科', parentId: ids['市场监管局'] });
    expect(child.body.departmentId).toMatch(/^dept-[0-9a-f]{8}$/);
    ids['登记注册科'] = child.body.departmentId;
    const grandchild = await it1.call('PUT', '/api/departments', { name: '窗口一组', parentId: ids['登记注册科'] });
    ids['窗口一组'] = grandchild.body.departmentId;

    // 市场监管局 under its own grandchild, or under itself: refused, nothing changed.
    const cycle = await it1.call('PUT', '/api/departments', { departmentId: ids['市场监管局'], name: '市场监管局', parentId: ids['窗口一组'] });
    expect(cycle.status).toBe(400);
    expect(cycle.body.message).toMatch(/^parentId: .*below 市场监管局/);
    const self = await it1.call('PUT', '/api/departments', { departmentId: ids['登记注册科'], name: '登记注册科', parentId: ids['登记注册科'] });
    expect(self.status).toBe(400);
    expect(self.body.message).toMatch(/^parentId: .*itself/);
    const dup = await it1.call('PUT', '/api/departments', { name: '税务局' });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toMatch(/^name: there is already a department named 税务局/);
    const orphan = await it1.call('PUT', '/api/departments', { name: '无主科', parentId: 'dept-00000000' });
    expect(orphan.status).toBe(404);
    expect(orphan.body.message).toMatch(/^parentId: no department dept-00000000/);
    const unknown = await it1.call('PUT', '/api/departments', { departmentId: 'dept-00000000', name: '无主科' });
    expect(unknown.status).toBe(404);
    const nameless = await it1.call('PUT', '/api/departments', { parentId: ids['税务局'] });
    expect(nameless.status).toBe(400);
    expect(nameless.body.message).toMatch(/^name: /);
    const tree = (await it1.call('GET', '/api/departments')).body as Array<{ departmentId: string; parentId: string | null }>;
    expect(tree.find((d) => d.departmentId === ids['市场监管局'])!.parentId).toBeNull();
    expect(tree).toHaveLength(4);
  });

  it('a rename reaches the windows that show it; a move keeps its id', async () => {
    const renamed = await it1.call('PUT', '/api/departments', { departmentId: ids['税务局'], name: '国家税务总局廊坊市税务局' });
    expect(renamed.status).toBe(200);
    const w02 = ((await it1.call('GET', '/api/windows')).body as Array<{ windowId: string; department: string }>).find((w) => w.windowId === 'w-02');
    expect(w02!.department).toBe('国家税务总局廊坊市税务局');
    // 窗口一组 moves up to the bureau and back.
    expect((await it1.call('PUT', '/api/departments', { departmentId: ids['窗口一组'], name: '窗口一组', parentId: ids['市场监管局'] })).body.departmentId).toBe(ids['窗口一组']);
    expect((await it1.call('PUT', '/api/departments', { departmentId: ids['窗口一组'], name: '窗口一组', parentId: ids['登记注册科'] })).status).toBe(200);
  });

  it('is deleted only when nothing uses it, and a refusal names what does', async () => {
    await gw.auth.createUser('head-scjg', 'head-password-01', 'dept-head', { departmentId: ids['市场监管局'] });
    const used = await it1.call('DELETE', `/api/departments/${ids['市场监管局']}`);
    expect(used.status).toBe(409);
    expect(used.body.message).toMatch(/1 window \(01\)/);
    expect(used.body.message).toMatch(/1 account \(head-scjg\)/);
    expect(used.body.message).toMatch(/1 department below it \(登记注册科\)/);
    const spare = await it1.call('PUT', '/api/departments', { name: '临时科', parentId: ids['税务局'] });
    expect((await it1.call('DELETE', `/api/departments/${spare.body.departmentId}`)).status).toBe(200);
    expect((await it1.call('DELETE', `/api/departments/${spare.body.departmentId}`)).status).toBe(404);
    expect(((await it1.call('GET', '/api/departments')).body as Array<{ name: string }>).map((d) => d.name)).not.toContain('临时科');
  });
});

describe('service items (事项)', () => {
  it('are kept by their provincial code, belong to a department or the hall, and are retired rather than deleted', async () => {
    const item = await it1.call('PUT', '/api/items', { itemCode: '11131000MB0001', name: '个体工商户注册登记', departmentId: ids['登记注册科'] });
    expect(item.status).toBe(200);
    expect(item.body).toMatchObject({ itemCode: '11131000MB0001', departmentId: ids['登记注册科'], retired: false });
    expect((await it1.call('PUT', '/api/items', { itemCode: '11131000TAX-01_a', name: '发票领用', departmentId: ids['税务局'] })).status).toBe(200);
    expect((await it1.call('PUT', '/api/items', { itemCode: 'HALL-0001', name: '政务咨询' })).body.departmentId).toBeNull();

    const spaced = await it1.call('PUT', '/api/items', { itemCode: '1113 1000', name: 'x' });
    expect(spaced.status).toBe(400);
    expect(spaced.body.message).toMatch(/^itemCode: /);
    expect((await it1.call('PUT', '/api/items', { itemCode: 'A'.repeat(65), name: 'x' })).status).toBe(400);
    expect((await it1.call('PUT', '/api/items', { itemCode: 'A'.repeat(64), name: '最长的代码' })).status).toBe(200);
    const noDept = await it1.call('PUT', '/api/items', { itemCode: 'X-1', name: 'x', departmentId: 'dept-00000000' });
    expect(noDept.status).toBe(404);
    expect(noDept.body.message).toMatch(/^departmentId: /);

    expect((await it1.call('POST', '/api/items/HALL-0001/retire')).body).toMatchObject({ itemCode: 'HALL-0001', retired: true });
    expect((await it1.call('POST', '/api/items/HALL-0001/retire')).status).toBe(200);
    expect((await it1.call('POST', '/api/items/NO-SUCH/retire')).status).toBe(404);
    expect(((await it1.call('GET', '/api/items')).body as Array<{ itemCode: string; retired: boolean }>).find((i) => i.itemCode === 'HALL-0001')!.retired).toBe(true);
    // Saved again: offered again.
    expect((await it1.call('PUT', '/api/items', { itemCode: 'HALL-0001', name: '政务咨询' })).body.retired).toBe(false);
    await it1.call('POST', '/api/items/HALL-0001/retire');
  });
});

describe('staff badges', () => {
  it('one badge belongs to one person: giving it to a second is refused, naming the badge and its holder', async () => {
    const a = { staffId: 's-bd1', staffNo: 'B1', name: '赵敏', post: '受理', title: '科员', badgeUids: ['0A0B0C0D0E'], windowId: null };
    expect((await it1.call('PUT', '/api/staff', a)).status).toBe(200);
    const b = await it1.call('PUT', '/api/staff', { ...a, staffId: 's-bd2', staffNo: 'B2', name: '钱峰', badgeUids: ['0A0B0C0D0E'] });
    expect(b.status).toBe(409);
    expect(b.body.message).toMatch(/badgeUids: badge 0A0B0C0D0E already belongs to 赵敏 \(s-bd1\)/);
    expect(await gw.store.db.selectFrom('staff').select('staff_id').where('staff_id', '=', 's-bd2').executeTakeFirst()).toBeUndefined();
    // Saving the holder again with the same badge is fine; moving the badge works once it is free.
    expect((await it1.call('PUT', '/api/staff', a)).status).toBe(200);
    expect((await it1.call('PUT', '/api/staff', { ...a, badgeUids: [] })).status).toBe(200);
    expect((await it1.call('PUT', '/api/staff', { ...a, staffId: 's-bd2', staffNo: 'B2', name: '钱峰' })).status).toBe(200);
  });
});

describe('scope and roles, enforced by the API', () => {
  it('a department head reads only their department and those below it: departments, windows, staff, items', async () => {
    await gw.registry.upsertWindow({ windowId: 'w-03', number: '03', departmentId: ids['登记注册科']! });
    const staff = (id: string, windowId: string) => ({ staffId: id, staffNo: id, name: `员工${id}`, post: '受理', title: '科员', badgeUids: [], windowId });
    await gw.registry.upsertStaff(staff('s-01', 'w-01'));
    await gw.registry.upsertStaff(staff('s-02', 'w-02'));
    await gw.registry.upsertStaff(staff('s-03', 'w-03'));
    head = await loggedIn(gw, 'head-scjg', 'head-password-01');

    const depts = (await head.call('GET', '/api/departments')).body as Array<{ name: string }>;
    expect(depts.map((d) => d.name).sort()).toEqual(['市场监管局', '登记注册科', '窗口一组'].sort());
    expect(((await head.call('GET', '/api/windows')).body as Array<{ windowId: string }>).map((w) => w.windowId).sort()).toEqual(['w-01', 'w-03']);
    expect(((await head.call('GET', '/api/staff')).body as Array<{ staffId: string }>).map((s) => s.staffId).sort()).toEqual(['s-01', 's-03']);
    // Items of their sections; not the tax bureau's, not the hall's own.
    expect(((await head.call('GET', '/api/items')).body as Array<{ itemCode: string }>).map((i) => i.itemCode)).toEqual(['11131000MB0001']);
    // Whole hall for the other readers.
    expect(((await mgr.call('GET', '/api/items')).body as unknown[]).length).toBe(4);
    expect(((await sup.call('GET', '/api/departments')).body as unknown[]).length).toBe(4);

    // A head of a section sees the section and below, not the bureau above it.
    await gw.auth.createUser('head-dj', 'head-password-02', 'dept-head', { departmentId: ids['登记注册科'] });
    const section = await loggedIn(gw, 'head-dj', 'head-password-02');
    expect(((await section.call('GET', '/api/departments')).body as Array<{ name: string }>).map((d) => d.name).sort()).toEqual(['登记注册科', '窗口一组'].sort());
    expect(((await section.call('GET', '/api/windows')).body as Array<{ windowId: string }>).map((w) => w.windowId)).toEqual(['w-03']);

    // Reading is not changing, and the auditor reads the audit log, not the registry.
    expect((await head.call('PUT', '/api/items', { itemCode: 'X-2', name: 'x', departmentId: ids['市场监管局'] })).status).toBe(403);
    expect((await aud.call('GET', '/api/departments')).status).toBe(403);
    expect((await aud.call('GET', '/api/items')).status).toBe(403);
  });

  it('a supervisor (and a manager) can change nothing: 403 on every change route, and nothing is recorded', async () => {
    const before = await gw.store.db.selectFrom('audit_log').select('id').execute();
    const changes: Array<['PUT' | 'POST' | 'DELETE', string, unknown?]> = [
      ['PUT', '/api/departments', { name: '监察科' }],
      ['DELETE', `/api/departments/${ids['窗口一组']}`],
      ['PUT', '/api/items', { itemCode: 'SUP-1', name: 'x' }],
      ['POST', '/api/items/11131000MB0001/retire'],
      ['PUT', '/api/accounts', { username: 'sneaky', role: 'hall-it', password: 'sneaky-password-1' }],
      ['POST', '/api/accounts/it1/disable'],
      ['POST', '/api/accounts/it1/enable'],
      ['POST', '/api/devices/dev-nope/reenrol'],
      ['POST', '/api/devices/dev-nope/capture-badge', {}],
    ];
    const hallItReads = ['/api/accounts', '/api/provisioning', '/api/badge-captures/019a0000-0000-7000-8000-000000000000'];
    for (const who of [sup, mgr]) {
      for (const [method, path, body] of changes) expect([method, path, (await who.call(method, path, body)).status]).toEqual([method, path, 403]);
      for (const path of hallItReads) expect([path, (await who.call('GET', path)).status]).toEqual([path, 403]);
    }
    for (const [method, path, body] of changes) expect((await consoleClient(gw).call(method, path, body)).status).toBe(401);
    expect(await gw.store.db.selectFrom('audit_log').select('id').execute()).toHaveLength(before.length);
    expect(((await it1.call('GET', '/api/items')).body as Array<{ itemCode: string; retired: boolean }>).find((i) => i.itemCode === '11131000MB0001')!.retired).toBe(false);
  });

  it('a change made with the session cookie needs the CSRF header', async () => {
    const put = (headers: Record<string, string>) =>
      fetch(`${gw.httpUrl}/api/items`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', cookie: `hcp_session=${it1.token}`, ...headers },
        body: JSON.stringify({ itemCode: 'CSRF-1', name: '跨站' }),
      });
    expect((await put({})).status).toBe(403);
    expect((await put({ 'x-hcp-csrf': '1' })).status).toBe(200);
  });
});

describe('the audit log', () => {
  it('holds every change with who, when and from where', async () => {
    const rows = await gw.store.db.selectFrom('audit_log').selectAll().where('actor', '=', 'it1').orderBy('id').execute();
    const actions = new Set(rows.map((r) => r.action));
    for (const a of ['department-created', 'department-saved', 'department-deleted', 'item-created', 'item-saved', 'item-retired']) expect(actions).toContain(a);
    for (const r of rows) {
      expect(r.remote).toMatch(/127\.0\.0\.1/);
      expect(r.at >= startedAt && r.at <= new Date().toISOString()).toBe(true);
    }
    // One entry per change: three departments made; retiring a retired item changes nothing and is not recorded.
    expect(rows.filter((r) => r.action === 'department-created')).toHaveLength(3);
    const rename = rows.find((r) => r.action === 'department-saved' && r.subject === ids['税务局'])!;
    expect(JSON.parse(rename.detail!)).toMatchObject({ name: '国家税务总局廊坊市税务局', before: { name: '税务局' } });
    const retired = rows.filter((r) => r.action === 'item-retired' && r.subject === 'HALL-0001');
    expect(retired).toHaveLength(2);
    const reinstated = rows.find((r) => r.action === 'item-saved' && r.subject === 'HALL-0001')!;
    expect(JSON.parse(reinstated.detail!)).toMatchObject({ reinstated: true });
  });
});

describe('the OpenAPI document', () => {
  it('describes each of these routes with its answer, for the console’s generated types', async () => {
    const spec = (await consoleClient(gw).call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, any>> };
    const routes: Array<[string, string]> = [
      ['get', '/api/departments'],
      ['put', '/api/departments'],
      ['delete', '/api/departments/{departmentId}'],
      ['get', '/api/items'],
      ['put', '/api/items'],
      ['post', '/api/items/{itemCode}/retire'],
      ['get', '/api/accounts'],
      ['put', '/api/accounts'],
      ['post', '/api/accounts/{username}/disable'],
      ['post', '/api/accounts/{username}/enable'],
      ['post', '/api/devices/{deviceId}/reenrol'],
      ['get', '/api/provisioning'],
      ['post', '/api/devices/{deviceId}/capture-badge'],
      ['get', '/api/badge-captures/{captureId}'],
    ];
    for (const [method, path] of routes) {
      const op = spec.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.description, `${method} ${path}`).toMatch(/Roles: /);
      expect(op.responses['200'].content['application/json'].schema, `${method} ${path}`).toBeDefined();
      expect(op.responses['4XX'].content['application/json'].schema.properties, `${method} ${path}`).toHaveProperty('message');
    }
    expect(spec.paths['/api/accounts']!.get.responses['200'].content['application/json'].schema.items.properties).not.toHaveProperty('password_hash');
  });
});
