/**
 * The device's side of enrolment: present the one-time code and the device's public key, keep the
 * MQTT credentials it gets in the data dir (mode 0600). Once enrolled, the code is never needed again.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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

/**
 * POST JSON with node:http(s) rather than fetch: fetch cannot be given the hall CA, and the answer
 * (the MQTT password) must cross the hall LAN only over TLS the device verified.
 */
function postJson(url: string, body: unknown, ca: Buffer | undefined): Promise<{ status: number; body: unknown }> {
  const u = new URL(url);
  const data = Buffer.from(JSON.stringify(body));
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(u, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': data.length }, timeout: 10_000, ...(ca ? { ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let parsed: unknown = {};
        try { parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { /* not JSON: status speaks */ }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('enrolment request timed out')));
    req.on('error', reject);
    req.end(data);
  });
}

export async function enrol(o: { url: string; deviceId: string; code: string; publicKeyPem: string; sign: (data: Buffer) => string; dataDir: string; ca?: Buffer }): Promise<MqttCredentials> {
  const proof = o.sign(Buffer.from(enrolmentProofText(o.deviceId, o.code)));
  const res = await postJson(`${o.url.replace(/\/$/, '')}/api/enrol`, { deviceId: o.deviceId, code: o.code, publicKeyPem: o.publicKeyPem, proof }, o.ca);
  const message = (res.body as { message?: unknown }).message;
  if (res.status >= 400 && res.status < 500) throw new EnrolmentRefused(`the gateway refused enrolment: ${typeof message === 'string' ? message : res.status}`);
  if (res.status !== 200) throw new Error(`enrolment failed with HTTP ${res.status}`);
  const creds = CredentialsSchema.parse(res.body);
  const file = join(o.dataDir, FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(creds), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return creds;
}
