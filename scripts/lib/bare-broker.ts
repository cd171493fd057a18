/** A bare aedes with no auth and no ingest, run as a child by the benchmarks: the broker's own ceiling. */
import { createServer } from 'node:net';
import { Aedes } from 'aedes';

const aedes = await Aedes.createBroker();
const server = createServer(aedes.handle);
server.listen(0, '127.0.0.1', () => process.send?.((server.address() as { port: number }).port));
