/**
 * Entry of the gateway program.
 *   tsx gateway/main.ts serve --config gateway.json
 *   tsx gateway/main.ts create-admin --config gateway.json --user NAME [--role hall-it|manager]
 *       (password from HCP_ADMIN_PASSWORD, or the first line of stdin)
 *   tsx gateway/main.ts create-business-key --config gateway.json --user BUSINESS-SYSTEM-ID
 *       (prints the API key for POST /api/cases once)
 * `serve` prints one JSON line {"event":"ready","http":…,"mqttPort":…} on stdout.
 */
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRootLogger } from '../device/log/logger.js';
import { loadGatewayConfig } from './config/gateway-config.js';
import { Gateway } from './gateway.js';
import { provinceExtensions } from './province-wiring.js';
import { ConsoleAuth } from './http/auth.js';
import { openGatewayStore } from './store/gateway-store.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { config: { type: 'string', short: 'c' }, user: { type: 'string' }, role: { type: 'string', default: 'hall-it' } },
});
const command = positionals[0] ?? 'serve';
const configFile = values.config ?? process.env.HCP_GATEWAY_CONFIG;
if (!configFile) {
  process.stderr.write('usage: gateway/main.ts serve|create-admin --config gateway.json\n');
  process.exit(2);
}
let config;
try {
  config = loadGatewayConfig(configFile);
} catch (err) {
  process.stderr.write(`hcp-gateway: ${(err as Error).message}\n`);
  process.exit(2);
}

if (command === 'create-admin') {
  if (!values.user || (values.role !== 'hall-it' && values.role !== 'manager')) {
    process.stderr.write('create-admin needs --user NAME and --role hall-it|manager\n');
    process.exit(2);
  }
  const password = process.env.HCP_ADMIN_PASSWORD ?? (await new Promise<string>((res) => createInterface({ input: process.stdin }).once('line', res)));
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const db = openGatewayStore(join(config.dataDir, 'gateway.db'));
  try {
    new ConsoleAuth(db).createUser(values.user, password.trim(), values.role);
  } catch (err) {
    process.stderr.write(`hcp-gateway: ${(err as Error).message}\n`);
    process.exit(2);
  }
  db.close();
  process.stdout.write(`account ${values.user} (${values.role}) ready\n`);
  process.exit(0);
}

if (command === 'create-business-key') {
  // A window business system's API key for POST /api/cases, shown once.
  if (!values.user) {
    process.stderr.write('create-business-key needs --user <business-system-id>\n');
    process.exit(2);
  }
  const { CaseApiKeys } = await import('./cases/api-keys.js');
  const { migrateCases } = await import('./cases/cases-schema.js');
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const db = openGatewayStore(join(config.dataDir, 'gateway.db'));
  migrateCases(db);
  process.stdout.write(`${new CaseApiKeys(db).issue(values.user)}\n`);
  db.close();
  process.exit(0);
}

const logger = createRootLogger({ level: config.logLevel, name: 'hcp-gateway' });
let gateway: Gateway;
const province = config.province ? provinceExtensions(config, logger.child({ ns: 'province' }), () => gateway) : null;
gateway = new Gateway(config, logger, province?.extensions ?? {});
const stop = async () => {
  await gateway.stop();
  logger.flush();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
await gateway.start();
process.stdout.write(`${JSON.stringify({ event: 'ready', http: gateway.httpUrl, mqttPort: gateway.mqttPort, pid: process.pid })}\n`);
