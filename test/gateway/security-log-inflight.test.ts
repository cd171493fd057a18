/**
 * A refusal counted while the security log's write is in flight is not lost. The flood test
 * (security-flood.test.ts) read 1,499 of 1,500 refusals now and then on PostgreSQL: the log marked
 * a row written with the count it had after the write's await, not the count the write carried.
 * Here the write is held open at a chosen point (a Kysely plugin that waits on its result) so the
 * repeat lands exactly there, on both stores.
 */
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { SecurityLog, type SecurityEvent } from '../../gateway/security/security-log.js';
import type { GatewayStore } from '../../gateway/store/database.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';

/** Holds every query's result until `open()`; `reached` resolves when the first one is held. */
class HoldResults implements KyselyPlugin {
  private release!: () => void;
  private readonly gate = new Promise<void>((r) => (this.release = r));
  private signal!: () => void;
  readonly reached = new Promise<void>((r) => (this.signal = r));
  transformQuery(a: PluginTransformQueryArgs): RootOperationNode {
    return a.node;
  }
  async transformResult(a: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.signal();
    await this.gate;
    return a.result;
  }
  open(): void {
    this.release();
  }
}

let gw: Gateway;
beforeAll(async () => {
  gw = await startInProcessGateway({});
});
afterAll(async () => gw?.stop());

const refusal: SecurityEvent = { kind: 'connect-refused', clientId: null, remote: '203.0.113.9', detail: 'wrong password' };

describe('the security log', () => {
  it('keeps a repeat counted while the row that holds its kind is being written', async () => {
    const hold = new HoldResults();
    const held: GatewayStore = { ...gw.store, write: (fn) => gw.store.write((trx) => fn(trx.withPlugin(hold))) };
    const log = new SecurityLog(held, { now: () => Date.now() }, pino({ level: 'silent' }));
    log.start();
    log.record({ ...refusal }); // the first of its kind: written at once
    await hold.reached; // the insert has run; its answer is held
    log.record({ ...refusal });
    log.record({ ...refusal });
    hold.open();
    await log.stop();
    const rows = await gw.store.db.selectFrom('security_events').select(['count']).where('remote', '=', refusal.remote).execute();
    expect(rows.map((r) => r.count)).toEqual([3]);
  });
});
