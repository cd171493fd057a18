/**
 * gateway/log/repeated-failure.ts: a failure that repeats while its cause lasts is logged at once,
 * then once per period with the count since the line before, and its end once. Ingest, the job
 * leases and the live hub log through it (their own tests: test/gateway/ingest-store-wide.test.ts,
 * test/pg/workers-lease.test.ts, test/pg/store-health.test.ts).
 */
import pino from 'pino';
import { expect, it } from 'vitest';
import { RepeatedFailure } from '../../gateway/log/repeated-failure.js';

it('logs the first failure at once, then one line per period with the count since, and the end once', () => {
  const lines: Array<{ level: number; msg: string; failed: number; what?: string; failingSince: string }> = [];
  let now = Date.parse('2026-12-07T08:00:00Z');
  const f = new RepeatedFailure(pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) }), {
    msg: 'polls failed',
    recovered: 'polls work again',
    everyMs: 10_000,
    level: 'error',
    now: () => now,
  });
  f.succeed(); // nothing failed yet: nothing to say
  f.fail({ what: 'first' }, 3);
  for (let i = 0; i < 9; i++) {
    now += 1_000;
    f.fail({ what: `then ${i}` });
  }
  now += 1_000;
  f.fail({ what: 'at 10 s' }, 2);
  now += 500;
  f.fail({ what: 'after' });
  f.succeed();
  f.succeed();
  f.fail({ what: 'again' });
  expect(lines.map((l) => [l.level, l.msg, l.what ?? null, l.failed, l.failingSince])).toEqual([
    [50, 'polls failed', 'first', 3, '2026-12-07T08:00:00.000Z'],
    [50, 'polls failed', 'at 10 s', 11, '2026-12-07T08:00:00.000Z'],
    [30, 'polls work again', null, 1, '2026-12-07T08:00:00.000Z'],
    [50, 'polls failed', 'again', 1, '2026-12-07T08:00:10.500Z'],
  ]);
});
