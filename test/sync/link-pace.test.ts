import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ChainRecord, MAX_BATCH_RECORDS, recordsForOneBatch } from '../../device/contract/index.js';
import { FIRST_BATCH_BYTES, LinkPace } from '../../device/sync/link-pace.js';
import { parseGatewaySection } from '../../device/sync/sync-config.js';
import { REPO_ROOT } from '../support/device-process.js';

describe('LinkPace: the bytes a batch may hold on a link', () => {
  it('starts small, before the link has carried or stalled a batch', () => {
    expect(new LinkPace(30_000).batchBytes()).toBe(FIRST_BATCH_BYTES);
  });

  it('bounds a batch to what the link carried in a third of the keepalive, from the latest batch', () => {
    const pace = new LinkPace(30_000);
    pace.carried(80_000, 10_000); // 8 kB/s: a 64 kbit/s link
    expect(pace.batchBytes()).toBe(80_000);
    pace.carried(1_000_000, 100); // a fast link: far above the contract's own bound
    expect(pace.batchBytes()).toBe(100_000_000);
  });

  it('halves the pace a stalled batch shows, and never raises it on a stall', () => {
    const pace = new LinkPace(30_000);
    // 370 kB still on the link after 45 s: the link carries under 8.2 kB/s; half of it, for 10 s.
    expect(pace.stalled(370_000, 45_000)).toBe(Math.floor((370_000 / 45 / 2) * 10));
    pace.carried(10_000, 10_000); // 1 kB/s
    // A stall that would say 4 kB/s keeps the slower pace measured, halved.
    expect(pace.stalled(200_000, 50_000)).toBe(5_000);
  });
});

describe('what README.md, docs/DESIGN.md and docs/VILLAGE.md say of it', () => {
  const doc = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8').replace(/\s+/g, ' ');
  const defaults = parseGatewaySection({ url: 'http://127.0.0.1:1', mqttUrl: 'mqtt://127.0.0.1:1' });

  it('gives the config defaults the device has: a keepalive of 30 s, an ack timeout of 10 s', () => {
    expect([defaults.keepaliveS, defaults.ackTimeoutMs]).toEqual([30, 10_000]);
    expect(doc('README.md')).toContain('`gateway.keepaliveS` (30)');
    expect(doc('docs/DESIGN.md')).toContain('ack timeout (10 s)');
    expect(doc('docs/VILLAGE.md')).toContain('ack timeout (10 s)');
    expect(doc('docs/VILLAGE.md')).toContain('(`gateway.keepaliveS`, 30 s)');
  });

  it('starts at 32 kB, 4 s of a 64 kbit/s link, and sends whole batches again once the link shows it is fast', () => {
    expect(doc('docs/VILLAGE.md')).toContain(`its batches hold ${FIRST_BATCH_BYTES / 1024} kB (\`FIRST_BATCH_BYTES\`), which such a link carries in 4 s`);
    expect(Math.round(FIRST_BATCH_BYTES / (64_000 / 8))).toBe(4);
    // 500 records of some 700 bytes each, as a rating's record is: about 350 kB.
    const records = Array.from({ length: 500 }, (_, i) => ({ seq: i + 1, comment: 'x'.repeat(680) }) as unknown as ChainRecord);
    const pace = new LinkPace(defaults.keepaliveS * 1000);
    expect(recordsForOneBatch(records, pace.batchBytes())).toBeLessThan(50);
    pace.carried(FIRST_BATCH_BYTES * 8, 20); // eight first batches through a LAN in 20 ms
    expect(recordsForOneBatch(records, pace.batchBytes())).toBe(MAX_BATCH_RECORDS);
  });
});
