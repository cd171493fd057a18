/**
 * Entry of the gateway program.
 *   gateway serve --config gateway.json
 *   gateway create-admin --config gateway.json --user NAME [--role hall-it|manager|dept-head|supervisor|auditor]
 *       (password from HCP_ADMIN_PASSWORD, or the first line of stdin)
 *   gateway create-business-key --config gateway.json --user BUSINESS-SYSTEM-ID
 *       (prints the API key for the cases API once)
 *   gateway make-tls --config gateway.json [--hosts name,ip,…] [--days N]
 *       (the hall CA, made once, and the gateway's certificate, renewed at each run: gateway/tls/make-tls.ts)
 *   gateway backup --config gateway.json --out DIR      (online, while the gateway runs)
 *   gateway restore --config gateway.json --from DIR [--force]   (gateway/backup/backup-command.ts)
 *   gateway import-bundle --config gateway.json --file BUNDLE [--out DIR]
 *       (a village device's bundle through the MQTT ingest; the receipt is written beside it: gateway/village/)
 * `serve` logs JSON lines to stderr, or readable lines at a terminal or with --pretty (HCP_LOG_PRETTY=1);
 * `--log-file FILE` (HCP_LOG_FILE) appends JSON lines to a file instead, reopened on SIGHUP (gateway/log/logger.ts).
 * `serve` prints one JSON line {"event":"ready","http":…,"mqttPort":…} on stdout; logs go to stderr.
 * Config errors are one line naming the field, exit code 2, never a stack trace.
 *
 * HCP_CLOCK_FILE (drills and tests only): a file holding a number of milliseconds to add to the
 * gateway's clock, re-read when it changes, so a drill can move the hall's time forward by days.
 */
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { worldClockOffset } from '@hcp/contract/world-clock';
import { createRootLogger, endLog } from './log/logger.js';
import { describeResult, makeTls } from './tls/make-tls.js';
import { TlsError } from './tls/openssl.js';
import { ConfigError, loadGatewayConfig, type GatewayConfig } from './config/gateway-config.js';
import { systemClock, type Clock } from './feature.js';
import { GATEWAY_FEATURES } from './features.js';
import { Gateway } from './gateway.js';
import { AuditLog } from './audit/audit-log.js';
import { CaseApiKeys } from './cases/api-keys.js';
import { ConsoleAuth, RoleSchema } from './http/console-auth.js';
import { allMigrations } from './migrations.js';
import { openConfiguredStore } from './store/open-store.js';
import { migrateStore } from './store/migrations.js';

const fail = (message: string): never => {
  process.stderr.write(`hcp-gateway: ${message}\n`);
  process.exit(2);
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    config: { type: 'string', short: 'c' },
    user: { type: 'string' },
    role: { type: 'string', default: 'hall-it' },
    hosts: { type: 'string' },
    days: { type: 'string' },
    pretty: { type: 'boolean' },
    'log-file': { type: 'string' },
    out: { type: 'string' },
    from: { type: 'string' },
    force: { type: 'boolean' },
    file: { type: 'string' },
  },
});
const COMMANDS = ['serve', 'create-admin', 'create-business-key', 'make-tls', 'backup', 'restore', 'import-bundle'];
const command = positionals[0] ?? 'serve';
const configFile = values.config ?? process.env.HCP_GATEWAY_CONFIG;
if (!configFile) fail(`usage: gateway ${COMMANDS.join('|')} --config gateway.json`);
if (!COMMANDS.includes(command)) fail(`unknown command ${command}: ${COMMANDS.join(', ')}`);

// Before the config is validated: the TLS files it names may not exist until this makes them.
if (command === 'make-tls') {
  try {
    const hosts = values.hosts?.split(',').filter((h) => h.trim() !== '');
    const result = makeTls({ configFile: configFile!, ...(hosts ? { hosts } : {}), ...(values.days ? { days: Number(values.days) } : {}) });
    process.stdout.write(`${describeResult(result).join('\n')}\n`);
    loadGatewayConfig(configFile!, GATEWAY_FEATURES);
  } catch (err) {
    if (err instanceof TlsError || err instanceof ConfigError) fail(err.message);
    throw err;
  }
  process.exit(0);
}

// Before the config is loaded for serving: a PostgreSQL config is refused by name, not as an unknown key.
if (command === 'backup' || command === 'restore') {
  const { runBackupCommand } = await import('./backup/backup-command.js');
  const r = await runBackupCommand({ command, configFile: configFile!, out: values.out, from: values.from, force: values.force }, (line) => process.stdout.write(`${line}\n`));
  if (r.error) fail(r.error);
  process.exit(r.code);
}

let config: GatewayConfig;
try {
  config = loadGatewayConfig(configFile!, GATEWAY_FEATURES);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}

/** A clock the drills can move (see the header); the real clock otherwise. */
function clockFromEnv(): Clock {
  const file = process.env.HCP_CLOCK_FILE;
  if (!file) return systemClock;
  const offset = worldClockOffset(file);
  return { now: () => Date.now() + offset() };
}

async function openStoreForCli() {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await openConfiguredStore(config);
  await migrateStore(store, allMigrations(GATEWAY_FEATURES));
  return store;
}

if (command === 'create-admin') {
  const role = RoleSchema.safeParse(values.role);
  if (!values.user || !role.success) fail(`create-admin needs --user NAME and --role ${RoleSchema.options.join('|')}`);
  const password = process.env.HCP_ADMIN_PASSWORD ?? (await new Promise<string>((res) => createInterface({ input: process.stdin }).once('line', res)));
  const store = await openStoreForCli();
  try {
    await new ConsoleAuth(store, systemClock, new AuditLog(store, systemClock)).createUser(values.user!, password.trim(), role.data!);
    await new AuditLog(store, systemClock).record({ actor: 'cli', action: 'account-created', subject: values.user!, detail: { role: role.data } });
  } catch (err) {
    fail((err as Error).message);
  } finally {
    await store.close();
  }
  process.stdout.write(`account ${values.user} (${role.data}) ready\n`);
  process.exit(0);
}

if (command === 'create-business-key') {
  if (!values.user) fail('create-business-key needs --user <business-system-id>');
  const store = await openStoreForCli();
  try {
    process.stdout.write(`${await new CaseApiKeys(store).issue(values.user!)}\n`);
  } catch (err) {
    fail((err as Error).message);
  } finally {
    await store.close();
  }
  process.exit(0);
}

if (command === 'import-bundle') {
  if (!values.file) fail('import-bundle needs --file <bundle from the USB stick> [--out <folder for the receipt>]');
  const { runImportBundle } = await import('./village/import-bundle-command.js');
  const store = await openStoreForCli();
  try {
    const cliLogger = createRootLogger({ level: 'warn', name: 'hcp-gateway' });
    const r = await runImportBundle({ store, section: config!.features.village, file: values.file!, out: values.out, logger: cliLogger });
    process.stdout.write(`${r.lines.join('\n')}\n`);
    process.exitCode = r.code;
  } catch (err) {
    fail((err as Error).message);
  } finally {
    await store.close();
  }
  process.exit(process.exitCode ?? 0);
}

const logger = createRootLogger({
  level: config!.logLevel,
  name: 'hcp-gateway',
  ...(values.pretty ? { pretty: true } : {}),
  ...(values['log-file'] ? { file: values['log-file'] } : {}),
});
/** sysexits' EX_IOERR: the disk refused to make a write durable (docs/OPERATIONS.md, "The gateway exits with code 74"). */
const STORE_BROKEN_EXIT = 74;
let stopping = false;
const gateway = new Gateway(config!, logger, {
  features: GATEWAY_FEATURES,
  clock: clockFromEnv(),
  // No orderly stop: it would write (sessions, leases) to a store that can no longer keep a write.
  // systemd's Restart=always starts the gateway again; SQLite recovers from its WAL, and every
  // device sends again what it was not told was stored.
  onStoreBroken: (err) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`hcp-gateway: stopping: ${err.message}\n`);
    // Work in flight meets the same store and logs why after endLog has closed the log, where pino
    // throws ("SonicBoom destroyed"): under load that error, uncaught, ended the process with code 1
    // before the log had closed, and systemd and hall IT were shown the wrong cause. The cause is
    // already logged; nothing from here on changes the exit code.
    process.on('uncaughtException', () => undefined);
    process.on('unhandledRejection', () => undefined);
    void endLog(logger).finally(() => process.exit(STORE_BROKEN_EXIT));
  },
});
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  await gateway.stop();
  await endLog(logger);
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
try {
  await gateway.start();
} catch (err) {
  logger.fatal({ err }, 'gateway failed to start');
  process.stderr.write(`hcp-gateway: could not start: ${(err as Error).message}\n`);
  await endLog(logger);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify({ event: 'ready', http: gateway.httpUrl, mqttPort: gateway.mqttPort, pid: process.pid })}\n`);
