/** The device's gateway sync feature (composed by device/device-program.ts from the `gateway` config section). */
export { createGatewaySync, GatewaySync } from './gateway-sync.js';
export { GatewaySectionSchema } from './sync-config.js';
