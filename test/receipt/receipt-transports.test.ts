/**
 * The receipt reaches a printer over each wire: the network adapter (@node-escpos/network-adapter)
 * into a real TCP server on 127.0.0.1 standing in for a port-9100 printer, and our serialport adapter
 * through a socat pty pair standing in for a USB-serial printer. The printer end must receive exactly
 * the golden bytes. A printer that refuses the connection or is not there fails the job in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { adapterFactoryFor } from '../../device/receipt/adapters/printer-adapters.js';
import { parseReceiptSection } from '../../device/receipt/receipt-config.js';
import { receiptFor } from '../../device/receipt/receipt-content.js';
import { EscposReceiptPrinter } from '../../device/receipt/receipt-printer.js';
import { decodeReceiptQr, GOLDEN_DIR } from './support/receipt-checks.js';
import { FIXTURES, INVITE_ID, QR_BASE } from './support/receipt-fixtures.js';

const f = FIXTURES['case-invitation'];
const content = receiptFor(f.rating, f.config);
const golden = readFileSync(join(GOLDEN_DIR, 'case-invitation.bin'));

function printerFor(section: Record<string, unknown>): EscposReceiptPrinter {
  const s = parseReceiptSection(section);
  return new EscposReceiptPrinter({ openAdapter: adapterFactoryFor(s, tmpdir()), lineWidth: 32, jobTimeoutMs: s.jobTimeoutMs });
}

describe('a network printer (raw port)', () => {
  let server: Server | null = null;
  afterEach(async () => {
    await new Promise<void>((res) => (server ? server.close(() => res()) : res()));
    server = null;
  });

  it('receives the golden bytes over one connection, closed when the receipt is sent', async () => {
    const received: Buffer[] = [];
    let connections = 0;
    const closed = new Promise<void>((resolve) => {
      server = createServer((socket) => {
        connections++;
        socket.on('data', (d) => received.push(d));
        socket.on('close', () => resolve());
      });
    });
    await new Promise<void>((res) => server!.listen(0, '127.0.0.1', res));
    const { port } = server!.address() as AddressInfo;

    await printerFor({ adapter: 'network', host: '127.0.0.1', port }).print(content);
    await closed;
    const bytes = Buffer.concat(received);
    expect(connections).toBe(1);
    expect(bytes.equals(golden)).toBe(true);
    expect(decodeReceiptQr(bytes)).toBe(`${QR_BASE}/r/dev-lf-07/${INVITE_ID}`);
  });

  it('a printer that is switched off (connection refused) fails the job, quickly', async () => {
    // Take a free port and give it back: nothing listens there.
    const probe = createServer();
    await new Promise<void>((res) => probe.listen(0, '127.0.0.1', res));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((res) => probe.close(() => res()));
    const started = Date.now();
    await expect(printerFor({ adapter: 'network', host: '127.0.0.1', port, connectTimeoutMs: 1000 }).print(content)).rejects.toThrow(/ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('a serial printer (socat pty pair)', () => {
  let socat: ChildProcess | null = null;
  let printerEnd: SerialPort | null = null;
  afterEach(async () => {
    if (printerEnd?.isOpen) await new Promise<void>((res) => printerEnd!.close(() => res()));
    if (socat && socat.exitCode === null) {
      const exited = new Promise((res) => socat!.once('exit', res));
      socat.kill('SIGTERM');
      await exited;
    }
    socat = null;
  });

  it('receives the golden bytes through our serialport adapter', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hcp-receipt-pty-'));
    const printerPath = join(dir, 'printer');
    const hostPath = join(dir, 'ttyUSB-printer');
    socat = spawn('socat', [`pty,raw,echo=0,link=${printerPath}`, `pty,raw,echo=0,link=${hostPath}`], { stdio: 'ignore' });
    for (let i = 0; i < 200 && !(existsSync(printerPath) && existsSync(hostPath)); i++) await sleep(10);
    printerEnd = new SerialPort({ path: printerPath, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => printerEnd!.open((e) => (e ? rej(e) : res())));
    const received: Buffer[] = [];
    printerEnd.on('data', (d: Buffer) => received.push(d));

    await printerFor({ adapter: 'serial', path: hostPath, baudRate: 115200 }).print(content);
    for (let i = 0; i < 200 && Buffer.concat(received).length < golden.length; i++) await sleep(10);
    const bytes = Buffer.concat(received);
    expect(bytes.length).toBe(golden.length);
    expect(bytes.equals(golden)).toBe(true);
    expect(decodeReceiptQr(bytes)).toBe(`${QR_BASE}/r/dev-lf-07/${INVITE_ID}`);
  });

  it('a serial printer that is not plugged in fails the job', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'hcp-receipt-nopty-')), 'ttyUSB-gone');
    await expect(printerFor({ adapter: 'serial', path: missing }).print(content)).rejects.toThrow(/No such file|ENOENT|cannot open/i);
  });
});
