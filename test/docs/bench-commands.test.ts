/**
 * The bench commands docs/POSTGRES.md, docs/DESIGN.md, docs/OPERATIONS.md and docs/VILLAGE.md give, as written: every
 * `npm run` names a script of package.json and every `npx tsx scripts/…` a file that exists, and the
 * variables set before it are ones that script (or a module of its own it imports) names; every
 * `BENCH_PARTS=` names parts bench:gateway has; every `IN_FLIGHT=` is a bound a device can have, as
 * pg-backlog-probe.ts reads it, and the device's own default is the one POSTGRES.md gives; the commit a code-ab.ts command compares against is
 * in the repository, and code-ab.ts refuses to start without one, naming the variable; every
 * `PHASES=` names phases code-ab.ts has; the size from which ingest uses COPY is the code's; the
 * smaller city command's variables are bench-city.ts's, the probe's PUSHES and PROFILE its own, the
 * turnstile named is one the gateway locks, and the rows a commit pg-raw-variants.ts compares are its own; every test
 * file the docs cite as showing something exists, and one under test/pg/ runs in `npm run test:pg`;
 * every `git checkout <commit> -- <files>` names a commit and files it has. (The benches themselves take minutes to an hour: `npm run bench:gateway`'s
 * counting is tested in test/gateway/bench-stored-only.test.ts, bench:city's in
 * test/pg/bench-city-small.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { COPY_FROM_ROWS } from '../../gateway/ingest/records-insert.js';
import { LOG_TURNSTILES } from '../../gateway/store/log-order.js';
import { BROKER_FILE_TURNSTILE } from '../../gateway/store/core-schema.js';
import { checkJeprofTools, JEPROF_TOOLS_INSTALL } from '../../scripts/bench/jeprof.js';
import { BATCH, DEVICE_IN_FLIGHT, inFlightBounds } from '../../scripts/bench/sim-devices.js';
import { REPO_ROOT } from '../support/device-process.js';

const DOCS = ['docs/POSTGRES.md', 'docs/DESIGN.md', 'docs/OPERATIONS.md', 'docs/VILLAGE.md'];
// A command may be wrapped across two lines of a paragraph: whitespace is joined first.
const text = (doc: string) => readFileSync(join(REPO_ROOT, doc), 'utf8').replace(/\s+/g, ' ');
const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

it.each(DOCS)('%s: every npm run and npx tsx command names a script that exists', (doc) => {
  const t = text(doc);
  const runs = [...t.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);
  const files = [...t.matchAll(/npx tsx (scripts\/[\w/.-]+\.ts)/g)].map((m) => m[1]!);
  expect(runs.length + files.length).toBeGreaterThan(0);
  expect(runs.filter((r) => !(r in scripts))).toEqual([]);
  expect(files.filter((f) => !existsSync(join(REPO_ROOT, f)))).toEqual([]);
});

it('every variable set before an npx tsx command in the docs is one its script reads', () => {
  const commands = DOCS.flatMap((doc) => [...text(doc).matchAll(/`((?:[A-Z][A-Z0-9_]*=\S+ )+)npx tsx (scripts\/[\w/.-]+\.ts)/g)]);
  expect(commands.length).toBeGreaterThan(0);
  const unread = commands.flatMap(([, assignments, file]) => {
    const path = join(REPO_ROOT, file!);
    const own = [...readFileSync(path, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)\.js'/g)].map((m) => join(dirname(path), `${m[1]}.ts`));
    const source = [path, ...own.filter((f) => existsSync(f))].map((f) => readFileSync(f, 'utf8')).join('\n');
    const names = assignments!
      .trim()
      .split(' ')
      .map((a) => a.slice(0, a.indexOf('=')));
    return names.filter((n) => !new RegExp(`\\b${n}\\b`).test(source)).map((n) => `${n} for ${file}`);
  });
  expect(unread).toEqual([]);
  // OPERATIONS.md's probe of what a loaded run leaves is among them.
  expect(commands.some(([, a, f]) => a!.includes('AFTER_LOAD=1') && f === 'scripts/bench/rss-probe.ts')).toBe(true);
});

it.each(DOCS)('%s: every test file it cites exists, and one of PostgreSQL runs in npm run test:pg', async (doc) => {
  const cited = [...new Set([...text(doc).matchAll(/\btest\/[\w/.-]+\.test\.ts\b/g)].map((m) => m[0]))];
  expect(cited.filter((f) => !existsSync(join(REPO_ROOT, f)))).toEqual([]);
  const { PG_SUITES } = await import('../pg/vitest.config.js');
  expect(PG_SUITES).toContain('test/pg/**/*.test.ts');
});

const git = (...args: string[]) => spawnSync('git', ['-C', REPO_ROOT, ...args], { encoding: 'utf8' });
/** The commits of `bases` this repository lacks; none can be checked in a shallow checkout, which lacks the history. */
const missingCommits = (bases: string[]) =>
  git('rev-parse', '--is-shallow-repository').stdout.trim() === 'true' ? [] : bases.filter((base) => git('cat-file', '-e', `${base}^{commit}`).status !== 0);

it("POSTGRES.md's code-ab.ts commands name commits of this repository, and code-ab.ts will not start without one", () => {
  const bases = [...text('docs/POSTGRES.md').matchAll(/BASE=(\w+) [^`]*scripts\/bench\/code-ab\.ts/g)].map((m) => m[1]!);
  expect(bases).toEqual([
    '457922f',
    '7c6ba8b',
    'eb1777a',
    'e25efdd',
    '9eb6cd8',
    '2d61ab0',
    '8e6ab52',
    'a221c66',
    'f9604e7',
    'e9680e0',
    '3f70eb0',
    '86842f8',
    '86842f8',
    '86842f8',
    '1aa8243',
    'c6c17f8',
  ]);
  expect(missingCommits(bases)).toEqual([]);
  const env = { ...process.env };
  delete env.BASE;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/code-ab.ts')], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('BASE=<commit> is required');
});

it('every BASE= the docs give before a bench command, and every commit they say to check out, names a commit of this repository', () => {
  const bases = DOCS.flatMap((doc) => [...text(doc).matchAll(/`BASE=(\w+) [^`]*npx tsx scripts\//g)].map((m) => m[1]!));
  // OPERATIONS.md's comparisons of the page cache's cap with 202318b are among them.
  expect(bases).toContain('202318b');
  const checkouts = DOCS.flatMap((doc) => [...text(doc).matchAll(/`git checkout (\w+)`/g)].map((m) => m[1]!));
  // The collection at start-up OPERATIONS.md says was tried and reverted.
  expect(checkouts).toContain('61da43c');
  expect(missingCommits([...bases, ...checkouts])).toEqual([]);
});

it('OPERATIONS.md installs what JEPROF=1 needs as the probe says to, and the probe refuses to start without it', () => {
  expect(text('docs/OPERATIONS.md').match(/`sudo apt-get install [^`]*`/g)).toContain(`\`${JEPROF_TOOLS_INSTALL}\``);
  expect(() => checkJeprofTools('/nonexistent')).toThrow(`JEPROF=1 needs gdb and jeprof: ${JEPROF_TOOLS_INSTALL}`);
});

it('every BENCH_PARTS= the docs give names parts bench:gateway has (it refuses one it has not, naming it)', () => {
  const parts = new Set(DOCS.flatMap((doc) => [...text(doc).matchAll(/BENCH_PARTS=([\w,]+)/g)].flatMap((m) => m[1]!.split(','))));
  expect(parts.size).toBeGreaterThan(0);
  // The docs' parts and one that does not exist: only the latter is refused, before anything runs.
  const env = { ...process.env, BENCH_PARTS: [...parts, 'nosuchpart'].join(',') };
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench-gateway.ts')], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('BENCH_PARTS: no such part nosuchpart (the parts: rss, throughput, latency, backlog)');
});

it("every IN_FLIGHT= the docs give is what pg-backlog-probe.ts takes, it refuses one a device cannot have, and a device's default is the 8 POSTGRES.md says", () => {
  const given = DOCS.flatMap((doc) => [...text(doc).matchAll(/IN_FLIGHT=([\w,]+) [^`]*scripts\/bench\/pg-backlog-probe\.ts/g)].map((m) => m[1]!));
  expect(given).toEqual(['2,4', '8,16', '4,2', '4,8', '4,8']);
  for (const g of given) expect(inFlightBounds('IN_FLIGHT', g)).toEqual(g.split(',').map(Number));
  expect(text('docs/POSTGRES.md')).toContain('a device keeps 8 batches in flight (`maxInFlight` in its `gateway` config)');
  expect(DEVICE_IN_FLIGHT).toBe(8);
  // 0 would send nothing and wait for ever: the probe says so before it starts a cluster.
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/pg-backlog-probe.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, IN_FLIGHT: '2,0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('IN_FLIGHT: "0" is not a device\'s batches in flight');
});

it("POSTGRES.md's pg-raw-variants.ts command gives ROUNDS as the probe takes it, and it refuses a count of no rounds by name", () => {
  expect(text('docs/POSTGRES.md')).toContain('`ROUNDS=5 npx tsx scripts/bench/pg-raw-variants.ts`');
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/pg-raw-variants.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ROUNDS: '0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('ROUNDS must be a whole number of rounds, at least 1, not 0');
});

it('every PHASES= the docs give names phases code-ab.ts has (it refuses one it has not, naming it, before it builds anything)', () => {
  const phases = new Set(DOCS.flatMap((doc) => [...text(doc).matchAll(/PHASES=([\w,]+)/g)].flatMap((m) => m[1]!.split(','))));
  expect([...phases].sort()).toEqual(['backlog', 'burst', 'fresh', 'latency']);
  const env = { ...process.env, BASE: 'HEAD', STORE: 'pg', ROUNDS: '1', PHASES: [...phases, 'nosuchphase'].join(',') };
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/code-ab.ts')], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('PHASES: no phase nosuchphase (latency, burst, backlog, fresh)');
});

it("POSTGRES.md's size from which a group's records go by COPY is ingest's", () => {
  const t = text('docs/POSTGRES.md');
  expect(t).toContain(`ingest's inserts of a small group's records (fewer than ${COPY_FROM_ROWS}; larger groups go by COPY)`);
  expect(t).toContain(`a group of ${COPY_FROM_ROWS} records or more goes in by \`COPY records (…) FROM STDIN\``);
});

it("POSTGRES.md's smaller city command sets only variables bench-city.ts reads, and its backlog probe's PUSHES and PROFILE are the probe's", () => {
  const t = text('docs/POSTGRES.md');
  expect(t).toContain('`CITY_DEVICES=2000 CITY_RATINGS=60000 CITY_ROUNDS=2 npm run bench:city`');
  const city = readFileSync(join(REPO_ROOT, 'scripts/bench-city.ts'), 'utf8');
  for (const v of new Set([...t.matchAll(/\b(CITY_[A-Z]+)=/g)].map((m) => m[1]!))) expect(city, v).toContain(`process.env.${v}`);
  expect(t).toContain('`PUSHES=3 npx tsx scripts/bench/pg-backlog-probe.ts`');
  const probe = readFileSync(join(REPO_ROOT, 'scripts/bench/pg-backlog-probe.ts'), 'utf8');
  for (const v of ['PUSHES', 'PROFILE']) expect(probe, v).toContain(`process.env.${v}`);
});

it("POSTGRES.md's turnstile is one the gateway locks, and its 1,000 and 2,000 rows a commit are pg-raw-variants.ts's two and four batches", () => {
  const t = text('docs/POSTGRES.md');
  const named = [...t.matchAll(/LOCK TABLE (\w+) IN EXCLUSIVE MODE/g)].map((m) => m[1]!);
  expect(named.length).toBeGreaterThan(0);
  for (const table of named) expect([...LOG_TURNSTILES, BROKER_FILE_TURNSTILE]).toContain(table);
  expect(t).toContain('COPY of 1,000 or 2,000 rows a commit');
  expect([2 * BATCH, 4 * BATCH]).toEqual([1000, 2000]);
  const variants = readFileSync(join(REPO_ROOT, 'scripts/bench/pg-raw-variants.ts'), 'utf8');
  expect(variants).toContain('rowsPerCommit: 2 * BATCH');
  expect(variants).toContain('rowsPerCommit: 4 * BATCH');
});

it("every BASE_IN_FLIGHT= the docs give is a device's batches in flight, and code-ab.ts refuses one a device cannot have before it checks anything out", () => {
  const given = DOCS.flatMap((doc) => [...text(doc).matchAll(/BASE_IN_FLIGHT=(\w+) [^`]*scripts\/bench\/code-ab\.ts/g)].map((m) => m[1]!));
  expect(given).toEqual(['2', '2']);
  for (const g of given) expect(inFlightBounds('BASE_IN_FLIGHT', g)).toEqual([Number(g)]);
  const env = { ...process.env, BASE: 'HEAD', BASE_IN_FLIGHT: '0' };
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/bench/code-ab.ts')], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 60_000 });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain(`BASE_IN_FLIGHT: "0" is not a device's batches in flight`);
});

it('every `git checkout <commit> -- <files>` the docs give names a commit of the repository and files it has', () => {
  const given = DOCS.flatMap((doc) =>
    [...text(doc).matchAll(/git checkout (\w+) -- ([^`]+)`/g)].map((m) => ({
      rev: m[1]!,
      files: m[2]!
        .split(/ *(?:&&|;)/)[0]!
        .trim()
        .split(' '),
    })),
  );
  expect(given.length).toBeGreaterThan(0);
  for (const { rev, files } of given.filter((g) => g.rev !== 'HEAD')) {
    for (const f of files) {
      const r = spawnSync('git', ['-C', REPO_ROOT, 'cat-file', '-e', `${rev}:${f}`]);
      expect(r.status, `${rev}:${f}`).toBe(0);
    }
  }
});
