/**
 * Remote update of devices (issue 15; docs/UPDATE.md) as a gateway feature: hall IT uploads signed
 * releases, offers them to a canary and then the rest, and watches each device's state; devices
 * check in, download what they are offered and report back. On when the config has a `releases`
 * section naming the release keys the hall trusts.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineFeature, type FeatureContext, type GatewayFeature } from '../feature.js';
import { deviceUpdateRoutes } from './device-update-routes.js';
import { ReleaseFiles } from './release-files.js';
import { releaseRoutes } from './release-routes.js';
import { RELEASES_MIGRATIONS } from './releases-schema.js';
import { Rollouts } from './rollouts.js';

export const ReleasesConfigSchema = z
  .object({
    /** Public keys (Ed25519, PEM) that may sign releases: each the PEM text itself or the path of a PEM file. */
    trustedKeys: z.array(z.string().min(1)).min(1).max(8),
    /** Largest tarball accepted (a release with node_modules is tens of MiB). */
    maxSizeMiB: z.number().int().min(1).max(4096).default(300),
  })
  .strict();
export type ReleasesConfig = z.infer<typeof ReleasesConfigSchema>;

/** A PEM given inline or a file holding one; the error names the entry. */
export function loadTrustedKeys(entries: readonly string[]): KeyObject[] {
  return entries.map((entry, i) => {
    let pem = entry;
    if (!entry.includes('-----BEGIN')) {
      try {
        pem = readFileSync(entry, 'utf8');
      } catch {
        throw new Error(`releases.trustedKeys.${i}: cannot read ${entry}`);
      }
    }
    try {
      const key = createPublicKey(pem);
      if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
      return key;
    } catch (err) {
      throw new Error(`releases.trustedKeys.${i}: not an Ed25519 public key (${(err as Error).message})`);
    }
  });
}

export class ReleasesFeature implements GatewayFeature {
  readonly rollouts: Rollouts;
  readonly routes;

  constructor(ctx: FeatureContext, config: ReleasesConfig) {
    const files = new ReleaseFiles(ctx.dataDir);
    const trustedKeys = loadTrustedKeys(config.trustedKeys);
    this.rollouts = new Rollouts(ctx.store, ctx.clock);
    const console = releaseRoutes({ ctx, rollouts: this.rollouts, files, trustedKeys, maxBytes: config.maxSizeMiB * 1024 * 1024 });
    const devices = deviceUpdateRoutes(ctx, this.rollouts, files);
    this.routes = async (app: Parameters<typeof console>[0]) => {
      await app.register(console);
      await app.register(devices);
    };
  }

  // Nothing runs in the background: devices check in, hall IT calls the routes.
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

export const releasesFeature = defineFeature<ReleasesConfig>({
  name: 'releases',
  configKey: 'releases',
  configSchema: ReleasesConfigSchema,
  migrations: RELEASES_MIGRATIONS,
  create: (ctx, config) => new ReleasesFeature(ctx, config),
});
