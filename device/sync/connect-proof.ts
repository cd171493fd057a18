/**
 * The password of one MQTT connection (issue 10, hole 14). With keyProof 'connect' the device asks
 * the gateway for a fresh one-time nonce before every connection attempt and signs it with its
 * Ed25519 key (device/contract/key-proof.ts): a copied password alone gets nobody in. With 'none'
 * (a site's own broker) the password is the enrolment password.
 */
import { ConnectNonceSchema, composeProofPassword, mqttProofText } from '../contract/index.js';
import type { DeviceIdentity } from '../runtime/ports.js';
import type { MqttCredentials } from './enrolment-client.js';
import { answerMessage, postJson } from './gateway-http.js';

export async function connectPassword(creds: MqttCredentials, identity: DeviceIdentity, o: { url: string; ca?: Buffer; signal: AbortSignal }): Promise<string> {
  if (creds.keyProof === 'none') return creds.password;
  const url = `${o.url.replace(/\/$/, '')}/api/devices/${encodeURIComponent(identity.deviceId)}/nonce`;
  let res: Awaited<ReturnType<typeof postJson>>;
  try {
    res = await postJson(url, undefined, { signal: o.signal, ...(o.ca ? { ca: o.ca } : {}) });
  } catch (err) {
    // Say which leg failed: hall IT checks gateway.url for this one, not gateway.mqttUrl.
    throw new Error(`no connection nonce from the gateway (gateway.url): ${(err as Error).message}`);
  }
  if (res.status !== 200) throw new Error(`no connection nonce from the gateway: HTTP ${res.status}${answerMessage(res.body) ? ` (${answerMessage(res.body)})` : ''}`);
  const answer = ConnectNonceSchema.safeParse(res.body);
  if (!answer.success) throw new Error('the nonce answer does not match the contract (ConnectNonceSchema)');
  const { nonce } = answer.data;
  return composeProofPassword(creds.password, nonce, identity.sign(Buffer.from(mqttProofText(identity.deviceId, nonce))));
}
