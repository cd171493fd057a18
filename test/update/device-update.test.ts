/**
 * The update drill (issue 15, "Remote update of devices"; docs/UPDATE.md) with real processes: a
 * gateway with the releases feature, two devices each run by the update launcher from a real build
 * of the device runtime, and a citizen rating at each window throughout. A signed release goes to
 * the canary, then — once it is healthy — to the other device; a release that crashes at start and
 * one that never connects to the gateway are rolled back by the launcher on its own and reported; a
 * tampered tarball and a release signed with an untrusted key are refused. Every rating a device
 * confirmed is stored once at the gateway.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { makeRelease, makeReleaseKey } from '../../scripts/make-release.js';
import { loggedIn, type ConsoleClient } from '../support/console-client.js';
import { buildDeviceRuntime } from './device-build.js';
import { Citizen, staffBadge, startLauncher, startReleaseGateway, until, type LaunchedDevice } from './update-stand.js';

const CANARY = 'dev-upd-1';
const OTHER = 'dev-upd-2';
let tmp: string;
let gw: Gateway;
let gwDataDir: string;
let it_: ConsoleClient;
let key: ReturnType<typeof makeReleaseKey>;
let factory: string;
const devices = new Map<string, LaunchedDevice>();
const citizens: Citizen[] = [];

const releaseOf = (version: string, from = factory, keyFile = key.privateFile) =>
  makeRelease({ dist: from, version, keyFile, outDir: join(tmp, 'releases', keyFile === key.privateFile ? 'hall' : 'other') });

async function upload(r: { tarball: string; releaseFile: string }, tarball = readFileSync(r.tarball)) {
  const res = await fetch(`${gw.httpUrl}/api/releases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${it_.token}`, 'content-type': 'application/octet-stream', 'x-hcp-release': readFileSync(r.releaseFile).toString('base64') },
    body: tarball,
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function offerOf(version: string, deviceId: string): Promise<{ state: string; reason: string | null; role: string } | undefined> {
  const r = await it_.call('GET', `/api/releases/${version}`);
  return (r.body.devices as Array<{ deviceId: string; state: string; reason: string | null; role: string }>).find((d) => d.deviceId === deviceId);
}

const reaches = (version: string, deviceId: string, state: string, ms = 60_000) =>
  until(async () => (await offerOf(version, deviceId))?.state === state, ms, `${deviceId} ${state} on ${version}`);

async function versionAtGateway(deviceId: string): Promise<string | undefined> {
  const list = (await it_.call('GET', '/api/devices')).body as Array<{ deviceId: string; online: boolean; status: { softwareVersion?: string } | null }>;
  const d = list.find((x) => x.deviceId === deviceId);
  return d?.online ? d.status?.softwareVersion : undefined;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'hcp-upd-'));
  key = makeReleaseKey(join(tmp, 'keys'));
  factory = join(tmp, 'factory');
  await buildDeviceRuntime(factory, '0.1.0');
  ({ gw, dataDir: gwDataDir } = await startReleaseGateway([readFileSync(key.publicFile, 'utf8')]));
  await gw.auth.createUser('hall-it-upd', 'correct horse battery', 'hall-it');
  it_ = await loggedIn(gw, 'hall-it-upd', 'correct horse battery');
  for (const [id, windowId] of [
    [CANARY, 'w-01'],
    [OTHER, 'w-02'],
  ] as const) {
    const { code } = await gw.enrolment.registerDevice(id, windowId);
    const device = await startLauncher({
      deviceId: id,
      dir: join(tmp, id),
      factoryDir: factory,
      gatewayUrl: gw.httpUrl,
      mqttUrl: `mqtt://127.0.0.1:${gw.mqttPort}`,
      enrolmentCode: code,
      releaseKeyFile: key.publicFile,
      healthTimeoutSec: 8,
    });
    devices.set(id, device);
  }
  for (const id of [CANARY, OTHER]) await until(async () => (await versionAtGateway(id)) === '0.1.0', 30_000, `${id} online on 0.1.0`);
  citizens.push(new Citizen(devices.get(CANARY)!, staffBadge('w-01')), new Citizen(devices.get(OTHER)!, staffBadge('w-02')));
  for (const c of citizens) c.start();
}, 120_000);

afterAll(async () => {
  for (const c of citizens) await c.stop();
  for (const d of devices.values()) await d.stop();
  await gw?.stop();
});

describe('remote update of devices', () => {
  it('the releases API is in the OpenAPI document of the gateway, for scripts and the console', async () => {
    const paths = Object.keys(((await (await fetch(`${gw.httpUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/releases', '/api/releases/{version}', '/api/releases/{version}/rollout', '/api/releases/{version}/continue']));
    // Without a hall-IT session nothing is uploaded or offered.
    expect((await fetch(`${gw.httpUrl}/api/releases/0.2.0/rollout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"rest":[]}' })).status).toBe(401);
  });

  it('a signed release goes to the canary first, and to the rest once the canary is healthy', async () => {
    const release = releaseOf('0.2.0');
    const up = await upload(release);
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ version: '0.2.0', rollbackSafe: true, uploadedBy: 'hall-it-upd' });
    const rollout = await it_.call('POST', '/api/releases/0.2.0/rollout', { canary: CANARY, rest: [OTHER] });
    expect(rollout.body).toEqual({ offered: [CANARY], held: [OTHER] });
    // Sampled from one answer at a time: the other device leaves 'held' only once the canary is healthy.
    const samples: string[] = [];
    const canaryMs = await until(
      async () => {
        const states = ((await it_.call('GET', '/api/releases/0.2.0')).body.devices as Array<{ deviceId: string; state: string }>).map((d) => `${d.deviceId}=${d.state}`);
        samples.push(states.join(' '));
        return samples.at(-1)!.includes(`${OTHER}=healthy`);
      },
      60_000,
      'the rollout to finish',
    );
    const early = samples.filter((x) => !x.includes(`${CANARY}=healthy`) && !x.includes(`${OTHER}=held`));
    expect(early).toEqual([]);
    expect(samples[0]).toContain(`${OTHER}=held`);
    console.log(`0.2.0 healthy on both devices ${canaryMs} ms after the rollout; states seen: ${[...new Set(samples)].join(' → ')}`);
    for (const id of [CANARY, OTHER]) {
      await until(async () => (await versionAtGateway(id)) === '0.2.0', 20_000, `${id} reports 0.2.0`);
      expect((await devices.get(id)!.api('GET', '/api/status')).body.softwareVersion).toBe('0.2.0');
    }
    const audit = await gw.store.db.selectFrom('audit_log').select(['action', 'subject']).where('subject', '=', '0.2.0').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['release-uploaded', 'release-offered']));
  }, 150_000);

  it('a release that crashes at start is rolled back by the device itself, and the gateway is told why', async () => {
    const broken = join(tmp, 'broken');
    cpSync(factory, broken, { recursive: true, verbatimSymlinks: true });
    const main = join(broken, 'device/main.js');
    writeFileSync(main, `throw new Error('this build is broken');\n${readFileSync(main, 'utf8')}`);
    expect((await upload(releaseOf('0.3.0', broken))).status).toBe(200);
    expect((await it_.call('POST', '/api/releases/0.3.0/rollout', { rest: [CANARY] })).body).toEqual({ offered: [CANARY], held: [] });
    await reaches('0.3.0', CANARY, 'rolled-back');
    const offer = await offerOf('0.3.0', CANARY);
    console.log(`0.3.0 on ${CANARY}: ${offer?.state} (${offer?.reason})`);
    expect(offer?.reason).toMatch(/exited \(code 1\) at start: Error: this build is broken/);
    await until(async () => (await versionAtGateway(CANARY)) === '0.2.0', 30_000, `${CANARY} back on 0.2.0`);
    expect((await devices.get(CANARY)!.api('GET', '/api/status')).body.softwareVersion).toBe('0.2.0');
  }, 120_000);

  it('a release that starts but never connects to the gateway is rolled back after the health timeout', async () => {
    const mute = join(tmp, 'mute');
    cpSync(factory, mute, { recursive: true, verbatimSymlinks: true });
    const main = join(mute, 'device/main.js');
    const text = readFileSync(main, 'utf8');
    // A real build whose sync never starts: it serves its local API but never reaches the gateway.
    expect(text).toContain('config.gateway !== void 0');
    writeFileSync(main, text.replace('config.gateway !== void 0', 'false'));
    expect((await upload(releaseOf('0.4.0', mute))).status).toBe(200);
    await it_.call('POST', '/api/releases/0.4.0/rollout', { rest: [OTHER] });
    await reaches('0.4.0', OTHER, 'rolled-back');
    const offer = await offerOf('0.4.0', OTHER);
    console.log(`0.4.0 on ${OTHER}: ${offer?.state} (${offer?.reason})`);
    expect(offer?.reason).toBe('it did not connect to the gateway within 8 s');
    await until(async () => (await versionAtGateway(OTHER)) === '0.2.0', 30_000, `${OTHER} back on 0.2.0`);
  }, 120_000);

  it('a tampered tarball or an untrusted key is refused at upload, and a tarball changed on the gateway is refused by the device', async () => {
    const release = releaseOf('0.5.0');
    const bytes = readFileSync(release.tarball);
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 10]! ^= 0xff;
    const refused = await upload(release, tampered);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'tampered', message: 'the tarball does not match the sha256 in the signed manifest' });
    const longer = await upload(release, Buffer.concat([bytes, Buffer.from('extra')]));
    expect(longer.body).toMatchObject({ error: 'tampered', message: 'the tarball is larger than the signed manifest says' });

    const stranger = makeReleaseKey(join(tmp, 'stranger-keys'));
    const foreign = releaseOf('0.5.0', factory, stranger.privateFile);
    const unknown = await upload(foreign);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('unknown-key');
    expect(unknown.body.message).toContain(`signed with key ${stranger.keyId}, which is not a trusted release key`);
    expect(((await it_.call('GET', '/api/releases')).body as Array<{ version: string }>).map((r) => r.version)).not.toContain('0.5.0');

    // Accepted, then changed on the gateway's disk (same size): the device checks the bytes itself.
    expect((await upload(release)).status).toBe(200);
    const onDisk = join(gwDataDir, 'releases', '0.5.0.tar.gz');
    writeFileSync(onDisk, tampered);
    await it_.call('POST', '/api/releases/0.5.0/rollout', { rest: [CANARY] });
    await reaches('0.5.0', CANARY, 'refused');
    expect((await offerOf('0.5.0', CANARY))?.reason).toBe('the tarball does not match the sha256 in the signed manifest');
    expect((await devices.get(CANARY)!.api('GET', '/api/status')).body.softwareVersion).toBe('0.2.0');
    const audit = await gw.store.db.selectFrom('audit_log').select(['action']).where('action', '=', 'release-refused').execute();
    expect(audit.length).toBe(3);
  }, 120_000);

  it('every rating a device confirmed through all the switches is stored once at the gateway', async () => {
    for (const c of citizens) await c.stop();
    for (const d of devices.values()) {
      await until(async () => (await d.api('GET', '/api/status')).body.backlog === 0, 60_000, `${d.deviceId} synced`).catch(async (err) => {
        console.log(JSON.stringify((await d.api('GET', '/api/status')).body), JSON.stringify((await d.api('GET', '/api/state')).body.connection), d.stderr().slice(-3000));
        throw err;
      });
    }
    const confirmed = citizens.flatMap((c) => c.confirmed);
    const rows = await gw.store.db.selectFrom('records').select('id').where('device_id', 'in', [CANARY, OTHER]).where('kind', '=', 'rating').execute();
    const stored = rows.map((r) => r.id);
    console.log(
      `ratings confirmed ${confirmed.length} (${citizens.map((c) => c.confirmed.length).join(' + ')}), presses that found no running version ${citizens.reduce((n, c) => n + c.failedPresses, 0)}, stored ${stored.length}; longest time no version answered ${citizens.map((c) => c.longestOutageMs).join(' / ')} ms`,
    );
    expect(confirmed.length).toBeGreaterThan(20);
    expect(new Set(stored).size).toBe(stored.length);
    const missing = confirmed.filter((id) => !stored.includes(id));
    expect(missing).toEqual([]);
  }, 90_000);
});
