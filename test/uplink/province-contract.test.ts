/** The province contract (province-contract.ts) against the reference adapter + simulator, and against the fake. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvinceSim, type StoredRating } from '../../scripts/province-sim/sim-server.js';
import { provinceContract, type ProvinceCaseView } from './province-contract.js';
import { FakeProvince, type FakeEntry } from './support/fake-province.js';
import { referenceAdapter, SIM_KEY } from './support/rig.js';

/** Wire terms back to neutral ones: satisfaction runs the same way as our level (NATIONAL-SPEC). */
function fromWire(r: StoredRating): NonNullable<ProvinceCaseView['first']> {
  return {
    assessId: r.assessId,
    level: r.record.satisfaction,
    reasons: r.record.evalDetail ? r.record.evalDetail.split(',').map(Number) : [],
    comment: r.record.writingEvaluation,
  };
}

provinceContract('reference adapter ↔ provincial simulator', async () => {
  const sim = new ProvinceSim({ key: SIM_KEY, dbFile: join(mkdtempSync(join(tmpdir(), 'contract-')), 'province.db') });
  await sim.start();
  return {
    adapter: referenceAdapter(sim, { timeoutMs: 400 }),
    view: (caseNo) => {
      const v = sim.caseView(caseNo);
      return {
        first: v.first ? fromWire(v.first) : null,
        replaced: v.history.map((r) => r.assessId),
        followUps: v.followUps.map((r) => ({ assessId: r.assessId, assessNumber: r.assessNumber })),
        amendments: v.amendments.map((a) => a.assessId),
      };
    },
    failNext: () => void sim.setFault({ mode: '5xx', count: 1 }),
    loseNextAnswer: () => void sim.setFault({ mode: 'timeout-after-commit', count: 1 }),
    close: () => sim.stop(),
  };
});

function fromFake(e: FakeEntry): NonNullable<ProvinceCaseView['first']> {
  return { assessId: e.rating.assessId, level: e.rating.level, reasons: e.rating.reasons ?? [], comment: e.rating.comment ?? '' };
}

provinceContract('in-memory fake province', async () => {
  const fake = new FakeProvince();
  return {
    adapter: fake,
    view: (caseNo) => {
      const v = fake.view(caseNo);
      return {
        first: v.first ? fromFake(v.first) : null,
        replaced: v.history.map((e) => e.rating.assessId),
        followUps: v.followUps.map((e) => ({ assessId: e.rating.assessId, assessNumber: e.rating.assessNumber })),
        amendments: v.amendments.map((a) => a.assessId),
      };
    },
    failNext: () => fake.failNext(),
    loseNextAnswer: () => fake.loseNextAnswers(),
    close: async () => {},
  };
});
