/**
 * The device's side of enrolment: present the one-time code and the device's public key, keep the
 * MQTT credentials it gets in the data dir (mode 0600). Once enrolled, the code is never needed again.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { enrolmentProofText } from '../contract/index.js';

const CredentialsSchema = z.object({ username: z.string().min(1), password: z.string().min(1) });
export type MqttCredentials = z.infer<typeof CredentialsSchema>;

const FILE = 'gateway-credentials.json';

export function loadCredentials(dataDir: string): MqttCredentials | null {
  const file = join(dataDir, FILE);
  if (!existsSync(file)) return null;
  const parsed = CredentialsSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : null;
}

export class EnrolmentRefused extends Error {}

export async function enrol(o: { url: string; deviceId: string; code: string; publicKeyPem: string; sign: (data: Buffer) => string; dataDir: string }): Promise<MqttCredentials> {
  const proof = o.sign(Buffer.from(enrolmentProofText(o.deviceId, o.code)));
  const res = await fetch(`${o.url.replace(/\/$/, '')}/api/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ deviceId: o.deviceId, code: o.code, publicKeyPem: o.publicKeyPem, proof }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json().catch(() => ({}))) as { message?: string };
  if (res.status >= 400 && res.status < 500) throw new EnrolmentRefused(`the gateway refused enrolment: ${body.message ?? res.status}`);
  if (!res.ok) throw new Error(`enrolment failed with HTTP ${res.status}`);
  const creds = CredentialsSchema.parse(body);
  const file = join(o.dataDir, FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(creds), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return creds;
}
