/**
 * Entry of the device program: `tsx device/main.ts --config device.json`.
 * Prints one JSON line `{"event":"ready",…}` on stdout when it serves; logs go to stderr.
 * Signals and process exit live here only (docs/STYLE.md §1).
 */
import { parseArgs } from 'node:util';
import { worldClockOffset } from './contract/world-clock.js';
import { ConfigError, loadDeviceConfig, type DeviceFileConfig } from './config/device-config.js';
import { AnchoredClock } from './clock/stamp-clock.js';
import { DeviceProgram } from './device-program.js';
import { createRootLogger, endLog } from './log/logger.js';

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } } });
const configFile = values.config ?? process.env.HCP_DEVICE_CONFIG;
if (!configFile) {
  process.stderr.write('usage: device/main.ts --config <device.json>  (or HCP_DEVICE_CONFIG)\n');
  process.exit(2);
}

/**
 * HCP_CLOCK_SKEW_MS (tests and drills only): the device stamps as if its clock were this far off,
 * e.g. two years ahead, or -Date.now() for a device booted at 1970 by a dead RTC battery.
 */
function clockSkewMs(): number {
  const raw = process.env.HCP_CLOCK_SKEW_MS;
  if (raw === undefined || raw === '') return 0;
  if (!/^-?\d{1,15}$/.test(raw)) throw new ConfigError(`HCP_CLOCK_SKEW_MS: must be a whole number of milliseconds, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

let config: DeviceFileConfig;
let skewMs: number;
try {
  config = loadDeviceConfig(configFile);
  skewMs = clockSkewMs();
} catch (err) {
  // A bad config is the operator's to fix: one line naming the field, never a stack trace.
  process.stderr.write(`hcp-device: ${err instanceof ConfigError ? err.message : `cannot load the config: ${(err as Error).message}`}\n`);
  process.exit(2);
}

const logger = createRootLogger({ level: config.logLevel, name: `hcp-device:${config.deviceId}` });
if (skewMs !== 0) logger.warn({ skewMs }, 'HCP_CLOCK_SKEW_MS is set: this device stamps with a skewed clock (tests and drills only)');
// HCP_CLOCK_FILE (drills only): the drill's shared clock, moved for the gateway and every device at once.
const worldFile = process.env.HCP_CLOCK_FILE;
const clock = new AnchoredClock({ skewMs, ...(worldFile ? { worldShiftMs: worldClockOffset(worldFile) } : {}) });
const program = new DeviceProgram(config, logger, await loadFeatureFactories(), { clock });

async function loadFeatureFactories() {
  // Features are optional parts; a device without a gateway or hardware section never loads them.
  const factories: ConstructorParameters<typeof DeviceProgram>[2] = {};
  // Literal specifiers, so a bundled build (esbuild) carries them too.
  if (config!.gateway !== undefined) factories.gateway = (await import('./sync/index.js')).createGatewaySync;
  if (config!.hardware !== undefined) {
    const { createHardwareInputs } = await import('./hardware/index.js');
    factories.hardware = (deps) => createHardwareInputs(deps);
  }
  if (config!.receipt !== undefined) factories.receipt = (await import('./receipt/index.js')).createReceiptFeature;
  return factories;
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  await program.stop();
  await endLog(logger);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('unhandledRejection', (err) => {
  logger.fatal({ err }, 'unhandled rejection');
  void endLog(logger).then(() => process.exit(1));
});

try {
  await program.start();
} catch (err) {
  logger.fatal({ err }, 'device failed to start');
  await endLog(logger);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify({ event: 'ready', deviceId: config.deviceId, localApi: program.localApiUrl, token: program.token, pid: process.pid })}\n`);
