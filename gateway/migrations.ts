/**
 * Every migration this build of the gateway has: the core's (each part that owns tables lists its
 * own) and every feature's, whether the feature is on or not (docs/DESIGN.md "The store"). The
 * root and the command-line tools migrate with this one list.
 */
import { AUDIT_MIGRATIONS } from './audit/audit-schema.js';
import { CHANNEL_MIGRATIONS } from './channels/channels-schema.js';
import { JOB_LEASE_MIGRATIONS } from './workers/job-lease.js';
import { WATCH_MIGRATIONS } from './devices/watch-schema.js';
import type { FeatureDefinition } from './feature.js';
import { FOLLOWUP_CONTACT_MIGRATIONS } from './followup/followup-contact-schema.js';
import { FOLLOWUP_MIGRATIONS } from './followup/followup-schema.js';
import { SCREEN_LINK_MIGRATIONS } from './live/screen-links.js';
import { BADGE_CAPTURE_MIGRATIONS } from './registry/badge-capture-schema.js';
import { INTEGRITY_MIGRATIONS } from './ratings/integrity-schema.js';
import { CORE_MIGRATIONS } from './store/core-schema.js';
import type { GatewayMigration } from './store/migrations.js';

export const CORE_PART_MIGRATIONS: readonly GatewayMigration[] = [
  ...CORE_MIGRATIONS,
  ...BADGE_CAPTURE_MIGRATIONS,
  ...SCREEN_LINK_MIGRATIONS,
  ...WATCH_MIGRATIONS,
  ...INTEGRITY_MIGRATIONS,
  ...AUDIT_MIGRATIONS,
  ...FOLLOWUP_MIGRATIONS,
  ...FOLLOWUP_CONTACT_MIGRATIONS,
  ...CHANNEL_MIGRATIONS,
  ...JOB_LEASE_MIGRATIONS,
];

export function allMigrations(features: readonly FeatureDefinition<unknown>[]): GatewayMigration[] {
  return [...CORE_PART_MIGRATIONS, ...features.flatMap((f) => f.migrations)];
}
