/**
 * Saving a console account with a password makes its scrypt hash once (tens of milliseconds of
 * CPU), before the write: inside it, the hash held SQLite's write turn that long, and ingest's
 * commits waited behind it (gateway/accounts/console-accounts.ts). node:crypto is wrapped to count
 * scrypt and, on SQLite, to see whether a transaction is open at each hash.
 */
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { testStoreIsPostgres } from '../support/pg-cluster.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { loggedIn, type ConsoleClient } from '../support/console-client.js';

const seen = vi.hoisted(() => ({ hashes: 0, inWrite: [] as boolean[], probe: null as null | (() => boolean) }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  const scryptSync: typeof crypto.scryptSync = (...a: Parameters<typeof crypto.scryptSync>) => {
    seen.hashes++;
    if (seen.probe) seen.inWrite.push(seen.probe());
    return crypto.scryptSync(...a);
  };
  return { ...crypto, scryptSync };
});

let gw: Gateway;
let it1: ConsoleClient;
beforeAll(async () => {
  gw = await startInProcessGateway();
  await gw.auth.createUser('it1', 'it-password-0001', 'hall-it');
  it1 = await loggedIn(gw, 'it1', 'it-password-0001');
  const sqlite = gw.store.sqlite;
  seen.probe = sqlite ? () => sqlite.inTransaction : null;
});
afterAll(async () => gw?.stop());
beforeEach(() => {
  seen.hashes = 0;
  seen.inWrite = [];
});

it('a new account: one hash, made outside the write', async () => {
  const made = await it1.call('PUT', '/api/accounts', { username: 'mgr9', role: 'manager', password: 'manager-pass-9' });
  expect(made.status).toBe(200);
  expect(seen.hashes).toBe(1);
  if (!testStoreIsPostgres()) expect(seen.inWrite).toEqual([false]);
  expect((await loggedIn(gw, 'mgr9', 'manager-pass-9')).token).toBeTruthy();
});

it('a new password for an account: one hash, made outside the write; a change without one makes none', async () => {
  expect((await it1.call('PUT', '/api/accounts', { username: 'mgr9', role: 'manager', password: 'manager-pass-10' })).status).toBe(200);
  expect(seen.hashes).toBe(1);
  if (!testStoreIsPostgres()) expect(seen.inWrite).toEqual([false]);
  seen.hashes = 0;
  expect((await it1.call('PUT', '/api/accounts', { username: 'mgr9', role: 'supervisor' })).status).toBe(200);
  expect(seen.hashes).toBe(0);
  expect((await loggedIn(gw, 'mgr9', 'manager-pass-10')).token).toBeTruthy();
});
