/**
 * The provincial simulator as a process (scripts/province-sim/sim-server.ts says what it speaks):
 *   npm run province-sim -- --port 8787 --key <shared key> --db /tmp/province.db
 * Prints {"listening": url} once it listens. Province endpoints: POST /province/ratings,
 * /province/corrections, /province/amendments (signed). Admin: POST /admin/faults,
 * GET /admin/stats, GET /admin/ratings, GET /admin/cases/:projectNo.
 */
import { parseArgs } from 'node:util';
import { ProvinceSim } from './province-sim/sim-server.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8787' }, key: { type: 'string' }, db: { type: 'string' } } });
if (!values.key || !values.db) {
  console.error('usage: npm run province-sim -- --port N --key K --db file');
  process.exit(2);
}
const sim = new ProvinceSim({ key: values.key, dbFile: values.db, port: Number(values.port) });
const url = await sim.start();
console.log(JSON.stringify({ listening: url }));
const shutdown = () => void sim.stop().then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
