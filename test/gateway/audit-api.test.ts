/**
 * Issue 11, the audit log for the auditor: filtered and paged, and exported as RFC 4180 CSV with a
 * UTF-8 byte order mark (Excel shows the Chinese), streamed page by page, with formula-looking
 * cells defused; the export is itself audited; nobody but the auditor reads it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../gateway/audit/audit-log.js';
import { csvField } from '../../gateway/audit/audit-query.js';
import { chinaDate } from '../../gateway/calendar/working-days.js';
import type { Gateway } from '../../gateway/gateway.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';

let gw: Gateway;
const tokens: Record<string, string> = {};
const today = chinaDate(new Date());
const NASTY = '=HYPERLINK("http://evil.example","点这里")';

beforeAll(async () => {
  gw = await startInProcessGateway();
  for (const [user, role] of [
    ['auditor', 'auditor'],
    ['manager', 'manager'],
    ['it', 'hall-it'],
  ] as const) {
    await gw.auth.createUser(user, `${user}-password-1`, role);
    const r = await gw.auth.login(user, `${user}-password-1`, '10.0.0.9');
    tokens[user] = r.ok ? r.token : '';
  }
  // A change with Chinese, commas and quotes in its detail, and a login under a name made to run in Excel.
  const put = await fetch(`${gw.httpUrl}/api/windows`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${tokens.it}`, 'content-type': 'application/json' },
    body: JSON.stringify({ windowId: 'w-03', number: '03', department: '行政审批局, "综合"科' }),
  });
  expect(put.status).toBe(200);
  await gw.auth.login(NASTY, 'whatever-password', '10.0.0.66');
  // Enough entries that the export takes several pages.
  const log = new AuditLog(gw.store, gw.clock);
  for (let i = 0; i < 2100; i++) await log.record({ actor: 'cli', action: 'bulk-test', subject: `s-${i}`, detail: { i } });
});
afterAll(async () => gw?.stop());

const get = (path: string, user: string) => fetch(`${gw.httpUrl}${path}`, { headers: tokens[user] ? { authorization: `Bearer ${tokens[user]}` } : {} });

/** RFC 4180 records (fields quoted or not, CRLF between records). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(field);
      field = '';
    } else if (!quoted && c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  return rows;
}

describe('GET /api/audit', () => {
  it('pages the log oldest first, filtered by actor, action and date', async () => {
    const first = await (await get('/api/audit?limit=3', 'auditor')).json();
    expect(first.entries.map((e: any) => e.action)).toEqual(['login', 'login', 'login']);
    expect(first.entries[0]).toMatchObject({ actor: 'auditor', remote: '10.0.0.9', subject: null, detail: null });
    const next = await (await get(`/api/audit?limit=3&afterId=${first.nextAfterId}`, 'auditor')).json();
    expect(next.entries[0].id).toBeGreaterThan(first.nextAfterId);

    const saved = await (await get('/api/audit?action=window-saved', 'auditor')).json();
    expect(saved.entries).toEqual([expect.objectContaining({ actor: 'it', subject: 'w-03', detail: expect.objectContaining({ department: '行政审批局, "综合"科' }) })]);
    expect(saved.nextAfterId).toBeNull();
    const refused = await (await get(`/api/audit?actor=${encodeURIComponent(NASTY)}`, 'auditor')).json();
    expect(refused.entries).toEqual([expect.objectContaining({ action: 'login-refused', detail: { why: 'unknown-user' } })]);
    expect((await (await get(`/api/audit?from=${today}&to=${today}&action=window-saved`, 'auditor')).json()).entries).toHaveLength(1);
    expect((await (await get('/api/audit?from=2020-01-01&to=2020-12-31', 'auditor')).json()).entries).toEqual([]);
  });

  it('is for the auditor alone, and names a bad field', async () => {
    for (const user of ['manager', 'it']) expect((await get('/api/audit', user)).status).toBe(403);
    expect((await get('/api/audit/export.csv', 'manager')).status).toBe(403);
    expect((await get('/api/audit', 'nobody')).status).toBe(401);
    for (const [query, field] of [
      ['limit=0', /^limit: /],
      ['afterId=-1', /^afterId: /],
      ['from=2026-02-30', /^from: is not a calendar date/],
      ['from=2026-11-02&to=2026-11-01', /^from: must not be after to/],
      ['user=it', /user/],
    ] as const) {
      const r = await get(`/api/audit?${query}`, 'auditor');
      expect(r.status, query).toBe(400);
      expect((await r.json()).message, query).toMatch(field);
    }
  });
});

describe('GET /api/audit/export.csv', () => {
  it('streams the whole log as RFC 4180 CSV with a UTF-8 BOM, and audits the export', async () => {
    const res = await get('/api/audit/export.csv', 'auditor');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="hcp-audit.*\.csv"$/);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.endsWith('\r\n')).toBe(true);
    // Records end in CRLF (no field here holds a line break).
    expect(text.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);

    const rows = parseCsv(text);
    expect(rows[0]).toEqual(['id', 'time (UTC+8)', 'at (UTC)', 'actor', 'action', 'subject', 'detail', 'remote']);
    const body = rows.slice(1);
    // Every entry once, in order (the export runs over several pages).
    const ids = body.map((r) => Number(r[0]));
    expect(ids.length).toBeGreaterThan(2100);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    const saved = body.find((r) => r[4] === 'window-saved')!;
    expect(JSON.parse(saved[6]!)).toMatchObject({ windowId: 'w-03', department: '行政审批局, "综合"科' });
    expect(saved[1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    // Opening the file in Excel runs nothing.
    expect(body.find((r) => r[4] === 'login-refused')![3]).toBe(`'${NASTY}`);

    const exported = await (await get('/api/audit?action=audit-exported', 'auditor')).json();
    expect(exported.entries).toEqual([expect.objectContaining({ actor: 'auditor', action: 'audit-exported', detail: {} })]);
  });

  it('exports only what the filters select', async () => {
    const res = await get(`/api/audit/export.csv?action=window-saved&from=${today}`, 'auditor');
    const rows = parseCsv((await res.text()).replace(/^\uFEFF/, ''));
    expect(rows).toHaveLength(2);
    expect(res.headers.get('content-disposition')).toContain(`hcp-audit-${today}.csv`);
    const exported = await (await get('/api/audit?action=audit-exported', 'auditor')).json();
    expect(exported.entries.at(-1).detail).toEqual({ action: 'window-saved', from: today });
  });

  it('quotes and defuses fields as RFC 4180 and OWASP say', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField('-1+1')).toBe("'-1+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(null)).toBe('');
    expect(csvField(42)).toBe('42');
  });
});
