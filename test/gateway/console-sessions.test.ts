/**
 * Issue 10, hole 6: console sessions lived in memory — a restart logged everyone out, and several
 * workers were impossible. Now they are in the database; logout ends one; repeated failed logins
 * lock the account and are rate-limited per address; every login, refusal and logout is audited.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startInProcessGateway } from '../sync/gateway-fixture.js';

const post = (url: string, path: string, body: unknown, token?: string) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
const get = (url: string, path: string, token: string) => fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });

describe('console sessions', () => {
  it('survive a gateway restart, end at logout, and lock out a password guesser', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-sessions-'));
    let gw = await startInProcessGateway({ dir });
    await gw.auth.createUser('manager1', 'manager-password-1', 'manager');
    await gw.auth.createUser('it1', 'it-password-0001', 'hall-it');
    const login = await post(gw.httpUrl, '/api/login', { username: 'manager1', password: 'manager-password-1' });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    expect((await get(gw.httpUrl, '/api/windows', token)).status).toBe(200);

    await gw.stop();
    gw = await startInProcessGateway({ dir });
    try {
      // Same session after the restart.
      expect((await get(gw.httpUrl, '/api/windows', token)).status).toBe(200);
      expect(((await (await get(gw.httpUrl, '/api/me', token)).json()) as { username: string }).username).toBe('manager1');

      expect((await post(gw.httpUrl, '/api/logout', {}, token)).status).toBe(200);
      expect((await get(gw.httpUrl, '/api/windows', token)).status).toBe(401);

      // Five wrong passwords lock the account; then even the right one is refused for a while.
      for (let i = 0; i < 4; i++) expect((await post(gw.httpUrl, '/api/login', { username: 'it1', password: `guess-${i}` })).status).toBe(401);
      const locked = await post(gw.httpUrl, '/api/login', { username: 'it1', password: 'guess-5' });
      expect(locked.status).toBe(423);
      expect(((await locked.json()) as { message: string }).message).toMatch(/locked until/);
      expect((await post(gw.httpUrl, '/api/login', { username: 'it1', password: 'it-password-0001' })).status).toBe(423);
      // Past ten attempts a minute from one address, the address is turned away before any check.
      let limited = 0;
      for (let i = 0; i < 6; i++) if ((await post(gw.httpUrl, '/api/login', { username: 'nobody', password: 'x' })).status === 429) limited++;
      expect(limited).toBeGreaterThan(0);

      const audit = await gw.store.db.selectFrom('audit_log').select(['actor', 'action']).execute();
      expect(audit.filter((a) => a.actor === 'manager1').map((a) => a.action)).toEqual(['login', 'logout']);
      expect(audit.filter((a) => a.actor === 'it1' && a.action === 'login-refused')).toHaveLength(6);
    } finally {
      await gw.stop();
    }
  });
});
