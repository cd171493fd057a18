/**
 * Enrolling simulated devices through a gateway's HTTP API (what sim-devices.ts enrolDevices calls, as
 * in production), where a refused step is tried again as hall IT and a device
 * would: register again for a fresh code, enrol again. On PostgreSQL, enrolments running at once in
 * several workers used to fail with a serialization error once the store had used up its retries
 * (HTTP 500); they lock what they read now (docs/POSTGRES.md). Any refused call is still counted and
 * printed, instead of going on with half-enrolled devices.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { GENESIS_HASH, enrolmentProofText } from '@hcp/contract';
import type { RunningGateway } from '../lib/gateway-process.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimDevice } from './sim-devices.js';

export interface EnrolStats {
  /** Register or enrol calls answered with an error (then tried again). */
  refused: number;
  lastError: string;
}

const ATTEMPTS = 8;

async function enrolOne(gw: RunningGateway, id: string, stats: EnrolStats): Promise<SimDevice> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  for (let attempt = 1; ; attempt++) {
    const registered = await gw.api('POST', '/api/devices', { deviceId: id, windowId: 'w-01' });
    if (registered.status === 200 || registered.status === 201) {
      const code = registered.body.code as string;
      const proof = sign(null, Buffer.from(enrolmentProofText(id, code)), privateKey).toString('base64');
      const res = await fetch(`${gw.http}/api/enrol`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ deviceId: id, code, publicKeyPem, proof }),
      });
      const body = (await res.json()) as { password?: string; keyProof?: string; message?: string };
      if (res.status === 200 && body.password) return { id, key: privateKey, head: { seq: 0, hash: GENESIS_HASH }, password: body.password, keyProof: body.keyProof };
      stats.lastError = `enrol: HTTP ${res.status} ${body.message ?? ''}`;
    } else stats.lastError = `register: HTTP ${registered.status} ${JSON.stringify(registered.body).slice(0, 200)}`;
    stats.refused++;
    if (attempt >= ATTEMPTS) throw new Error(`${id} not enrolled after ${ATTEMPTS} attempts: ${stats.lastError}`);
    await sleep(100 * attempt);
  }
}

/** Enrol `n` devices named `<prefix>-0000`…, one after another. */
export async function enrolWithRetry(gw: RunningGateway, n: number, prefix: string, stats: EnrolStats): Promise<SimDevice[]> {
  const out: SimDevice[] = [];
  for (let i = 0; i < n; i++) out.push(await enrolOne(gw, `${prefix}-${String(i).padStart(4, '0')}`, stats));
  return out;
}
