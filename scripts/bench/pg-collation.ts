/**
 * What a database that compares text by a language costs ingest (issue 14; docs/POSTGRES.md,
 * "Config"): the same ROWS rows of one device COPYed into fresh databases of one throw-away cluster,
 * one made as docs/POSTGRES.md asks (the C collation, the baseline) and others made with a language's
 * collation: glibc's zh_CN.UTF-8 (what a server set up in Chinese gets by default) and ICU's zh-CN.
 * The data is made before the clock starts: the server's own pace, every text index of `records`
 * (its id, its device and seq) compared the database's way. The ways take turns round by round, each
 * on a quiet machine; prints each way's rows/s per round and its median ratio to the baseline.
 * glibc's locale must exist on the machine (`locale -a`); as root, `localedef -i zh_CN -f UTF-8
 * zh_CN.UTF-8` makes it. The gateway refuses both other databases (postgres-store.ts).
 * Usage: ROUNDS=3 [ROWS=100000] npx tsx scripts/bench/pg-collation.ts
 */
import { execFileSync } from 'node:child_process';
import { startPgCluster } from '../../test/support/pg-cluster.js';
import { printRatesByWay, rawRatesByRound } from './raw-rounds.js';
import { fmt } from './rounds.js';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const ROWS = Number(process.env.ROWS ?? 100_000);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error(`ROUNDS must be a whole number of rounds, at least 1, not ${process.env.ROUNDS}`);
if (!Number.isInteger(ROWS) || ROWS < 1) throw new Error(`ROWS must be a whole number of rows, at least 1, not ${process.env.ROWS}`);

const GLIBC_ZH = 'zh_CN.UTF-8';
const hasGlibcZh = execFileSync('locale', ['-a'], { encoding: 'utf8' })
  .split('\n')
  .some((l) => l.trim().toLowerCase().replace('utf-8', 'utf8') === GLIBC_ZH.toLowerCase().replace('utf-8', 'utf8'));

const WAYS: Array<{ name: string; locale?: string }> = [
  { name: 'C (the baseline: what docs/POSTGRES.md asks for)' },
  ...(hasGlibcZh ? [{ name: `glibc's ${GLIBC_ZH}`, locale: `LC_COLLATE '${GLIBC_ZH}' LC_CTYPE '${GLIBC_ZH}'` }] : []),
  { name: "ICU's zh-CN", locale: "LOCALE_PROVIDER icu ICU_LOCALE 'zh-CN' LC_COLLATE 'C' LC_CTYPE 'C'" },
];
if (!hasGlibcZh) console.log(`glibc's ${GLIBC_ZH} is not on this machine (locale -a): as root, localedef -i zh_CN -f UTF-8 ${GLIBC_ZH} makes it`);

const cluster = await startPgCluster();
try {
  const rates = await rawRatesByRound(
    cluster.baseUrl,
    WAYS.map((w) => ({ method: 'copy', isolation: 'read committed', dataMadeFirst: true, ...(w.locale ? { databaseLocale: w.locale } : {}) })),
    { rounds: ROUNDS, rows: ROWS, devicePrefix: 'coll' },
  );
  console.log(`${fmt(ROWS)} rows of one device by COPY, the data made first, ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}, rows/s per round:`);
  printRatesByWay(
    WAYS.map((w) => w.name),
    rates,
  );
} finally {
  cluster.stop();
}
