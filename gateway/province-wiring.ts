/**
 * Wires the provincial uplink (gateway/uplink) and the business-system cases (gateway/cases) into
 * the gateway: their plugins, features and the ingest notification. Used by gateway/main.ts when the
 * config has a `province` section.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createChinaCalendar } from './calendar/working-days.js';
import { caseApiPlugin } from './cases/case-api.js';
import { CasesFeature } from './cases/cases-feature.js';
import type { GatewayConfig } from './config/gateway-config.js';
import type { Gateway, GatewayExtensions } from './gateway.js';
import { deadLetterPlugin } from './uplink/dead-letters.js';
import { HttpProvinceAdapter } from './uplink/http-adapter.js';
import { UplinkFeature } from './uplink/uplink-feature.js';

/** 32 bytes that encrypt applicants' contacts at rest, made once per hall. */
function casesContactKey(dataDir: string): Buffer {
  const file = join(dataDir, 'cases-contact.key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32), { mode: 0o600 });
  return readFileSync(file);
}

export interface ProvinceParts {
  extensions: GatewayExtensions;
  cases: () => CasesFeature | undefined;
}

export function provinceExtensions(config: GatewayConfig, logger: Logger, gateway: () => Gateway): ProvinceParts {
  const p = config.province!;
  let uplink: UplinkFeature | undefined;
  let cases: CasesFeature | undefined;
  const profile = { areaCode: p.areaCode, deptCode: p.deptCode, ...(p.version ? { version: p.version } : {}) };
  const calendar = createChinaCalendar(config.cases.calendarOverrideFile ? { overrideFile: config.cases.calendarOverrideFile } : {});
  return {
    cases: () => cases,
    extensions: {
      plugins: [
        caseApiPlugin(() => cases?.apiDeps),
        deadLetterPlugin(() => uplink?.deadLetters, { preHandler: (req, reply) => gateway().auth.require('hall-it')(req, reply), onRetry: () => uplink?.sender.poke() }),
      ],
      features: [
        (g) => (uplink = new UplinkFeature({ db: g.db, profile, logger, adapter: new HttpProvinceAdapter({ url: p.url, appId: p.appId, key: p.key, timeoutMs: p.timeoutMs }), sender: { batchSize: 200, concurrency: 4 } })),
        (g) => (cases = new CasesFeature({
          db: g.db, logger, calendar, profile, contactKey: casesContactKey(config.dataDir), workingDays: config.cases.workingDays,
          publishInvite: (d, i) => g.publishInvite(d, i),
          deviceForWindow: (number) => {
            const w = g.registry.listWindows().find((x) => (x as { number: string }).number === number) as { windowId: string } | undefined;
            return w ? (g.registry.deviceIdsForWindow(w.windowId)[0] ?? null) : null;
          },
          onDefaulted: () => uplink?.sender.poke(),
        })),
      ],
      onStored: () => uplink?.notify(),
    },
  };
}
