/**
 * The village path as a gateway feature (issue 13, docs/VILLAGE.md): always on. Hall IT imports a
 * bundle carried on a USB stick from a device without network (village-routes.ts, or the CLI
 * `gateway import-bundle`); the records go through the MQTT ingest (bundle-import.ts) and the
 * answer is a receipt signed with the gateway's certificate key (receipt-signer.ts).
 */
import { defineFeature, type FeatureContext, type GatewayFeature } from '../feature.js';
import { BundleImporter } from './bundle-import.js';
import { loadReceiptSigner } from './receipt-signer.js';
import { VillageConfigSchema, type VillageConfig } from './village-config.js';
import { villageRoutes } from './village-routes.js';

export class VillageFeature implements GatewayFeature {
  readonly importer: BundleImporter;
  readonly routes;

  constructor(ctx: FeatureContext, config: VillageConfig) {
    this.importer = villageImporter(ctx, config);
    this.routes = villageRoutes({ importer: this.importer, auth: ctx.auth, audit: ctx.audit, maxBundleBytes: config.maxBundleMiB * 1024 * 1024 });
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await this.importer.idle();
  }
}

/** An importer over the gateway's store that tells the rest of the gateway what it stored. */
export function villageImporter(ctx: Pick<FeatureContext, 'store' | 'clock' | 'logger' | 'events' | 'catchUpAssessments'>, config: VillageConfig): BundleImporter {
  return new BundleImporter({
    store: ctx.store,
    clock: ctx.clock,
    logger: ctx.logger,
    signer: config.certFile && config.keyFile ? loadReceiptSigner(config.certFile, config.keyFile) : null,
    stored: async (deviceId, count) => {
      ctx.events.emit('records-stored', { deviceIds: [deviceId], count });
      await ctx.catchUpAssessments();
    },
  });
}

export const villageFeature = defineFeature({
  name: 'village',
  configKey: 'village',
  configSchema: VillageConfigSchema,
  migrations: [],
  create: (ctx: FeatureContext, config: VillageConfig) => new VillageFeature(ctx, config),
});
