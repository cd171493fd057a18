/**
 * The hall's own certificate authority and the gateway certificate it signs (issue 15, "TLS").
 * The CA is made once and kept: every device holds its certificate as `gateway.caFile`, so a new
 * CA means visiting every device. The gateway certificate is renewed freely (a new key each time)
 * and every device goes on trusting it.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { newPrivateKeyPem, openssl, randomSerial, subjectValue, TlsError, writeFileAtomic } from './openssl.js';

/** Ten years: the CA outlives many gateway certificates; devices would need a new file without it. */
export const CA_DAYS = 3650;
const DAY_MS = 86_400_000;

export interface CertificateFacts {
  file: string;
  subject: string;
  sha256: string;
  validTo: Date;
  hosts: string[];
}

export function certificateFacts(file: string): CertificateFacts {
  const cert = new X509Certificate(readFileSync(file));
  return { file, subject: cert.subject, sha256: cert.fingerprint256, validTo: new Date(cert.validTo), hosts: sanHosts(cert) };
}

/** The DNS names and IP addresses of a certificate's subjectAltName. */
export function sanHosts(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .map((e) => /^(?:DNS|IP Address):(.+)$/.exec(e)?.[1])
    .filter((h): h is string => !!h);
}

const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A host as a certificate names it, or an error saying why not (a comma or space would break the SAN list). */
export function checkHost(host: string): string {
  const h = host.trim().replace(/^\[(.*)\]$/, '$1');
  if (isIP(h) || HOST_NAME.test(h)) return h;
  throw new TlsError(`--hosts: ${JSON.stringify(host)} is neither a host name nor an IP address`);
}

export interface HallCa {
  certFile: string;
  keyFile: string;
  made: boolean;
  facts: CertificateFacts;
}

/** The hall CA at certFile/keyFile: made if neither exists, else checked and kept. */
export function ensureHallCa(certFile: string, keyFile: string, hallName: string, now = new Date()): HallCa {
  const haveCert = existsSync(certFile);
  const haveKey = existsSync(keyFile);
  if (haveCert !== haveKey) {
    const [has, lacks] = haveCert ? [certFile, keyFile] : [keyFile, certFile];
    throw new TlsError(
      `the hall CA is half there: ${has} exists but ${lacks} does not. Restore it from the backup; or move ${has} away to make a new CA (every device then needs the new CA file)`,
    );
  }
  if (!haveCert) {
    const keyPem = newPrivateKeyPem();
    const subj = `/O=${subjectValue(hallName)}/CN=hcp hall CA`;
    const pem = openssl(
      (f) => ['req', '-new', '-x509', '-utf8', '-config', f.cnf!, '-key', f.key!, '-subj', subj, '-days', String(CA_DAYS), '-sha256', '-set_serial', randomSerial()],
      {
        key: keyPem,
        cnf: [
          '[req]',
          'distinguished_name = dn',
          'string_mask = utf8only',
          'x509_extensions = ca_ext',
          '[dn]',
          '[ca_ext]',
          // pathlen:0: the hall CA signs server certificates only, never another CA.
          'basicConstraints = critical, CA:TRUE, pathlen:0',
          'keyUsage = critical, keyCertSign, cRLSign',
          'subjectKeyIdentifier = hash',
          '',
        ].join('\n'),
      },
    );
    // Written only once signed: a failed run (no openssl) leaves no half CA behind.
    writeFileAtomic(keyFile, keyPem, 0o600);
    writeFileAtomic(certFile, pem, 0o644);
    return { certFile, keyFile, made: true, facts: certificateFacts(certFile) };
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(readFileSync(certFile));
    if (!cert.ca) throw new Error('it is not a CA certificate');
    if (!cert.checkPrivateKey(createPrivateKey(readFileSync(keyFile)))) throw new Error(`${keyFile} is not its key`);
  } catch (err) {
    throw new TlsError(`the hall CA ${certFile} cannot be used: ${(err as Error).message}`);
  }
  if (new Date(cert.validTo) <= now) {
    throw new TlsError(
      `the hall CA ${certFile} expired on ${new Date(cert.validTo).toISOString().slice(0, 10)}: move it and its key away to make a new one (every device then needs the new CA file)`,
    );
  }
  return { certFile, keyFile, made: false, facts: certificateFacts(certFile) };
}

export interface IssuedCertificate {
  facts: CertificateFacts;
  /** Fewer days than asked: the CA expires first. */
  shortenedTo?: number;
}

/** A new key and certificate for the gateway, signed by the CA, for these hosts; written to every pair given. */
export function issueGatewayCertificate(ca: HallCa, hosts: string[], days: number, pairs: Array<{ keyFile: string; certFile: string }>, now = new Date()): IssuedCertificate {
  if (hosts.length === 0) throw new TlsError('no host to put in the certificate: give --hosts');
  const caDaysLeft = Math.floor((ca.facts.validTo.getTime() - now.getTime()) / DAY_MS);
  const useDays = Math.min(days, caDaysLeft);
  if (useDays < 1) throw new TlsError(`the hall CA ${ca.certFile} expires within a day: make a new CA`);
  const keyPem = newPrivateKeyPem();
  const san = hosts.map((h) => (isIP(h) ? `IP:${h}` : `DNS:${h}`)).join(', ');
  const certPem = openssl(
    (f) => [
      'x509',
      '-req',
      '-in',
      f.csr!,
      '-CA',
      ca.certFile,
      '-CAkey',
      ca.keyFile,
      '-set_serial',
      randomSerial(),
      '-days',
      String(useDays),
      '-sha256',
      '-extfile',
      f.ext!,
      '-extensions',
      'gw_ext',
    ],
    {
      csr: csrFor(keyPem, hosts[0]!),
      ext: [
        '[gw_ext]',
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature',
        'extendedKeyUsage = serverAuth',
        `subjectAltName = ${san}`,
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid',
        '',
      ].join('\n'),
    },
  );
  for (const p of pairs) {
    // Key first: a gateway restarted in between fails on a mismatch rather than serving an old key.
    writeFileAtomic(p.keyFile, keyPem, 0o600);
    writeFileAtomic(p.certFile, certPem, 0o644);
  }
  return { facts: certificateFacts(pairs[0]!.certFile), ...(useDays < days ? { shortenedTo: useDays } : {}) };
}

function csrFor(keyPem: string, commonName: string): string {
  return openssl((f) => ['req', '-new', '-config', f.cnf!, '-key', f.key!, '-subj', `/CN=${subjectValue(commonName)}`], {
    key: keyPem,
    cnf: '[req]\ndistinguished_name = dn\nstring_mask = utf8only\n[dn]\n',
  });
}
