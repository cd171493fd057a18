/**
 * A business system's API key is 256 random bits the gateway made: it is stored as its SHA-256,
 * not scrypt-hashed (gateway/store/secrets.ts). A key issued when keys were scrypt-hashed still
 * works until it is rotated, and a rotated key stops working.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CasesFeature } from '../../gateway/cases/cases-feature.js';
import type { Gateway } from '../../gateway/gateway.js';
import { hashSecret } from '../../gateway/store/secrets.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';

let gw: Gateway;
const keys = () => (gw.features.get('cases') as CasesFeature).keys;
const stored = async (systemId: string) => (await gw.store.db.selectFrom('case_api_keys').select('key_hash').where('system_id', '=', systemId).executeTakeFirstOrThrow()).key_hash;

beforeAll(async () => {
  gw = await startInProcessGateway({ sections: { cases: { answerWaitMs: 0 } } });
});
afterAll(async () => gw?.stop());

it('stores a new key as its SHA-256 and knows it, and no other', async () => {
  const key = await keys().issue('qlzx-ywxt');
  expect(await stored('qlzx-ywxt')).toMatch(/^sha256\$[A-Za-z0-9+/]{43}=$/);
  expect(await keys().verify(key)).toBe('qlzx-ywxt');
  expect(await keys().verify(`${key}x`)).toBeNull();
  expect(await keys().verify('qlzx-ywxt.not-the-secret')).toBeNull();
});

it('still knows a key stored scrypt-hashed, until it is rotated', async () => {
  const old = 'bdc-system.an-old-key-issued-before-sha256-0000000000000';
  await gw.store.db
    .insertInto('case_api_keys')
    .values({ system_id: 'bdc-system', key_hash: hashSecret(old), created_at: new Date().toISOString() })
    .execute();
  expect(await keys().verify(old)).toBe('bdc-system');
  const rotated = await keys().issue('bdc-system');
  expect(await keys().verify(old)).toBeNull();
  expect(await keys().verify(rotated)).toBe('bdc-system');
});
