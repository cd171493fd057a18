/**
 * Registering and enrolling many devices at once on PostgreSQL. Registering is one device's
 * business, so registering different devices at once must not make their transactions conflict:
 * tried once, with no retry to hide a collision. It did: first because registering read the
 * device's row and voided older codes with a delete by device_id (88 of 96 failed), then, rarely,
 * because SERIALIZABLE marks the devices' index page that the code's foreign key reads, which
 * other devices' registrations insert into (CI: 4 of 96). Registering now runs READ COMMITTED and
 * locks what it reads (docs/POSTGRES.md); the second test pins the order that aborted it.
 * Enrolling is one device's business too, and is tried once the same way. Under SERIALIZABLE it
 * collided (read/write dependencies through index pages, 40001): 7 of 96 tried once, and in CI
 * 4 of 40 enrolments at once ran out of the store's ten tries (test/gateway/concurrent-logins.test.ts
 * on PostgreSQL, 2026-12-05). It now locks the device's row and its code's and runs READ COMMITTED.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { enrolmentProofText } from '@hcp/contract';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
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
const ids = Array.from({ length: DEVICES }, (_, i) => `dev-enrol-${String(i).padStart(2, '0')}`);

beforeAll(async () => {
  gw = await startInProcessGateway({ dir });
  // The same database as the gateway's, with a write that is tried once: a conflict is an error here.
  const connectionString = await testDatabaseUrl(join(dir, 'data'));
  once = await openPostgresStore({ connectionString, poolSize: DEVICES, maxWriteAttempts: 1 });
});
afterAll(async () => {
  await once?.close();
  await gw?.stop();
});

const failuresOf = (answers: PromiseSettledResult<unknown>[]) => answers.flatMap((a) => (a.status === 'rejected' ? [String((a.reason as Error).message).slice(0, 120)] : []));

it(`registers and enrols ${DEVICES} devices at once, ${ROUNDS} times over, each tried once, without a serialization failure`, async () => {
  const options = { clock: { now: () => Date.now() }, alerts: gw.alerts, keyProof: 'connect' as const };
  const enrolment = new Enrolment({ ...options, store: once });
  const keys = new Map(ids.map((id) => [id, generateKeyPairSync('ed25519')]));
  const failures: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Each round registers every device again (a new code voids the older unused one), then enrols.
    const registered = await Promise.allSettled(ids.map((id) => enrolment.registerDevice(id, 'w-01')));
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

/** Holds a registration open after its code is inserted (foreign key checked), before it commits. */
class HoldAfterCodeInsert implements KyselyPlugin {
  private release!: () => void;
  private readonly gate = new Promise<void>((r) => (this.release = r));
  private signal!: () => void;
  readonly reached = new Promise<void>((r) => (this.signal = r));
  private readonly codeInserts = new WeakSet<object>();
  transformQuery(a: PluginTransformQueryArgs): RootOperationNode {
    if (a.node.kind === 'InsertQueryNode' && a.node.into?.table.identifier.name === 'enrolment_codes') this.codeInserts.add(a.queryId);
    return a.node;
  }
  async transformResult(a: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.codeInserts.has(a.queryId)) {
      this.signal();
      await this.gate;
    }
    return a.result;
  }
  open(): void {
    this.release();
  }
}

it('registers three new devices whose writes overlap in the one order SERIALIZABLE must refuse, tried once each', async () => {
  // A's code insert reads the devices' index page (its foreign key) before B inserts its device
  // into that page; B reads it before C inserts; C commits first. Under SERIALIZABLE that makes B a
  // "pivot" and PostgreSQL aborts it (it did: 40001), though the three touch no common row.
  const hold = (h: HoldAfterCodeInsert): GatewayStore => ({ ...once, write: (fn, options) => once.write((trx) => fn(trx.withPlugin(h)), options) });
  const [a, b, c] = [new HoldAfterCodeInsert(), new HoldAfterCodeInsert(), new HoldAfterCodeInsert()];
  const register = (h: HoldAfterCodeInsert, id: string) =>
    new Enrolment({ clock: { now: () => Date.now() }, alerts: gw.alerts, keyProof: 'connect', store: hold(h) }).registerDevice(id, 'w-01');
  const first = register(a, 'dev-pivot-a');
  await a.reached;
  const second = register(b, 'dev-pivot-b');
  await b.reached;
  const third = register(c, 'dev-pivot-c');
  await c.reached;
  c.open();
  const answers = [await Promise.allSettled([third])];
  b.open();
  answers.push(await Promise.allSettled([second]));
  a.open();
  answers.push(await Promise.allSettled([first]));
  expect(answers.flatMap(failuresOf)).toEqual([]);
  const rows = await once.db.selectFrom('devices').select('enrolment_code_hash').where('device_id', 'like', 'dev-pivot-%').execute();
  expect(rows.filter((r) => r.enrolment_code_hash !== null)).toHaveLength(3);
});
