/**
 * The hall's X25519 keys for call-back contacts (R10). Devices get the current public key in their
 * config and seal a consenting rater's number to it; only the gateway can open it, in the
 * follow-up of a 差评 (opening is audited: gateway/followup/contact-escrow.ts).
 *
 * Why a ratchet and not one key (docs/FOLLOWUP.md "The call-back number's life"): a sealed number sits in a
 * signed, append-only chain record that is never edited, so making one number unreadable means
 * destroying every key that opens it. One long-lived hall key would open every number ever sealed.
 * So the key changes every `epochDays` (an epoch), each epoch's private key is derived from a
 * one-way chain of secrets (k[i+1] = HMAC(k[i])), and the file keeps only the oldest secret still
 * needed: an epoch `graceDays` past its end (time for a village device offline for weeks to bring
 * what it sealed) is gone for good — its secret is overwritten by the next one, and nothing can
 * derive it again. The follow-up keeps a per-contact opening key for each number it received
 * (escrowed while the epoch key still existed) and deletes that one when the follow-up is closed
 * and the retention is over. Every worker derives the same keys from the same file (copy it to
 * each, as before), without asking the others.
 *
 * A hall that ran with the single key of earlier versions (`hall-contact-key.pem`) keeps it as the
 * "legacy" epoch, ended when the ratchet began, and loses it `graceDays` later in the same way.
 */
import { createHash, createHmac, createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SealedContact } from '@hcp/contract';
import { openingKeyOf } from './contact-opening.js';

const LEGACY_FILE = 'hall-contact-key.pem';
const RATCHET_FILE = 'contact-ratchet.json';
const DAY_MS = 86_400_000;
/** X25519 PKCS#8 DER prefix: a raw 32-byte secret becomes a key Node can use. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** The public half and its id, as devices get it. */
export interface ContactKeyInfo {
  keyId: string;
  publicKeyPem: string;
}

export interface ContactKeyRingOptions {
  /** How long devices seal to one key. */
  epochDays: number;
  /** How long after its epoch ended a key is kept (devices offline that long still bring what they sealed). */
  graceDays: number;
}

interface RatchetState {
  version: 1;
  /** When epoch 0 began (gateway clock, ms). */
  origin: number;
  epochMs: number;
  /** The oldest epoch whose key can still be derived. */
  index: number;
  /** k[index], base64. */
  secret: string;
}

/** The one-way step: k[i+1] from k[i]. */
function nextSecret(k: Buffer): Buffer {
  return createHmac('sha256', k).update('hcp-contact-ratchet').digest();
}

function epochPrivateKey(k: Buffer): KeyObject {
  const seed = createHmac('sha256', k).update('hcp-contact-epoch-key').digest();
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function publicPem(priv: KeyObject): string {
  return createPublicKey(priv).export({ type: 'spki', format: 'pem' }).toString();
}

/** The legacy key's id, as earlier versions gave it (devices may still hold it). */
function legacyKeyId(publicKeyPem: string): string {
  return `hall-${publicKeyPem.slice(30, 42).replace(/[^A-Za-z0-9]/g, '')}`;
}

/** Overwrite a file's bytes before unlinking it (best effort: a journaling file system or flash may keep old blocks; docs/FOLLOWUP.md). */
function shred(file: string): void {
  if (!existsSync(file)) return;
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(size), 0, size, 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  unlinkSync(file);
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, file);
}

export class ContactKeyRing {
  private state: RatchetState;
  private legacy: { priv: KeyObject; info: ContactKeyInfo } | null;
  /** Derived epoch keys, by epoch index (cleared as epochs are destroyed). */
  private readonly cache = new Map<number, { priv: KeyObject; info: ContactKeyInfo }>();

  constructor(
    private readonly dataDir: string,
    private readonly now: () => number,
    private readonly o: ContactKeyRingOptions,
  ) {
    this.state = this.loadOrCreate();
    const legacyFile = join(dataDir, LEGACY_FILE);
    if (existsSync(legacyFile)) {
      const priv = createPrivateKey(readFileSync(legacyFile));
      const pem = publicPem(priv);
      this.legacy = { priv, info: { keyId: legacyKeyId(pem), publicKeyPem: pem } };
    } else {
      this.legacy = null;
    }
    this.ratchet();
  }

  /** The key devices seal to now. */
  current(): ContactKeyInfo {
    const epoch = Math.max(this.state.index, Math.floor((this.now() - this.state.origin) / this.state.epochMs));
    return this.epoch(epoch).info;
  }

  /**
   * The key that opens this one sealed contact and nothing else (HKDF of the X25519 agreement), or
   * null when the hall key it was sealed to is gone (destroyed after its grace) or unknown.
   */
  openingKey(sealed: SealedContact): Buffer | null {
    const priv = this.privateKeyFor(sealed.keyId);
    return priv ? openingKeyOf(sealed, priv) : null;
  }

  /** Destroy the keys past their grace; answers the key ids destroyed. Idempotent; run it often. */
  ratchet(): string[] {
    const now = this.now();
    const grace = this.o.graceDays * DAY_MS;
    const destroyed: string[] = [];
    if (this.legacy && now >= this.state.origin + grace) {
      shred(join(this.dataDir, LEGACY_FILE));
      destroyed.push(this.legacy.info.keyId);
      this.legacy = null;
    }
    // Epoch i ended at origin + (i+1)·epochMs; it goes `grace` after that.
    let { index } = this.state;
    let secret: Buffer = Buffer.from(this.state.secret, 'base64');
    while (now >= this.state.origin + (index + 1) * this.state.epochMs + grace) {
      destroyed.push(this.epoch(index).info.keyId);
      this.cache.delete(index);
      secret = nextSecret(secret);
      index++;
    }
    if (index !== this.state.index) {
      this.state = { ...this.state, index, secret: secret.toString('base64') };
      writeAtomically(join(this.dataDir, RATCHET_FILE), JSON.stringify(this.state));
    }
    return destroyed;
  }

  private privateKeyFor(keyId: string): KeyObject | null {
    if (this.legacy?.info.keyId === keyId) return this.legacy.priv;
    const m = /^hall-r(\d+)-[0-9a-f]{8}$/.exec(keyId);
    if (!m) return null;
    const epoch = Number(m[1]);
    if (epoch < this.state.index) return null;
    // Never derive more than a year ahead of now: a made-up key id must not cost a long loop.
    if (epoch > Math.floor((this.now() - this.state.origin) / this.state.epochMs) + 366) return null;
    const e = this.epoch(epoch);
    return e.info.keyId === keyId ? e.priv : null;
  }

  private epoch(i: number): { priv: KeyObject; info: ContactKeyInfo } {
    const hit = this.cache.get(i);
    if (hit) return hit;
    let k: Buffer = Buffer.from(this.state.secret, 'base64');
    for (let j = this.state.index; j < i; j++) k = nextSecret(k);
    const priv = epochPrivateKey(k);
    const pem = publicPem(priv);
    const fingerprint = createHash('sha256').update(pem).digest('hex').slice(0, 8);
    const made = { priv, info: { keyId: `hall-r${i}-${fingerprint}`, publicKeyPem: pem } };
    this.cache.set(i, made);
    return made;
  }

  private loadOrCreate(): RatchetState {
    const file = join(this.dataDir, RATCHET_FILE);
    if (!existsSync(file)) {
      const fresh: RatchetState = { version: 1, origin: this.now(), epochMs: this.o.epochDays * DAY_MS, index: 0, secret: randomBytes(32).toString('base64') };
      try {
        // 'wx': a second worker starting at the same moment keeps the first one's file.
        writeFileSync(file, JSON.stringify(fresh), { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    const s = JSON.parse(readFileSync(file, 'utf8')) as RatchetState;
    // The epoch length is the file's: changing the setting later would renumber the epochs.
    return s;
  }
}
