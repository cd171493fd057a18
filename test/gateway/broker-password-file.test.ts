/**
 * With a site's broker (Debian's Mosquitto), an enrolled device can log in: its password is in the
 * password file the gateway rewrites after each enrolment (gateway/broker/broker-password-file.ts).
 * Each rewrite reads every device's hash and then writes the file. Two rewrites that overlap must
 * not leave the older read as the file: one worker's, or two workers' on one PostgreSQL.
 * The first rewrite is held between its read and its write (the read wrapped), so a later
 * enrolment's rewrite runs meanwhile; on the code before, the held one then wrote its older read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { freePort } from '../../scripts/lib/free-port.js';
import type { Gateway } from '../../gateway/gateway.js';
import { testStoreIsPostgres } from '../support/pg-cluster.js';
import { writeMosquittoConf } from '../support/mosquitto-conf.js';
import { ScriptedDevice } from '../support/scripted-device.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';

const until = async (what: () => Promise<boolean> | boolean, ms: number, why: () => string) => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error(`timed out: ${why()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const dir = mkdtempSync(join(tmpdir(), 'hcp-passwd-'));
let mosquitto: ChildProcess;
let port: number;
let passwordFile: string;
let external: Record<string, unknown>;
const gateways: Gateway[] = [];
const devices: ScriptedDevice[] = [];

beforeAll(async () => {
  port = await freePort();
  const files = writeMosquittoConf(dir, { port, usernameAsClientId: true });
  passwordFile = files.passwordFile;
  mosquitto = spawn('/usr/sbin/mosquitto', ['-c', files.conf], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  const reloadCommand = ['sh', '-c', `kill -HUP ${mosquitto.pid}`];
  external = { url: `mqtt://127.0.0.1:${port}`, username: 'hcp-gateway', password: 'gateway-secret-2026', passwordFile, aclFile: files.aclFile, reloadCommand };
});
afterEach(async () => {
  vi.restoreAllMocks();
  for (const d of devices.splice(0)) await d.close();
  for (const g of gateways.splice(0)) await g.stop();
});
afterAll(() => {
  mosquitto?.kill('SIGTERM');
});

async function gateway(workerId: string, gwDir: string, logLines?: string[]): Promise<Gateway> {
  const gw = await startInProcessGateway({ dir: gwDir, workerId, mqtt: { requireKeyProof: false, external }, ...(logLines ? { logLines } : {}) });
  gateways.push(gw);
  return gw;
}

/** Hold `gw`'s next read of the hashes after it has read them; `read` resolves once it has. */
function holdNextRead(gw: Gateway): { read: Promise<void>; release: () => void } {
  const original = gw.enrolment.brokerPasswordHashes.bind(gw.enrolment);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let readDone!: () => void;
  const read = new Promise<void>((r) => (readDone = r));
  let armed = true;
  vi.spyOn(gw.enrolment, 'brokerPasswordHashes').mockImplementation(async (...a) => {
    const rows = await original(...a);
    if (armed) {
      armed = false;
      readDone();
      await held;
    }
    return rows;
  });
  return { read, release };
}

async function enrolled(gw: Gateway, deviceId: string): Promise<ScriptedDevice> {
  const device = new ScriptedDevice(deviceId, 'w-01', gw.httpUrl);
  devices.push(device);
  const { code } = await gw.enrolment.registerDevice(deviceId, 'w-01');
  return device.enrol(code).then((a) => {
    expect(a.status).toBe(200);
    return device;
  });
}

/** Every device's id in the password file, and every one of them can log in to the broker. */
async function allCanLogIn(list: ScriptedDevice[]): Promise<void> {
  const inFile = () =>
    readFileSync(passwordFile, 'utf8')
      .split('\n')
      .map((l) => l.split(':')[0]);
  await until(
    () => list.every((d) => inFile().includes(d.deviceId)),
    5000,
    () => `password file names ${JSON.stringify(inFile())}`,
  );
  for (const d of list) {
    await until(
      () =>
        d.connect(`mqtt://127.0.0.1:${port}`).then(
          () => true,
          () => false,
        ),
      5000,
      () => `${d.deviceId} cannot log in to the broker`,
    );
  }
}

it('one worker: a rewrite that read before a later enrolment does not write over it', async () => {
  const gw = await gateway('worker-a', mkdtempSync(join(tmpdir(), 'hcp-passwd-one-')));
  const hold = holdNextRead(gw);
  const first = await enrolled(gw, 'dev-pw-01');
  await hold.read;
  // The second enrolment does not wait for it: on SQLite the held rewrite may hold the write turn.
  const second = enrolled(gw, 'dev-pw-02');
  await new Promise((r) => setTimeout(r, 300));
  hold.release();
  await allCanLogIn([first, await second]);
});

it.skipIf(!testStoreIsPostgres())('two workers on one PostgreSQL: the last file written holds both enrolments', async () => {
  const shared = mkdtempSync(join(tmpdir(), 'hcp-passwd-two-'));
  const a = await gateway('worker-a', shared);
  const b = await gateway('worker-b', shared);
  const hold = holdNextRead(a);
  const first = await enrolled(a, 'dev-pw-11');
  await hold.read;
  const second = await enrolled(b, 'dev-pw-12');
  await new Promise((r) => setTimeout(r, 300));
  hold.release();
  await allCanLogIn([first, second]);
});

it('a rewrite that fails after an enrolment is logged, and the next enrolment writes the device in', async () => {
  const lines: string[] = [];
  const gw = await gateway('worker-a', mkdtempSync(join(tmpdir(), 'hcp-passwd-fail-')), lines);
  const original = gw.enrolment.brokerPasswordHashes.bind(gw.enrolment);
  let failed = false;
  vi.spyOn(gw.enrolment, 'brokerPasswordHashes').mockImplementation(async (...a) => {
    if (failed) return original(...a);
    failed = true;
    throw new Error('the store is away');
  });
  const first = await enrolled(gw, 'dev-pw-21');
  await until(
    () => lines.some((l) => l.includes('broker password file not rewritten')),
    5000,
    () => 'no log line',
  );
  const logged = JSON.parse(lines.find((l) => l.includes('broker password file not rewritten'))!) as { level: number; why: string; err: { message: string } };
  expect(logged).toMatchObject({ level: 50, why: 'enrolled', err: { message: 'the store is away' } });
  const second = await enrolled(gw, 'dev-pw-22');
  await allCanLogIn([first, second]);
});
