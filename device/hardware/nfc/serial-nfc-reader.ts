/**
 * The separate-USB NFC reader (an RDM6300-style EM4100 module behind a USB-serial chip): finds its
 * port, opens it with serialport, frames the bytes (rdm6300-framer), turns a held card into one tap
 * (card-presence), and reopens with backoff when the device is unplugged. One owner per port: the
 * old port is closed, and the close awaited, before any reopen (docs/STYLE.md, "Cannot lock port").
 */
import type { Logger } from 'pino';
import { SerialPort } from 'serialport';
import { watchDeviceNode } from '../device-node-watch.js';
import { Backoff, pause } from '../link-backoff.js';
import { locatePort, type ListPorts, type PortSpec } from '../port-discovery.js';
import { CardPresence } from './card-presence.js';
import { Rdm6300Framer, type Em4100Read } from './rdm6300-framer.js';

export interface SerialNfcReaderOptions {
  spec: PortSpec;
  baudRate: number;
  removeAfterMs: number;
  listPorts: ListPorts;
  backoff: { initialMs: number; maxMs: number };
  logger: Logger;
  /** A new tap (once per card placed on the reader). */
  onTap: (uid: string) => void;
  /** The reader's port opened or was lost (the gateway raises reader-disconnected, R19). */
  onConnection?: (state: 'connected' | 'disconnected') => void;
}

export class SerialNfcReader {
  private abort: AbortController | null = null;
  private loop: Promise<void> | null = null;
  private port: SerialPort | null = null;
  /** The path currently open (discovery of other links must skip it). */
  openPath: string | null = null;
  /** How many times a port was opened (tests and the health view read it). */
  opens = 0;

  constructor(private readonly o: SerialNfcReaderOptions) {}

  async start(): Promise<void> {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  async stop(): Promise<void> {
    if (!this.loop) return;
    this.abort!.abort();
    await this.closePort();
    await this.loop;
    this.loop = null;
    this.abort = null;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.o.backoff.initialMs, this.o.backoff.maxMs);
    const presence = new CardPresence(this.o.removeAfterMs);
    while (!signal.aborted) {
      const path = await locatePort(this.o.spec, this.o.listPorts).catch((err: Error) => {
        this.o.logger.warn({ err: err.message }, 'listing serial ports failed');
        return null;
      });
      if (path && !signal.aborted) {
        const ended = await this.session(path, presence, signal);
        if (ended === 'was-up') backoff.reset();
      }
      if (!signal.aborted) await pause(backoff.take(), signal);
    }
  }

  /** One open port, until it closes or errors. Resolves after the port is closed. */
  private async session(path: string, presence: CardPresence, signal: AbortSignal): Promise<'was-up' | 'failed'> {
    const port = new SerialPort({ path, baudRate: this.o.baudRate, autoOpen: false });
    try {
      await new Promise<void>((res, rej) => port.open((err) => (err ? rej(err) : res())));
    } catch (err) {
      this.o.logger.debug({ path, err: (err as Error).message }, 'NFC reader not openable');
      return 'failed';
    }
    if (signal.aborted) {
      await closeQuietly(port);
      return 'was-up';
    }
    this.port = port;
    this.openPath = path;
    this.opens += 1;
    // A card read before the unplug and again after is a new tap only if it was lifted meanwhile;
    // we cannot know, so the reader coming back starts clean.
    presence.reset();
    this.o.logger.info({ path }, 'NFC reader connected');
    this.o.onConnection?.('connected');
    const framer = new Rdm6300Framer();
    framer.on('data', (read: Em4100Read) => {
      if (presence.seen(read.uid)) this.o.onTap(read.uid);
    });
    port.pipe(framer);
    let unwatch = () => {};
    await new Promise<void>((res) => {
      port.once('close', () => res());
      port.on('error', (err) => {
        this.o.logger.warn({ path, err: err.message }, 'NFC reader error');
        res();
      });
      unwatch = watchDeviceNode(path, (why) => {
        this.o.logger.warn({ why }, 'NFC reader device node changed');
        res();
      });
    });
    unwatch();
    await closeQuietly(port);
    port.unpipe(framer);
    framer.end();
    const { badChecksum, malformed, noiseBytes } = framer.stats;
    if (badChecksum + malformed + noiseBytes > 0) this.o.logger.info({ path, badChecksum, malformed, noiseBytes }, 'NFC line noise dropped');
    this.port = null;
    this.openPath = null;
    if (!signal.aborted) {
      this.o.logger.warn({ path }, 'NFC reader disconnected');
      this.o.onConnection?.('disconnected');
    }
    return 'was-up';
  }

  private async closePort(): Promise<void> {
    if (this.port) await closeQuietly(this.port);
  }
}

async function closeQuietly(port: SerialPort): Promise<void> {
  if (!port.isOpen) return;
  await new Promise<void>((res) => port.close(() => res()));
}
