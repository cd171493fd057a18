/**
 * What a device's provisioning sheet needs besides its one-time code (issue 11): the gateway's
 * HTTP and MQTT addresses as devices should use them (the device config's `gateway.url` and
 * `gateway.mqttUrl`), the hall's name, and with TLS the SHA-256 fingerprint of the hall CA that
 * devices get as `gateway.caFile`, so whoever installs a device can check it has the right file.
 * The code itself is never here: it is shown once, when it is made.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { GatewayConfig } from '../config/gateway-config.js';

export const ProvisioningSchema = z.object({
  hallName: z.string(),
  /** For the device config's gateway.url. */
  httpUrl: z.string(),
  /** For the device config's gateway.mqttUrl. */
  mqttUrl: z.string(),
  /** Which of the two were not configured (http.publicUrl, mqtt.publicUrl) but made from the address the console used: check them. */
  guessed: z.array(z.enum(['httpUrl', 'mqttUrl'])),
  tls: z.object({ http: z.boolean(), mqtt: z.boolean() }),
  /** The hall CA(s) configured as http.tls.caFile / mqtt.tls.caFile. */
  caCertificates: z.array(
    z.object({
      usedFor: z.array(z.enum(['http', 'mqtt'])),
      /** As `openssl x509 -noout -fingerprint -sha256` prints it. */
      sha256: z.string(),
      subject: z.string(),
      validTo: z.string(),
    }),
  ),
});
export type Provisioning = z.infer<typeof ProvisioningSchema>;

/** Where the gateway listens now (ports chosen at start, e.g. port 0 in tests). */
export interface Listening {
  httpUrl: string;
  mqttPort: number;
}

/** `consoleHost`: the host name the console reached the gateway by (the fallback for unconfigured addresses). */
export function provisioningSheet(c: GatewayConfig, listening: Listening, consoleHost: string): Provisioning {
  const guessed: Provisioning['guessed'] = [];
  const httpTls = !!c.http.tls;
  // A site broker carries the devices' MQTT; its TLS is the site's.
  const mqttTls = c.mqtt.external ? c.mqtt.external.url.startsWith('mqtts:') : !!c.mqtt.tls;
  let httpUrl = c.http.publicUrl;
  if (!httpUrl) {
    guessed.push('httpUrl');
    httpUrl = `${httpTls ? 'https' : 'http'}://${consoleHost}:${new URL(listening.httpUrl).port || c.http.port}`;
  }
  let mqttUrl = c.mqtt.publicUrl ?? c.mqtt.external?.url;
  if (!mqttUrl) {
    guessed.push('mqttUrl');
    mqttUrl = `${mqttTls ? 'mqtts' : 'mqtt'}://${consoleHost}:${listening.mqttPort || c.mqtt.port}`;
  }
  const caFiles = new Map<string, Array<'http' | 'mqtt'>>();
  if (c.http.tls?.caFile) caFiles.set(c.http.tls.caFile, ['http']);
  const mqttCa = c.mqtt.external ? undefined : c.mqtt.tls?.caFile;
  if (mqttCa) caFiles.set(mqttCa, [...(caFiles.get(mqttCa) ?? []), 'mqtt']);
  const caCertificates = [...caFiles].map(([file, usedFor]) => {
    // The first certificate of the file: the CA devices are given.
    const cert = new X509Certificate(readFileSync(file));
    return { usedFor, sha256: cert.fingerprint256, subject: cert.subject, validTo: new Date(cert.validTo).toISOString() };
  });
  return { hallName: c.hall.hallName, httpUrl, mqttUrl, guessed, tls: { http: httpTls, mqtt: mqttTls }, caCertificates };
}
