/**
 * A program that logs lines to its file, the last one while libuv's thread pool is busy (as a
 * program's is while it stops: its files, its crypto), then exits as the programs' exit paths do
 * now: it awaits endLog() and calls process.exit.
 * Usage: tsx log-exit-child.ts device|gateway <file>
 */
import { scrypt } from 'node:crypto';
import { createRootLogger as deviceLogger, endLog as endDeviceLog } from '../../../device/log/logger.js';
import { createRootLogger as gatewayLogger, endLog as endGatewayLog } from '../../../gateway/log/logger.js';

const [which, file] = process.argv.slice(2) as ['device' | 'gateway', string];
const logger = (which === 'device' ? deviceLogger : gatewayLogger)({ file, level: 'info' });
const filler = 'x'.repeat(200);
for (let i = 0; i < 2_000; i++) logger.info({ i, filler }, 'burst');
// Every thread of the pool busy for a while: the last line's asynchronous write waits behind them.
for (let k = 0; k < 4; k++) scrypt('p', 's', 64, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, () => undefined);
logger.info('last line before the exit');
await (which === 'device' ? endDeviceLog : endGatewayLog)(logger);
process.exit(0);
