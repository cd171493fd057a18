/** The features this build of the gateway has (gateway/feature.ts says what a feature is). */
import { casesFeature } from './cases/cases-feature.js';
import type { FeatureDefinition } from './feature.js';
import { followupFeature } from './followup/followup-feature.js';
import { phoneFeature } from './phone/phone-feature.js';
import { paperFeature } from './paper/paper-feature.js';
import { releasesFeature } from './releases/releases-feature.js';
import { reportsFeature } from './reports/reports-feature.js';
import { smsFeature } from './sms/sms-feature.js';
import { windowPostersFeature } from './registry/window-poster-feature.js';
import { uplinkFeature } from './uplink/uplink-feature.js';
import { villageFeature } from './village/village-feature.js';

export const GATEWAY_FEATURES: readonly FeatureDefinition<unknown>[] = [
  casesFeature,
  followupFeature,
  uplinkFeature,
  reportsFeature,
  phoneFeature,
  paperFeature,
  smsFeature,
  villageFeature,
  releasesFeature,
  windowPostersFeature,
];
