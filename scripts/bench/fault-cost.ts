/**
 * What a page fault costs on this machine (issue 14), measured where the gateway meets it: the
 * checking thread decodes each device batch (500 records, about 350 kB) into one string for
 * JSON.parse. V8 puts a string over 128 kB in its large-object space, on pages mapped for it alone
 * and given back when it dies, so every such decode touches fresh memory and the kernel serves a
 * fault for each 4 kB page. The same bytes decoded in pieces under that size land in the young heap,
 * whose pages stay mapped. Printed: the time of a decode each way, the faults and the kernel time
 * it took, so the kernel's time per fault; ROUNDS rounds, interleaved, medians. On a virtual
 * machine that traps faults to its host this is microseconds per fault, on bare metal much less.
 * Usage: ROUNDS=5 npx tsx scripts/bench/fault-cost.ts
 */
import { procStat } from './proc-stat.js';
import { fmt, interleave, median } from './rounds.js';
import { BATCH, batchPayload, rawDevice } from './sim-devices.js';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const DECODES = 400;
/** Under V8's largest object on a regular page (128 kB on 64-bit builds). */
const PIECE = 64 * 1024;

const payload = Buffer.from(batchPayload(rawDevice('dev-fault-cost'), BATCH));
const self = () => procStat('/proc/self/stat')!;

interface Cost {
  usPerDecode: number;
  faultsPerDecode: number;
  kernelUsPerDecode: number;
}

function measure(decode: () => unknown): Cost {
  // Warm long enough for the young heap to have grown to its full size: its growth is faults of its own.
  for (let i = 0; i < 100; i++) decode();
  const before = self();
  const t0 = performance.now();
  for (let i = 0; i < DECODES; i++) decode();
  const ms = performance.now() - t0;
  const after = self();
  return {
    usPerDecode: (ms * 1000) / DECODES,
    faultsPerDecode: (after.minorFaults - before.minorFaults) / DECODES,
    kernelUsPerDecode: ((after.systemSeconds - before.systemSeconds) * 1e6) / DECODES,
  };
}

const whole = async () => measure(() => payload.toString('utf8'));
const pieces = async () =>
  measure(() => {
    for (let at = 0; at < payload.length; at += PIECE) payload.toString('utf8', at, Math.min(at + PIECE, payload.length));
  });

console.log(`a batch of ${BATCH} records, ${fmt(payload.length)} bytes, decoded ${DECODES} times a round; ${ROUNDS} rounds interleaved, medians`);
const r = await interleave(ROUNDS, whole, pieces);
const line = (name: string, c: Cost[]) => {
  const us = median(c.map((x) => x.usPerDecode));
  const faults = median(c.map((x) => x.faultsPerDecode));
  const kernel = median(c.map((x) => x.kernelUsPerDecode));
  return `${name}: ${us.toFixed(0)} µs a decode, ${faults.toFixed(1)} page faults, ${kernel.toFixed(0)} µs in the kernel`;
};
console.log(line('as one string (large-object space)', r.figure));
console.log(line(`in pieces of ${fmt(PIECE)} bytes (young heap)`, r.baseline));
const extraFaults = median(r.figure.map((x, i) => x.faultsPerDecode - r.baseline[i]!.faultsPerDecode));
const extraKernel = median(r.figure.map((x, i) => x.kernelUsPerDecode - r.baseline[i]!.kernelUsPerDecode));
console.log(
  extraFaults >= 1
    ? `the kernel's time per page fault: ${(extraKernel / extraFaults).toFixed(1)} µs (${extraKernel.toFixed(0)} µs more for ${extraFaults.toFixed(1)} more faults a decode)`
    : 'the one string made no more page faults than the pieces: nothing to divide',
);
