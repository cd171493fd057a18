/**
 * Registering and enrolling many devices at once on PostgreSQL. Registering is one device's
 * business, so registering different devices at once must not make their SERIALIZABLE
 * transactions conflict: tried once, with no retry to hide a collision. It did (the city bench's
 * 10,000 register/enrol calls had five HTTP 500s when ten retries ran out; here 88 of 96 failed):
 * registering read the device's row and voided its older codes with a delete by device_id, and
 * SSI took those reads as reads of whole index pages (a scan: the whole table) that other
 * devices' registrations wrote into. Enrolling still reads a code and a device by key and may
 * collide when PostgreSQL cannot update a row in place (a few in a hundred, here): it goes
 * through the gateway's own store, which retries, and must never run out of retries.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { enrolmentProofText } from '@hcp/contract';
import { Enrolment } from '../../gateway/enrolment/enrolment.js';
import type { Gateway } from '../../gateway/gateway.js';
import type { GatewayStore } from '../../gateway/store/database.js';
import { openPostgresStore } from '../../gateway/store/postgres-store.js';
import { testDatabaseUrl } from '../support/pg-cluster.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';

const DEVICES = 12;
const ROUNDS = 8;
const dir = mkdtempSync(join(tmpdir(), 'hcp-enrol-burst-'));
let gw: Gateway;
let once: GatewayStore;
let retrying: GatewayStore;
const ids = Array.from({ length: DEVICES }, (_, i) => `dev-enrol-${String(i).padStart(2, '0')}`);

beforeAll(async () => {
  gw = await startInProcessGateway({ dir });
  // The same database as the gateway's, with a write that is tried once: a conflict is an error here.
  const connectionString = await testDatabaseUrl(join(dir, 'data'));
  once = await openPostgresStore({ connectionString, poolSize: DEVICES, maxWriteAttempts: 1 });
  retrying = await openPostgresStore({ connectionString, poolSize: DEVICES });
});
afterAll(async () => {
  await once?.close();
  await retrying?.close();
  await gw?.stop();
});

const failuresOf = (answers: PromiseSettledResult<unknown>[]) => answers.flatMap((a) => (a.status === 'rejected' ? [String((a.reason as Error).message).slice(0, 120)] : []));

it(`registers and enrols ${DEVICES} devices at once, ${ROUNDS} times over, without a serialization failure (registering) or an exhausted retry (enrolling)`, async () => {
  const options = { clock: { now: () => Date.now() }, alerts: gw.alerts, keyProof: 'connect' as const };
  const registering = new Enrolment({ ...options, store: once });
  const enrolment = new Enrolment({ ...options, store: retrying });
  const keys = new Map(ids.map((id) => [id, generateKeyPairSync('ed25519')]));
  const failures: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Each round registers every device again (a new code voids the older unused one), then enrols.
    const registered = await Promise.allSettled(ids.map((id) => registering.registerDevice(id, 'w-01')));
    failures.push(...failuresOf(registered).map((f) => `register: ${f}`));
    const enrolled = await Promise.allSettled(
      ids.map((id, i) => {
        const r = registered[i]!;
        if (r.status === 'rejected') return Promise.resolve();
        const { privateKey, publicKey } = keys.get(id)!;
        return enrolment.enrol({
          deviceId: id,
          code: r.value.code,
          publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          proof: sign(null, Buffer.from(enrolmentProofText(id, r.value.code)), privateKey).toString('base64'),
        });
      }),
    );
    failures.push(...failuresOf(enrolled).map((f) => `enrol: ${f}`));
  }
  expect(failures).toEqual([]);
  // Every device enrolled once with its one key (one epoch), and no unused code left behind.
  const epochs = await once.db.selectFrom('devices').select(['device_id', 'current_epoch']).where('device_id', 'in', ids).execute();
  expect(epochs.map((e) => e.current_epoch)).toEqual(ids.map(() => 1));
  const unused = await once.db.selectFrom('enrolment_codes').select('code_hash').where('device_id', 'in', ids).where('used_at', 'is', null).execute();
  expect(unused).toEqual([]);
}, 120_000);
