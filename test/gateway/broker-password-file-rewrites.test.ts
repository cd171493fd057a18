/**
 * How one worker's rewrites of a site broker's password file follow each other
 * (gateway/broker/broker-password-file.ts), on a real SQLite store with the read, the write and
 * the reload given by the test: a burst of requests while one rewrite runs costs one more rewrite,
 * which reads after every one of them; a failed rewrite does not stop the next.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { BrokerPasswordFile, type DeviceHash } from '../../gateway/broker/broker-password-file.js';
import { openSqliteStore } from '../../gateway/store/database.js';

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

/** The devices "in the store" now; each read copies them, each write keeps what it was given. */
function harness() {
  const store = openSqliteStore({ file: join(mkdtempSync(join(tmpdir(), 'hcp-pwfile-')), 'gateway.db') });
  opened.push(store);
  const devices: DeviceHash[] = [];
  const written: DeviceHash[][] = [];
  const h = {
    devices,
    written,
    reads: 0,
    failNextRead: false,
    heldReload: null as null | Promise<void>,
  };
  const file = new BrokerPasswordFile({
    store,
    read: async () => {
      h.reads++;
      if (h.failNextRead) {
        h.failNextRead = false;
        throw new Error('the store is away');
      }
      return [...devices];
    },
    write: (d) => void written.push(d),
    reload: () => h.heldReload ?? Promise.resolve(),
    logger: pino({ level: 'silent' }),
  });
  return { h, file };
}

it('a burst of requests while one rewrite runs makes one more, which reads after all of them', async () => {
  const { h, file } = harness();
  let release!: () => void;
  h.heldReload = new Promise((r) => (release = r));
  h.devices.push({ deviceId: 'dev-1', hash: 'h1' });
  const first = file.rewrite();
  await new Promise((r) => setTimeout(r, 50));
  h.heldReload = null;
  const burst: Promise<void>[] = [];
  for (let i = 2; i <= 6; i++) {
    h.devices.push({ deviceId: `dev-${i}`, hash: `h${i}` });
    burst.push(file.rewrite());
  }
  release();
  await Promise.all([first, ...burst]);
  expect(h.reads).toBe(2);
  expect(h.written.map((w) => w.length)).toEqual([1, 6]);
  await file.idle();
});

it('a rewrite that fails leaves the next one to run, and says so to its caller', async () => {
  const { h, file } = harness();
  let release!: () => void;
  h.heldReload = new Promise((r) => (release = r));
  const first = file.rewrite();
  await new Promise((r) => setTimeout(r, 50));
  h.heldReload = null;
  h.failNextRead = true;
  const failing = file.rewrite();
  h.devices.push({ deviceId: 'dev-1', hash: 'h1' });
  release();
  await first;
  await expect(failing).rejects.toThrow('the store is away');
  await file.rewrite();
  expect(h.written.at(-1)).toEqual([{ deviceId: 'dev-1', hash: 'h1' }]);
  expect(h.reads).toBe(3);
});

it('idle waits for the rewrite that runs and the one that waits', async () => {
  const { h, file } = harness();
  let release!: () => void;
  h.heldReload = new Promise((r) => (release = r));
  void file.rewrite();
  await new Promise((r) => setTimeout(r, 50));
  h.heldReload = null;
  void file.rewrite();
  let idle = false;
  const waiting = file.idle().then(() => (idle = true));
  await new Promise((r) => setTimeout(r, 50));
  expect(idle).toBe(false);
  release();
  await waiting;
  expect(h.written).toHaveLength(2);
});
