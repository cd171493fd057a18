/**
 * The device's side of enrolment: present the one-time code and the device's public key, keep the
 * MQTT credentials and the gateway's key-proof mode in the data dir (mode 0600). Once enrolled,
 * the code is never needed again.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnrolmentAnswerSchema, enrolmentProofText, type EnrolmentAnswer } from '../contract/index.js';
import { answerMessage, postJson } from './gateway-http.js';

/**
 * What the device keeps: the enrolment answer as it came. A file written before key proofs existed
 * has no `keyProof`, and means 'none' (the schema's default).
 */
export type MqttCredentials = EnrolmentAnswer;

const FILE = 'gateway-credentials.json';

/** The saved credentials, or null if there are none or the file is unreadable (the device enrols again). */
export function loadCredentials(dataDir: string): MqttCredentials | null {
  const file = join(dataDir, FILE);
  if (!existsSync(file)) return null;
  try {
    const parsed = EnrolmentAnswerSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function saveCredentials(dataDir: string, creds: MqttCredentials): void {
  const file = join(dataDir, FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(creds), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** The gateway said no (a 4xx): the code is wrong, used, or the device unknown. Hall IT can fix it. */
export class EnrolmentRefused extends Error {}

export interface EnrolOptions {
  url: string;
  deviceId: string;
  code: string;
  publicKeyPem: string;
  sign: (data: Buffer) => string;
  dataDir: string;
  ca?: Buffer;
  signal: AbortSignal;
}

export async function enrol(o: EnrolOptions): Promise<MqttCredentials> {
  const proof = o.sign(Buffer.from(enrolmentProofText(o.deviceId, o.code)));
  const res = await postJson(
    `${o.url.replace(/\/$/, '')}/api/enrol`,
    { deviceId: o.deviceId, code: o.code, publicKeyPem: o.publicKeyPem, proof },
    { signal: o.signal, ...(o.ca ? { ca: o.ca } : {}) },
  );
  // 408 and 429 say "not now", not "no".
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
    throw new EnrolmentRefused(answerMessage(res.body) ?? `HTTP ${res.status}`);
  }
  if (res.status !== 200) throw new Error(`enrolment failed with HTTP ${res.status}`);
  const answer = EnrolmentAnswerSchema.safeParse(res.body);
  if (!answer.success) throw new Error('the enrolment answer does not match the contract (EnrolmentAnswerSchema)');
  saveCredentials(o.dataDir, answer.data);
  return answer.data;
}
