/**
 * Cases as one feature for the composition root: the business-system API (plugin), linking of
 * ratings to cases, and R7 defaults.
 */
import type Database from 'better-sqlite3';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { InvitePayload } from '../../device/contract/index.js';
import type { WorkingDayCalendar } from '../calendar/working-days.js';
import type { UplinkProfile } from '../uplink/national-mapping.js';
import { CaseApiKeys } from './api-keys.js';
import { caseApiPlugin, type CaseApiDeps } from './case-api.js';
import { migrateCases } from './cases-schema.js';
import { ContactCipher } from './contact-crypto.js';
import { DefaultScheduler } from './default-scheduler.js';

export interface CasesFeatureOptions {
  db: Database.Database;
  logger: Logger;
  calendar: WorkingDayCalendar;
  profile: UplinkProfile;
  /** 32 bytes; encrypts applicant contact at rest. */
  contactKey: Buffer;
  publishInvite: (deviceId: string, invite: InvitePayload) => Promise<void> | void;
  deviceForWindow: (windowNumber: string) => Promise<string | null> | string | null;
  workingDays?: number;
  defaultsEveryMs?: number;
  now?: () => number;
  onDefaulted?: (count: number) => void;
}

export class CasesFeature {
  readonly keys: CaseApiKeys;
  readonly scheduler: DefaultScheduler;
  readonly plugin: FastifyPluginAsync;
  /** For `caseApiPlugin(() => cases?.apiDeps)` registered before the feature exists. */
  readonly apiDeps: CaseApiDeps;

  constructor(o: CasesFeatureOptions) {
    migrateCases(o.db);
    this.keys = new CaseApiKeys(o.db);
    this.scheduler = new DefaultScheduler({
      db: o.db, calendar: o.calendar, profile: o.profile, logger: o.logger, workingDays: o.workingDays,
      everyMs: o.defaultsEveryMs, now: o.now, onDefaulted: o.onDefaulted,
    });
    this.apiDeps = {
      db: o.db, keys: this.keys, cipher: new ContactCipher(o.contactKey), logger: o.logger,
      publishInvite: o.publishInvite, deviceForWindow: o.deviceForWindow, now: o.now,
    };
    this.plugin = caseApiPlugin(this.apiDeps);
  }

  async start(): Promise<void> {
    this.scheduler.start();
  }

  async stop(): Promise<void> {
    this.scheduler.stop();
  }
}
