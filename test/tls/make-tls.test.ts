/**
 * Issue 15, "TLS": `gateway make-tls` as hall IT runs it. What it makes (a CA that signs, a gateway
 * certificate for the hall's names, keys only the owner reads), where (beside the config file,
 * relative paths taken from its folder whatever the working folder), and the one-line errors of
 * the command and of `serve` for a TLS file that is missing or unreadable (never a raw ENOENT).
 */
import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caFileFrom, gatewayCli } from './tls-support.js';

const hall = { hallName: '廊坊市政务服务中心' };

function configIn(config: Record<string, unknown>): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-make-tls-'));
  const file = join(dir, 'gateway.json');
  writeFileSync(file, JSON.stringify(config));
  return { dir, file };
}

/** One line on stderr, exit 2, no stack trace: what hall IT sees for a mistake. */
function expectOneLineError(r: { status: number | null; stderr: string }, message: RegExp) {
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |ENOENT|EACCES/);
}

describe('gateway make-tls', () => {
  it("makes the hall CA and a gateway certificate it signed, for the machine's and the config's names, and writes the config", () => {
    const { dir, file } = configIn({ dataDir: 'data', http: { port: 0, publicUrl: 'https://gw.hall.lan:8443' }, mqtt: { port: 0, publicUrl: 'mqtts://192.168.10.2:8883' }, hall });
    const r = gatewayCli(['make-tls', '--config', file]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(caFileFrom(r.stdout)).toBe(join(dir, 'tls/hall-ca.pem'));
    expect(r.stdout).toMatch(/hall CA .*\(made now; expires \d{4}-\d\d-\d\d\)/);

    const ca = new X509Certificate(readFileSync(join(dir, 'tls/hall-ca.pem')));
    const gw = new X509Certificate(readFileSync(join(dir, 'tls/gw.pem')));
    expect(ca.ca).toBe(true);
    expect(ca.subject).toContain('O=廊坊市政务服务中心');
    expect(gw.ca).toBe(false);
    expect(gw.checkIssued(ca)).toBe(true);
    expect(gw.verify(ca.publicKey)).toBe(true);
    for (const name of [hostname(), 'gw.hall.lan', 'localhost']) expect(gw.checkHost(name)).toBe(name);
    for (const ip of ['127.0.0.1', '192.168.10.2']) expect(gw.checkIP(ip)).toBe(ip);
    expect(r.stdout).toContain(`SHA-256 ${ca.fingerprint256}`);

    // Keys: the owner alone reads them.
    for (const key of ['tls/hall-ca.key', 'tls/gw.key']) expect(statSync(join(dir, key)).mode & 0o777).toBe(0o600);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    const tls = { keyFile: 'tls/gw.key', certFile: 'tls/gw.pem', caFile: 'tls/hall-ca.pem' };
    expect(written.http).toEqual({ port: 0, publicUrl: 'https://gw.hall.lan:8443', tls });
    expect(written.mqtt).toEqual({ port: 0, publicUrl: 'mqtts://192.168.10.2:8883', tls });
    expect(written.hall).toEqual(hall);
  });

  it('uses the paths already in the config, relative to its folder, whatever folder it is run from; --hosts and --days are honoured', () => {
    const { dir, file } = configIn({ dataDir: 'data', http: { port: 0, tls: { keyFile: 'certs/gateway.key', certFile: 'certs/gateway.pem' } }, hall });
    const elsewhere = mkdtempSync(join(tmpdir(), 'hcp-cwd-'));
    const r = gatewayCli(['make-tls', '--config', file, '--hosts', 'hcp-gw.lf.gov.cn,10.1.2.3', '--days', '90'], { cwd: elsewhere });
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(r.stderr).toBe('');
    const gw = new X509Certificate(readFileSync(join(dir, 'certs/gateway.pem')));
    expect(gw.subjectAltName).toBe('DNS:hcp-gw.lf.gov.cn, IP Address:10.1.2.3');
    expect(Math.round((new Date(gw.validTo).getTime() - Date.now()) / 86_400_000)).toBe(90);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written.http.tls).toEqual({ keyFile: 'certs/gateway.key', certFile: 'certs/gateway.pem', caFile: 'tls/hall-ca.pem' });
    expect(written.mqtt.tls).toEqual({ keyFile: 'certs/gateway.key', certFile: 'certs/gateway.pem', caFile: 'tls/hall-ca.pem' });
    expect(r.stdout).toMatch(/config +wrote http\.tls\.caFile, mqtt\.tls/);

    // A renewal without --hosts keeps the names the certificate had.
    gatewayCli(['make-tls', '--config', file]);
    const renewed = new X509Certificate(readFileSync(join(dir, 'certs/gateway.pem')));
    expect(renewed.serialNumber).not.toBe(gw.serialNumber);
    expect(renewed.checkHost('hcp-gw.lf.gov.cn')).toBe('hcp-gw.lf.gov.cn');
    expect(renewed.checkIP('10.1.2.3')).toBe('10.1.2.3');
  });

  it('says in one line what is wrong: no config, a bad host, half a CA, no openssl (leaving no half CA behind)', () => {
    expectOneLineError(gatewayCli(['make-tls', '--config', join(tmpdir(), 'no-such-gateway.json')]), /config .*no-such-gateway\.json does not exist/);
    const { dir, file } = configIn({ dataDir: 'data', hall });
    expectOneLineError(gatewayCli(['make-tls', '--config', file, '--hosts', 'gw.lan,two words']), /--hosts: "two words" is neither a host name nor an IP address/);
    expectOneLineError(gatewayCli(['make-tls', '--config', file, '--days', '0']), /--days: a whole number of days from 1 to 3650/);

    expectOneLineError(
      gatewayCli(['make-tls', '--config', file], { env: { ...process.env, PATH: '/nonexistent' } }),
      /openssl program was not found: install it \(Debian: apt-get install openssl\)/,
    );
    expect(existsSync(join(dir, 'tls/hall-ca.key'))).toBe(false);
    expect(gatewayCli(['make-tls', '--config', file]).status).toBe(0);

    rmSync(join(dir, 'tls/hall-ca.key'));
    expectOneLineError(gatewayCli(['make-tls', '--config', file]), /the hall CA is half there: .*hall-ca\.pem exists but .*hall-ca\.key does not/);
  });
});

describe('the gateway with TLS files it cannot use', () => {
  const made = () => {
    const c = configIn({ dataDir: 'data', http: { port: 0 }, mqtt: { port: 0 }, hall });
    expect(gatewayCli(['make-tls', '--config', c.file]).status).toBe(0);
    return c;
  };

  it('a missing certificate: one line naming the field and the path, exit 2', () => {
    const { dir, file } = made();
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config.mqtt.tls.certFile = 'tls/mqtt.pem';
    writeFileSync(file, JSON.stringify(config));
    expectOneLineError(gatewayCli(['serve', '--config', file]), new RegExp(`mqtt\\.tls\\.certFile: ${join(dir, 'tls/mqtt.pem')} does not exist`));
  });

  it("a key the gateway's user cannot read: one line naming the field and the path, exit 2", () => {
    const { dir, file } = made();
    for (const p of [dir, join(dir, 'tls')]) chmodSync(p, 0o755);
    for (const p of [file, join(dir, 'tls/gw.pem'), join(dir, 'tls/hall-ca.pem')]) chmodSync(p, 0o644);
    // Root reads anything: as root, run the gateway as nobody, as its service account would be.
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) chmodSync(join(dir, 'tls/gw.key'), 0o000);
    expectOneLineError(
      gatewayCli(['serve', '--config', file], asRoot ? { uid: 65534, gid: 65534 } : {}),
      new RegExp(`http\\.tls\\.keyFile: ${join(dir, 'tls/gw.key')} cannot be read by this user`),
    );
  });
});
