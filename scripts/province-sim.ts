/**
 * The provincial simulator as a process:
 *   npm run province-sim -- --port 8787 --key <shared key> --db /tmp/province.db
 * Endpoints: POST /province/ratings (signed), POST /admin/faults, GET /admin/ratings, GET /admin/stats.
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
