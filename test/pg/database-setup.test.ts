/**
 * A database not set up as docs/POSTGRES.md asks is refused at the store's open, in one line naming
 * what to change, before anything is written to it: one that takes no writes (a standby, or
 * read-only by default), where every batch would be refused; one whose commits are reported before they are
 * on disk (synchronous_commit = off, fsync = off), where an acknowledged rating could be lost; one
 * that does not hold text as UTF-8; one that compares text by a language's rules, where the gateway's
 * lists sort unlike SQLite's and a language's collation slows every text index. ICU's collations
 * need nothing of the machine's locales, so the test makes its database with one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../gateway/config/gateway-config.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { openConfiguredStore } from '../../gateway/store/open-store.js';
import { DatabaseSetupError } from '../../gateway/store/postgres-store.js';
import { REPO_ROOT } from '../support/device-process.js';
import { startPgCluster, testClusterUrl } from '../support/pg-cluster.js';

const suffix = `${process.pid}_${Date.now()}`;
const DATABASES = {
  chinese: `hcp_setup_zh_${suffix}`,
  ascii: `hcp_setup_ascii_${suffix}`,
  right: `hcp_setup_c_${suffix}`,
  unsynced: `hcp_setup_async_${suffix}`,
  readOnly: `hcp_setup_ro_${suffix}`,
};
// A role of its own: the fix the refusal names is set on the role, and the run's other tests share the cluster's.
const ROLE = `hcp_setup_${suffix}`;
let base: string;

async function asAdmin<T>(fn: (c: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
  const c = new pg.Client({ connectionString: `${base}/${database}` });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function open(database: string, url = `${base}/${database}`) {
  const config = parseGatewayConfig({ dataDir: 'data', hall: { hallName: '大厅' }, store: { kind: 'postgres', url, poolSize: 1 } }, GATEWAY_FEATURES, '/srv/hcp');
  return openConfiguredStore(config);
}

const tablesIn = (database: string) => asAdmin(async (c) => Number((await c.query(`SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public'`)).rows[0].n), database);

beforeAll(async () => {
  base = await testClusterUrl();
  await asAdmin(async (c) => {
    await c.query(`CREATE DATABASE ${DATABASES.chinese} ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'zh-CN' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
    await c.query(`CREATE DATABASE ${DATABASES.ascii} ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
    await c.query(`CREATE DATABASE ${DATABASES.right} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
    await c.query(`CREATE DATABASE ${DATABASES.unsynced} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
    // As a tuning guide would have it, for this database alone.
    await c.query(`ALTER DATABASE ${DATABASES.unsynced} SET synchronous_commit = off`);
    await c.query(`CREATE DATABASE ${DATABASES.readOnly} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
    await c.query(`ALTER DATABASE ${DATABASES.readOnly} SET default_transaction_read_only = on`);
    await c.query(`CREATE ROLE ${ROLE} LOGIN`);
    await c.query(`ALTER DATABASE ${DATABASES.unsynced} OWNER TO ${ROLE}`);
    await c.query(`ALTER DATABASE ${DATABASES.readOnly} OWNER TO ${ROLE}`);
  });
});

afterAll(() =>
  asAdmin(async (c) => {
    await Promise.all(Object.values(DATABASES).map((d) => c.query(`DROP DATABASE IF EXISTS ${d} WITH (FORCE)`)));
    await c.query(`DROP ROLE IF EXISTS ${ROLE}`);
  }),
);

describe('the database the gateway is given', () => {
  it('is refused when it sorts text by a language, in one line naming the fix, with nothing made in it', async () => {
    // What the database does, as the check asks it: Chinese by pinyin, not by code point.
    expect(await asAdmin(async (c) => (await c.query(`SELECT '李' < '张' AS pinyin, 'B' < 'a' AS by_code_point`)).rows[0], DATABASES.chinese)).toEqual({
      pinyin: true,
      by_code_point: false,
    });
    const err = await open(DATABASES.chinese).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseSetupError);
    const message = (err as Error).message;
    expect(message).toMatch(new RegExp(`^the PostgreSQL database at 127\\.0\\.0\\.1:\\d+/${DATABASES.chinese} sorts text by a language's rules, not by code point`));
    expect(message).toContain(`create it with ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0 (docs/POSTGRES.md, "Config")`);
    expect(message).not.toContain('\n');
    expect(await tablesIn(DATABASES.chinese)).toBe(0);
    // docs/POSTGRES.md quotes it as the gateway writes it, for a site's database.
    const quoted = message.replace(/127\.0\.0\.1:\d+\/\w+/, 'db.city.internal:5432/hcp').replace(' (docs/POSTGRES.md, "Config")', '');
    expect(readFileSync(join(REPO_ROOT, 'docs/POSTGRES.md'), 'utf8').replace(/\s+/g, ' ')).toContain(quoted);
  });

  it('is refused when it does not hold text as UTF-8', async () => {
    const err = await open(DATABASES.ascii).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseSetupError);
    expect((err as Error).message).toMatch(/^the PostgreSQL database at .* holds text as SQL_ASCII, not UTF-8: create it with ENCODING 'UTF8'/);
    expect(await tablesIn(DATABASES.ascii)).toBe(0);
  });

  it('is refused when it reports a commit before it is on disk, and opens once the role is set as the refusal says', async () => {
    const url = `${base.replace('postgres@', `${ROLE}@`)}/${DATABASES.unsynced}`;
    const err = await open(DATABASES.unsynced, url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseSetupError);
    const message = (err as Error).message;
    expect(message).toBe(
      `the PostgreSQL database at ${url.replace(/^postgres:\/\/[^@]+@/, '')} reports a commit before it is on disk (synchronous_commit = off): a crash of the server would lose ratings the gateway acknowledged; ALTER ROLE ${ROLE} SET synchronous_commit = on (docs/POSTGRES.md, "Config")`,
    );
    expect(await tablesIn(DATABASES.unsynced)).toBe(0);
    // The statement it names, run as a DBA would: the role's setting overrides the database's.
    await asAdmin((c) => c.query(/ALTER ROLE \S+ SET synchronous_commit = on/.exec(message)![0]));
    const store = await open(DATABASES.unsynced, url);
    await store.close();
  });

  it('is refused when it takes no writes, and opens once the role is set as the refusal says', async () => {
    const url = `${base.replace('postgres@', `${ROLE}@`)}/${DATABASES.readOnly}`;
    const err = await open(DATABASES.readOnly, url).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseSetupError);
    const message = (err as Error).message;
    expect(message).toBe(
      `the PostgreSQL database at ${url.replace(/^postgres:\/\/[^@]+@/, '')} takes no writes (transaction_read_only = on): it is a standby, or default_transaction_read_only is on; point store.url at the primary, or ALTER ROLE ${ROLE} SET default_transaction_read_only = off (docs/POSTGRES.md, "Config")`,
    );
    await asAdmin((c) => c.query(/ALTER ROLE \S+ SET default_transaction_read_only = off/.exec(message)![0]));
    const store = await open(DATABASES.readOnly, url);
    await store.close();
  });

  it('is refused in the words docs/POSTGRES.md quotes, for a site whose role is hcp', async () => {
    // As the run's admin role, which has no setting of its own: the databases' settings stand.
    const doc = readFileSync(join(REPO_ROOT, 'docs/POSTGRES.md'), 'utf8').replace(/\s+/g, ' ');
    const refusal = async (database: string) => {
      const message = ((await open(database).catch((e: unknown) => e)) as Error).message;
      return message
        .replace(/^the PostgreSQL database at \S+ /, '')
        .replace(' (docs/POSTGRES.md, "Config")', '')
        .replaceAll('ALTER ROLE postgres', 'ALTER ROLE hcp');
    };
    expect(doc).toContain(await refusal(DATABASES.readOnly));
    const unsynced = await refusal(DATABASES.unsynced);
    expect(doc).toContain(/ALTER ROLE hcp SET synchronous_commit = on/.exec(unsynced)![0]);
  });

  it.each(['local', 'remote_write', 'remote_apply'])('opens when synchronous_commit is %s, which flushes the commit locally first', async (level) => {
    const database = `hcp_setup_${level}_${suffix}`;
    await asAdmin(async (c) => {
      await c.query(`CREATE DATABASE ${database} ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0`);
      await c.query(`ALTER DATABASE ${database} SET synchronous_commit = ${level}`);
    });
    try {
      const store = await open(database);
      await store.close();
    } finally {
      await asAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
    }
  });

  it('is refused on a standby, a replica following its primary', async () => {
    const primary = await startPgCluster();
    try {
      const standby = await startPgCluster({ standbyOf: primary });
      try {
        const err = await open('postgres', `${standby.baseUrl}/postgres`).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DatabaseSetupError);
        expect((err as Error).message).toMatch(/^the PostgreSQL database at 127\.0\.0\.1:\d+\/postgres takes no writes \(transaction_read_only = on\): it is a standby/);
        // Its primary, the same data, opens.
        const store = await open('postgres', `${primary.baseUrl}/postgres`);
        await store.close();
      } finally {
        standby.stop();
      }
    } finally {
      primary.stop();
    }
  }, 60_000);

  it('is refused on a server that runs with fsync off', async () => {
    // fsync is the server's alone (postgresql.conf): a cluster of this test's own.
    const own = await startPgCluster();
    try {
      const admin = new pg.Client({ connectionString: `${own.baseUrl}/postgres` });
      await admin.connect();
      await admin.query('ALTER SYSTEM SET fsync = off');
      await admin.query('SELECT pg_reload_conf()');
      await admin.end();
      // The server reads its file again on its own time: wait until a new session sees fsync off.
      const fsyncNow = async () => {
        const c = new pg.Client({ connectionString: `${own.baseUrl}/postgres` });
        await c.connect();
        const v = (await c.query('SHOW fsync')).rows[0].fsync as string;
        await c.end();
        return v;
      };
      for (let i = 0; i < 50 && (await fsyncNow()) !== 'off'; i++) await new Promise((r) => setTimeout(r, 100));
      const err = await open('postgres', `${own.baseUrl}/postgres`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatabaseSetupError);
      expect((err as Error).message).toMatch(
        /^the PostgreSQL database at 127\.0\.0\.1:\d+\/postgres runs with fsync = off: a crash of its machine can lose ratings the gateway acknowledged; set fsync = on in postgresql\.conf/,
      );
    } finally {
      own.stop();
    }
  }, 60_000);

  it('opens when made as docs/POSTGRES.md says', async () => {
    const store = await open(DATABASES.right);
    try {
      expect(store.dialect).toBe('postgres');
    } finally {
      await store.close();
    }
  });
});
