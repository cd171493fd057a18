/**
 * Entry of the device program: `tsx device/main.ts --config device.json`.
 * Prints one JSON line `{"event":"ready",…}` on stdout when it serves; logs go to stderr.
 * Signals and process exit live here only (STYLE.md §1).
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadDeviceConfig } from './config/device-config.js';
import { DeviceProgram } from './device-program.js';
import { createRootLogger } from './log/logger.js';

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } } });
const configFile = values.config ?? process.env.HCP_DEVICE_CONFIG;
if (!configFile) {
  process.stderr.write('usage: device/main.ts --config <device.json>  (or HCP_DEVICE_CONFIG)\n');
  process.exit(2);
}

let config;
try {
  config = loadDeviceConfig(configFile);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`hcp-device: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

const logger = createRootLogger({ level: config.logLevel, name: `hcp-device:${config.deviceId}` });
const program = new DeviceProgram(config, logger, await loadFeatureFactories());

async function loadFeatureFactories() {
  // Features are optional parts; a device without a gateway or hardware section never loads them.
  const factories: ConstructorParameters<typeof DeviceProgram>[2] = {};
  // Literal specifiers, so a bundled build (esbuild) carries them too.
  if (config!.gateway !== undefined) factories.gateway = (await import('./sync/index.js')).createGatewaySync;
  if (config!.hardware !== undefined) {
    const { createHardwareInputs } = await import('./hardware/index.js');
    factories.hardware = (deps) => createHardwareInputs(deps);
  }
  return factories;
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  await program.stop();
  logger.flush();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('unhandledRejection', (err) => {
  logger.fatal({ err }, 'unhandled rejection');
  logger.flush();
  process.exit(1);
});

try {
  await program.start();
} catch (err) {
  logger.fatal({ err }, 'device failed to start');
  logger.flush();
  process.exit(1);
}
process.stdout.write(
  `${JSON.stringify({ event: 'ready', deviceId: config.deviceId, localApi: program.localApiUrl, token: program.token, pid: process.pid })}\n`,
);
