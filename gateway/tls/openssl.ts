/**
 * The hall CA's certificates are signed by the `openssl` program (docs/OPERATIONS.md "TLS"): Node
 * makes keys and reads certificates but cannot sign one, and openssl is on every Debian machine
 * that talks TLS (ca-certificates depends on it), is what hall IT checks certificates with, and
 * needs no dependency of ours. The keys are made here with Node's crypto and written 0600; openssl
 * only signs. Its arguments are passed as a list (no shell), its config comes from us, not from
 * the system's openssl.cnf, so the result is the same on every machine.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class TlsError extends Error {}

/** A new P-256 private key, PEM (PKCS#8). P-256 keeps handshakes cheap on the devices' small CPUs. */
export function newPrivateKeyPem(): string {
  return generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  }).privateKey;
}

/** Write a file whole (temp file, then rename), so a running gateway never reads half of one. */
export function writeFileAtomic(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}

/** A positive random 128-bit serial number, as RFC 5280 asks (unique per issuer, unpredictable). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return `0x${bytes.toString('hex')}`;
}

/** A value for an openssl -subj: the characters it treats as syntax are dropped, at most 64 characters. */
export function subjectValue(s: string): string {
  return [...s.replace(/[/\\+=,#$"<>;\r\n\t]/g, ' ').trim()].slice(0, 64).join('');
}

/** Run openssl with the named text files written to a temp folder; answers its stdout. */
export function openssl(args: (files: Record<string, string>) => string[], files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-tls-'));
  try {
    const paths: Record<string, string> = {};
    for (const [name, text] of Object.entries(files)) {
      paths[name] = join(dir, name);
      writeFileSync(paths[name], text, { mode: 0o600 });
    }
    return execFileSync('openssl', args(paths), { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT') throw new TlsError('the openssl program was not found: install it (Debian: apt-get install openssl)');
    const why = e.stderr?.toString().trim().split('\n')[0] ?? e.message;
    throw new TlsError(`openssl failed: ${why}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
