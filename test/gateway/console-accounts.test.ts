/**
 * Issue 11: hall IT manages console accounts. A new account needs a password of 10 characters or
 * more; a new password ends the account's sessions; disabling ends them too and refuses the login;
 * the hall never locks itself out (the last enabled hall IT account is neither disabled nor given
 * another role, and nobody disables or re-roles themselves). No answer carries a password hash,
 * no audit entry a password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { consoleClient, loggedIn, type ConsoleClient } from '../support/console-client.js';

let gw: Gateway;
let it1: ConsoleClient;
let deptId: string;

beforeAll(async () => {
  gw = await startInProcessGateway();
  await gw.auth.createUser('it1', 'it-password-0001', 'hall-it');
  it1 = await loggedIn(gw, 'it1', 'it-password-0001');
  deptId = ((await it1.call('GET', '/api/departments')).body as Array<{ departmentId: string; name: string }>).find((d) => d.name === '市场监管局')!.departmentId;
});
afterAll(async () => gw?.stop());

const account = async (username: string, as = it1) => ((await as.call('GET', '/api/accounts')).body as Array<Record<string, unknown>>).find((a) => a.username === username);

describe('console accounts', () => {
  it('are created with a role, a department for a head, and a password of at least 10 characters', async () => {
    const noPassword = await it1.call('PUT', '/api/accounts', { username: 'mgr2', role: 'manager' });
    expect(noPassword.status).toBe(400);
    expect(noPassword.body.message).toMatch(/^password: a new account needs a password/);
    const short = await it1.call('PUT', '/api/accounts', { username: 'mgr2', role: 'manager', password: 'short-pw' });
    expect(short.status).toBe(400);
    expect(short.body.message).toMatch(/^password: .*at least 10/);
    const headless = await it1.call('PUT', '/api/accounts', { username: 'head1', role: 'dept-head', password: 'head-password-1' });
    expect(headless.body.message).toMatch(/^departmentId: a department head needs their department/);
    expect((await it1.call('PUT', '/api/accounts', { username: 'mgr3', role: 'manager', departmentId: deptId, password: 'manager-pass-3' })).body.message).toMatch(
      /^departmentId: only a department head/,
    );
    expect((await it1.call('PUT', '/api/accounts', { username: 'head1', role: 'dept-head', departmentId: 'dept-00000000', password: 'head-password-1' })).status).toBe(404);
    expect((await it1.call('PUT', '/api/accounts', { username: 'bad name', role: 'manager', password: 'manager-pass-1' })).body.message).toMatch(/^username: /);
    expect((await it1.call('PUT', '/api/accounts', { username: 'x', role: 'janitor', password: 'manager-pass-1' })).body.message).toMatch(/^role: /);

    const made = await it1.call('PUT', '/api/accounts', { username: 'mgr2', role: 'manager', displayName: '李经理', password: 'manager-pass-2' });
    expect(made.status).toBe(200);
    expect(made.body).toEqual({ username: 'mgr2', role: 'manager', departmentId: null, displayName: '李经理', disabled: false, lockedUntil: null, createdAt: expect.any(String) });
    const head = await it1.call('PUT', '/api/accounts', { username: 'head1', role: 'dept-head', departmentId: deptId, password: 'head-password-1' });
    expect(head.body).toMatchObject({ role: 'dept-head', departmentId: deptId });
    const list = await it1.call('GET', '/api/accounts');
    expect((list.body as Array<{ username: string }>).map((a) => a.username)).toEqual(['head1', 'it1', 'mgr2']);
    expect(JSON.stringify(list.body)).not.toMatch(/scrypt|hash|password/i);
    expect((await (await loggedIn(gw, 'head1', 'head-password-1')).call('GET', '/api/me')).body).toMatchObject({ role: 'dept-head', departmentId: deptId });
  });

  it('a new password ends the account’s sessions; other changes leave them', async () => {
    const mgr2 = await loggedIn(gw, 'mgr2', 'manager-pass-2');
    expect((await mgr2.call('GET', '/api/windows')).status).toBe(200);
    expect((await it1.call('PUT', '/api/accounts', { username: 'mgr2', role: 'supervisor', displayName: '李督查' })).body).toMatchObject({
      role: 'supervisor',
      displayName: '李督查',
    });
    // Same session, its new role at once.
    expect((await mgr2.call('GET', '/api/me')).body).toMatchObject({ username: 'mgr2', role: 'supervisor' });
    expect((await it1.call('PUT', '/api/accounts', { username: 'mgr2', role: 'manager', password: 'manager-pass-22' })).status).toBe(200);
    expect((await mgr2.call('GET', '/api/windows')).status).toBe(401);
    expect((await gw.auth.login('mgr2', 'manager-pass-2', '127.0.0.1')).ok).toBe(false);
    expect((await gw.auth.login('mgr2', 'manager-pass-22', '127.0.0.1')).ok).toBe(true);
  });

  it('disabling ends the sessions and refuses the login; enabling lets the account (even a locked one) in again', async () => {
    const mgr2 = await loggedIn(gw, 'mgr2', 'manager-pass-22');
    expect((await it1.call('POST', '/api/accounts/mgr2/disable')).body).toMatchObject({ username: 'mgr2', disabled: true });
    expect((await mgr2.call('GET', '/api/windows')).status).toBe(401);
    expect((await gw.auth.login('mgr2', 'manager-pass-22', '127.0.0.1')).ok).toBe(false);
    expect((await it1.call('POST', '/api/accounts/mgr2/enable')).body).toMatchObject({ disabled: false });
    expect((await gw.auth.login('mgr2', 'manager-pass-22', '127.0.0.1')).ok).toBe(true);

    for (let i = 0; i < 5; i++) await gw.auth.login('head1', `wrong-guess-${i}`, '127.0.0.1');
    expect((await account('head1'))!.lockedUntil).toEqual(expect.any(String));
    expect((await gw.auth.login('head1', 'head-password-1', '127.0.0.1')).ok).toBe(false);
    expect((await it1.call('POST', '/api/accounts/head1/enable')).body).toMatchObject({ lockedUntil: null });
    expect((await gw.auth.login('head1', 'head-password-1', '127.0.0.1')).ok).toBe(true);
    expect((await it1.call('POST', '/api/accounts/nobody/disable')).status).toBe(404);
  });

  it('the hall never locks itself out: not the last hall IT account, not oneself', async () => {
    // it1 is the only hall IT account.
    const last = await it1.call('POST', '/api/accounts/it1/disable');
    expect(last.status).toBe(409);
    expect(last.body.message).toMatch(/last enabled hall IT account/);
    expect((await it1.call('PUT', '/api/accounts', { username: 'it1', role: 'manager' })).body.message).toMatch(/^role: it1 is the last enabled hall IT account/);

    expect((await it1.call('PUT', '/api/accounts', { username: 'it2', role: 'hall-it', password: 'it-password-0002' })).status).toBe(200);
    const self = await it1.call('POST', '/api/accounts/it1/disable');
    expect(self.status).toBe(409);
    expect(self.body.message).toMatch(/your own account/);
    expect((await it1.call('PUT', '/api/accounts', { username: 'it1', role: 'manager' })).body.message).toMatch(/^role: you cannot change your own role/);
    // Another hall IT account may.
    const it2 = await loggedIn(gw, 'it2', 'it-password-0002');
    expect((await it2.call('POST', '/api/accounts/it1/disable')).status).toBe(200);
    expect((await it1.call('GET', '/api/accounts')).status).toBe(401);
    // And now it2 is the last one.
    expect((await it2.call('PUT', '/api/accounts', { username: 'it2', role: 'supervisor' })).status).toBe(409);
    expect((await it2.call('POST', '/api/accounts/it1/enable')).status).toBe(200);
    expect((await account('it1', it2))!.disabled).toBe(false);
    it1 = await loggedIn(gw, 'it1', 'it-password-0001');
  });

  it('every change is audited with who and from where, never with the password', async () => {
    const rows = await gw.store.db.selectFrom('audit_log').selectAll().where('action', 'like', 'account-%').orderBy('id').execute();
    expect(rows.map((r) => [r.actor, r.action, r.subject])).toEqual([
      ['it1', 'account-created', 'mgr2'],
      ['it1', 'account-created', 'head1'],
      ['it1', 'account-saved', 'mgr2'],
      ['it1', 'account-saved', 'mgr2'],
      ['it1', 'account-disabled', 'mgr2'],
      ['it1', 'account-enabled', 'mgr2'],
      ['it1', 'account-enabled', 'head1'],
      ['it1', 'account-created', 'it2'],
      ['it2', 'account-disabled', 'it1'],
      ['it2', 'account-enabled', 'it1'],
    ]);
    for (const r of rows) expect(r.remote).toMatch(/127\.0\.0\.1/);
    expect(JSON.parse(rows[3]!.detail!)).toMatchObject({ role: 'manager', passwordChanged: true, before: { role: 'supervisor' } });
    expect(JSON.parse(rows[2]!.detail!)).toMatchObject({ passwordChanged: false });
    const all = JSON.stringify(await gw.store.db.selectFrom('audit_log').selectAll().execute());
    for (const pw of ['manager-pass-2', 'manager-pass-22', 'head-password-1', 'it-password-0002']) expect(all).not.toContain(pw);
    expect((await consoleClient(gw).call('GET', '/api/accounts')).status).toBe(401);
  });
});
