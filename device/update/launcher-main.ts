/**
 * Entry of the update launcher (docs/UPDATE.md), the program systemd runs on a device instead of
 * device/main.js:
 *
 *   node /opt/hcp/device/update/launcher-main.js --config /etc/hcp/device.json \
 *     --install-root /var/lib/hcp/app --release-key /etc/hcp/release-key.pub.pem \
 *     [--health-timeout-sec 60] [--check-every-sec 60]
 *
 * It runs the device runtime of the current version and updates it when the gateway offers a
 * release signed with a trusted key. Signals and exit live here only (docs/STYLE.md §1).
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadDeviceConfig } from '../config/device-config.js';
import { createRootLogger, endLog } from '../log/logger.js';
import { loadCredentials } from '../sync/enrolment-client.js';
import { InstallLayout } from './install-layout.js';
import { UpdateLauncher } from './launcher.js';
import { UpdateClient } from './update-client.js';
import { UpdateCycle } from './update-cycle.js';

const usage = 'usage: launcher-main --config <device.json> --install-root <dir> --release-key <public.pem> [--release-key …] [--health-timeout-sec 60] [--check-every-sec 60]';

function fail(message: string): never {
  process.stderr.write(`hcp-device-launcher: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    config: { type: 'string', short: 'c' },
    'install-root': { type: 'string' },
    'release-key': { type: 'string', multiple: true },
    'health-timeout-sec': { type: 'string', default: '60' },
    'check-every-sec': { type: 'string', default: '60' },
  },
});
const seconds = (name: 'health-timeout-sec' | 'check-every-sec', min: number, max: number): number => {
  const v = Number(values[name]);
  if (!Number.isFinite(v) || v < min || v > max) fail(`--${name}: must be a number of seconds from ${min} to ${max}`);
  return v;
};
if (!values.config || !values['install-root'] || !values['release-key']?.length) fail(usage);
let config: ReturnType<typeof loadDeviceConfig>;
try {
  config = loadDeviceConfig(values.config);
} catch (err) {
  fail(err instanceof ConfigError ? err.message : (err as Error).message);
}
const trustedKeys: KeyObject[] = values['release-key'].map((file) => {
  try {
    const key = createPublicKey(readFileSync(file, 'utf8'));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
    return key;
  } catch (err) {
    return fail(`--release-key ${file}: ${(err as Error).message}`);
  }
});
const healthTimeoutMs = seconds('health-timeout-sec', 1, 3600) * 1000;
const checkEveryMs = seconds('check-every-sec', 0.1, 86_400) * 1000;

const logger = createRootLogger({ level: config.logLevel, name: `hcp-device-launcher:${config.deviceId}` });
// The factory install is the folder this launcher runs from (…/device/update/ → …).
const layout = new InstallLayout(resolve(values['install-root']), resolve(import.meta.dirname, '..', '..'));
const launcher = new UpdateLauncher({ configFile: resolve(values.config), dataDir: config.dataDir, layout, healthTimeoutMs, needGateway: config.gateway !== undefined, logger });
const gateway = config.gateway;
const ca = gateway?.caFile ? readFileSync(gateway.caFile) : undefined;
const cycle = new UpdateCycle({
  launcher,
  layout,
  trustedKeys,
  checkEveryMs,
  logger: logger.child({ ns: 'update' }),
  // The runtime makes the key and enrols; until it has, there is nothing to check in with.
  client: () => {
    const keyFile = join(config.dataDir, 'device-key.pem');
    if (!gateway || !existsSync(keyFile) || !loadCredentials(config.dataDir)) return null;
    return new UpdateClient({ url: gateway.url, deviceId: config.deviceId, privateKey: createPrivateKey(readFileSync(keyFile)), ca });
  },
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  await cycle.stop();
  await launcher.stop();
  await endLog(logger);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

try {
  await launcher.start();
  cycle.start();
  logger.info({ version: layout.currentVersion(), installRoot: layout.root }, 'launcher started');
} catch (err) {
  logger.fatal({ err }, 'the launcher failed to start');
  await endLog(logger);
  process.exit(1);
}
