/**
 * Raw inserts of several ways, side by side (pg-raw-variants.ts, pg-collation.ts): each round every
 * way in turn, in an order that turns round by round, each on a quiet machine; each way its own
 * device's chain of the same length, so the rows differ only in their ids.
 */
import { makeBatches } from './pg-throughput.js';
import { quietMachine } from './quiet-machine.js';
import { type RawWay, rawPostgresInsert } from './raw-postgres.js';
import { fmt, median, ratioText } from './rounds.js';
import { rawDevice } from './sim-devices.js';

/** Rows/s of each way (by its index in `ways`), one figure per round. */
export async function rawRatesByRound(baseUrl: string, ways: readonly RawWay[], o: { rounds: number; rows: number; devicePrefix: string }): Promise<number[][]> {
  const rates = ways.map(() => [] as number[]);
  for (let round = 0; round < o.rounds; round++) {
    for (let k = 0; k < ways.length; k++) {
      const w = (round + k) % ways.length;
      const { records } = makeBatches([rawDevice(`${o.devicePrefix}-${round}-${w}`)], o.rows);
      await quietMachine();
      rates[w]!.push(await rawPostgresInsert(baseUrl, records, ways[w]!));
    }
  }
  return rates;
}

/** Each way's rows/s per round and median, and, after the first (the baseline), its median ratio to it with the spread. */
export function printRatesByWay(names: readonly string[], rates: number[][]): void {
  for (const [w, name] of names.entries()) {
    const ratio = w === 0 ? '' : ` | ratio to the baseline ${ratioText(rates[w]!.map((r, i) => r / rates[0]![i]!))}`;
    console.log(`  ${name}: ${rates[w]!.map(fmt).join(' ')} — median ${fmt(median(rates[w]!))}${ratio}`);
  }
}
