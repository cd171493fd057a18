/**
 * `gateway make-tls --config gateway.json [--hosts name,ip,…] [--days N]` (issue 15, "TLS"):
 * makes the hall CA once (tls/hall-ca.pem and its key, beside the config file), issues the
 * gateway's certificate signed by it, and writes `http.tls` / `mqtt.tls` into the config where they
 * are absent. Run again, it renews the gateway certificate with a new key and keeps the CA, so
 * devices go on trusting the gateway. Paths already in the config are used as they are (relative
 * ones from the config file's folder, as the gateway takes them).
 *
 * The config is read as plain JSON, not validated first: its TLS files may well not exist yet.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { certificateFacts, checkHost, ensureHallCa, issueGatewayCertificate, type CertificateFacts } from './hall-ca.js';
import { TlsError, writeFileAtomic } from './openssl.js';

/** A little over a year, the longest browsers accept for a public certificate: renew yearly. */
export const GATEWAY_CERT_DAYS = 397;

export interface MakeTlsOptions {
  configFile: string;
  /** Replaces the default host list when given. */
  hosts?: string[];
  days?: number;
  now?: Date;
}

export interface MakeTlsResult {
  ca: CertificateFacts & { made: boolean };
  gateway: CertificateFacts & { renewed: boolean; shortenedTo?: number };
  /** The config fields written (e.g. "http.tls"), none when they were all there. */
  configChanges: string[];
  notes: string[];
}

type TlsSection = { keyFile?: string; certFile?: string; caFile?: string };
/** The parts of the config file this command reads or writes; the rest is kept as it is. */
type RawSection = { host?: unknown; publicUrl?: unknown; external?: unknown; tls?: TlsSection; [key: string]: unknown };
type RawConfig = { http?: RawSection; mqtt?: RawSection; hall?: { hallName?: unknown }; [key: string]: unknown };

export function makeTls(o: MakeTlsOptions): MakeTlsResult {
  const configFile = resolve(o.configFile);
  const configDir = dirname(configFile);
  const config = readConfig(configFile);
  const days = o.days ?? GATEWAY_CERT_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new TlsError(`--days: a whole number of days from 1 to 3650, got ${o.days}`);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(configDir, p));
  const rel = (p: string) => {
    const r = relative(configDir, p);
    return r.startsWith('..') || isAbsolute(r) ? p : r.split(sep).join('/');
  };

  config.http ??= {};
  config.mqtt ??= {};
  const { http, mqtt } = config;
  const external = !!mqtt.external;
  const sections: Array<{ name: 'http.tls' | 'mqtt.tls'; owner: RawSection }> = [{ name: 'http.tls', owner: http }];
  const notes: string[] = [];
  if (external) notes.push('mqtt.external: the site broker serves its own certificate; sign one for it with this CA or give it tls/gw.pem and tls/gw.key');
  else sections.push({ name: 'mqtt.tls', owner: mqtt });

  const given = sections.map((s) => s.owner.tls).find((t) => t?.caFile);
  const caFile = abs(given?.caFile ?? 'tls/hall-ca.pem');
  const caKeyFile = caFile.replace(/(\.pem|\.crt)?$/, '.key');
  const pairs = new Map<string, { keyFile: string; certFile: string }>();
  for (const s of sections) {
    const t = s.owner.tls;
    const pair = { keyFile: abs(t?.keyFile ?? 'tls/gw.key'), certFile: abs(t?.certFile ?? 'tls/gw.pem') };
    pairs.set(`${pair.keyFile}\n${pair.certFile}`, pair);
  }
  for (const f of [caFile, ...[...pairs.values()].flatMap((p) => [p.keyFile, p.certFile])]) mkdirSync(dirname(f), { recursive: true, mode: 0o755 });

  const previous = [...pairs.values()].map((p) => readOldHosts(p.certFile)).find((h) => h !== undefined);
  const hosts = o.hosts ? o.hosts.map(checkHost) : defaultHosts(config, previous ?? []);
  const ca = ensureHallCa(caFile, caKeyFile, String(config.hall?.hallName ?? 'hcp'), o.now);
  const issued = issueGatewayCertificate(ca, [...new Set(hosts)], days, [...pairs.values()], o.now);

  const configChanges: string[] = [];
  const [firstPair] = pairs.values();
  for (const s of sections) {
    if (!s.owner.tls) {
      s.owner.tls = { keyFile: rel(firstPair!.keyFile), certFile: rel(firstPair!.certFile), caFile: rel(caFile) };
      configChanges.push(s.name);
    } else if (!s.owner.tls.caFile) {
      // The provisioning sheet shows the CA's fingerprint from here, for whoever installs a device.
      s.owner.tls.caFile = rel(caFile);
      configChanges.push(`${s.name}.caFile`);
    }
  }
  if (configChanges.length > 0) writeFileAtomic(configFile, `${JSON.stringify(config, null, 2)}\n`, statSync(configFile).mode & 0o777);
  return {
    ca: { ...ca.facts, made: ca.made },
    gateway: { ...issued.facts, renewed: previous !== undefined, ...(issued.shortenedTo ? { shortenedTo: issued.shortenedTo } : {}) },
    configChanges,
    notes,
  };
}

/** What the command prints: where the CA file is, what devices need, and when each expires. */
export function describeResult(r: MakeTlsResult): string[] {
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return [
    `hall CA      ${r.ca.file}  (${r.ca.made ? 'made now' : 'kept'}; expires ${day(r.ca.validTo)})`,
    `             SHA-256 ${r.ca.sha256}`,
    `gateway      ${r.gateway.file}  (${r.gateway.renewed ? 'renewed' : 'issued'}; expires ${day(r.gateway.validTo)}${r.gateway.shortenedTo ? `, ${r.gateway.shortenedTo} days: the CA expires first` : ''})`,
    `             for ${r.gateway.hosts.join(', ')}`,
    r.configChanges.length > 0 ? `config       wrote ${r.configChanges.join(', ')}` : 'config       already names these files',
    ...r.notes.map((n) => `note         ${n}`),
    `devices      give each device this file as gateway.caFile: ${r.ca.file}`,
    `             the provisioning sheet shows its fingerprint to check it by`,
    `next         restart the gateway to use the new certificate; run this again before ${day(r.gateway.validTo)} to renew it`,
  ];
}

function readConfig(file: string): RawConfig {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('not a JSON object');
    return raw as RawConfig;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TlsError(`config ${file} does not exist`);
    if (code === 'EACCES') throw new TlsError(`config ${file} cannot be read by this user`);
    throw new TlsError(`config ${file}: cannot read it as JSON (${(err as Error).message})`);
  }
}

function readOldHosts(certFile: string): string[] | undefined {
  try {
    return certificateFacts(certFile).hosts;
  } catch {
    return undefined;
  }
}

/** The names devices and browsers may use: the old certificate's, this machine's, the config's, loopback. */
function defaultHosts(config: RawConfig, previous: string[]): string[] {
  const wildcard = new Set(['0.0.0.0', '::', '']);
  const fromUrl = (u: unknown) => {
    try {
      return typeof u === 'string' ? new URL(u).hostname.replace(/^\[(.*)\]$/, '$1') : undefined;
    } catch {
      return undefined;
    }
  };
  const candidates = [...previous, hostname(), config.http?.host, config.mqtt?.host, fromUrl(config.http?.publicUrl), fromUrl(config.mqtt?.publicUrl), '127.0.0.1', 'localhost'];
  const hosts: string[] = [];
  for (const c of candidates) {
    if (typeof c !== 'string' || wildcard.has(c)) continue;
    try {
      hosts.push(checkHost(c));
    } catch {
      /* a name a certificate cannot carry (e.g. a host name with "_"): left out, not fatal */
    }
  }
  return [...new Set(hosts)];
}
