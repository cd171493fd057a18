/**
 * The exports of the November fixture report as a user downloads them: the XLSX read back with
 * exceljs, the CSV parsed (exceljs's CSV reader), the PDF rendered to PNG with pdftoppm (poppler)
 * and kept under test-artifacts/reports/ to be looked at. Each shows the figures, the snapshot's
 * hash and the measures' definitions.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOVEMBER_DUE } from './fixture-month.js';
import { startReportHarness, type ReportHarness } from './report-harness.js';

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'reports');
let h: ReportHarness;
let meta: any;

async function download(format: string, id = 'monthly-2026-11-v1') {
  const res = await fetch(`${h.gw.httpUrl}/api/reports/${id}/export/${format}`, { headers: { authorization: `Bearer ${h.supervisor.token}` } });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), body: Buffer.from(await res.arrayBuffer()) };
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  h = await startReportHarness();
  await h.at(NOVEMBER_DUE);
  await h.reports.desk.tick();
  meta = (await h.supervisor.call('GET', '/api/reports/monthly-2026-11-v1')).body.snapshot;
}, 60_000);
afterAll(async () => h?.gw.stop());

describe('report exports', () => {
  it('XLSX: read back with exceljs, figures and definitions as in the snapshot', async () => {
    const d = await download('xlsx');
    expect(d.status).toBe(200);
    expect(d.disposition).toContain('monthly-2026-11-v1.xlsx');
    writeFileSync(join(ARTIFACTS, 'monthly-2026-11-v1.xlsx'), d.body);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(d.body as never);
    expect(wb.worksheets.map((w) => w.name)).toEqual(
      expect.arrayContaining(['说明', '全厅汇总', '按部门', '按维度（全厅）', '部门排名', '防刷评（R11 异常标记）', '公平性：差评按根本原因']),
    );
    const about = wb.getWorksheet('说明')!;
    const aboutText = about.getSheetValues().flat().join('\n');
    expect(aboutText).toContain(meta.hash);
    expect(aboutText).toContain('主动评价好评率');
    expect(aboutText).toContain('不含系统默认评价');
    const dept = wb.getWorksheet('按部门')!;
    const header = (dept.getRow(2).values as unknown[]).slice(1);
    const row = (dept.getRow(3).values as unknown[]).slice(1);
    const col = (name: string) => header.indexOf(name);
    expect(row[0]).toBe('行政审批局');
    // 好评率 7/10 and 主动评价好评率 6/9 (report-golden.test.ts), as numerator, denominator, value.
    expect([row[col('好评率·分子')], row[col('好评率·分母')], row[col('好评率')]]).toEqual([7, 10, 0.7]);
    expect(row[col('主动评价好评率')]).toBeCloseTo(6 / 9, 12);
    expect(dept.getColumn(col('好评率') + 1).numFmt).toBe('0.0%');
  });

  it('CSV: parsed, with the BOM, every table under its title, rates as three columns', async () => {
    const d = await download('csv');
    expect(d.type).toContain('text/csv');
    writeFileSync(join(ARTIFACTS, 'monthly-2026-11-v1.csv'), d.body);
    expect(d.body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const wb = new ExcelJS.Workbook();
    const ws = await wb.csv.read(Readable.from([d.body.subarray(3).toString('utf8')]), { parserOptions: { relaxColumnCount: true } } as never);
    const rows = (ws.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1).map((c) => (c === undefined || c === null ? '' : String(c))));
    expect(rows[0]![0]).toContain('月度报告 2026-11');
    expect(rows.find((r) => r[0] === '快照哈希 SHA-256')![1]).toBe(meta.hash);
    const title = rows.findIndex((r) => r[0] === '按部门');
    const header = rows[title + 1]!;
    const a = rows[title + 2]!;
    expect(a[0]).toBe('行政审批局');
    expect(a[header.indexOf('未评率·分子')]).toBe('1');
    expect(a[header.indexOf('未评率·分母')]).toBe('6');
    expect(Number(a[header.indexOf('未评率')])).toBe(0.1667);
    // By dimension: 未评率 does not apply.
    const dims = rows.findIndex((r) => r[0] === '按维度（全厅）');
    expect(rows[dims + 2]![rows[dims + 1]!.indexOf('未评率')]).toBe('n/a');
    // The definitions travel with the figures.
    expect(rows.some((r) => r[0] === '回访整改满意率' && r[1]!.includes('拒绝再评价'))).toBe(true);
  });

  it('PDF: renders with an embedded CJK font; page 1 kept as PNG to be looked at', async () => {
    const d = await download('pdf');
    expect(d.status).toBe(200);
    expect(d.body.subarray(0, 5).toString()).toBe('%PDF-');
    const pdf = join(ARTIFACTS, 'monthly-2026-11-v1.pdf');
    writeFileSync(pdf, d.body);
    // The font is embedded (a subset), not referenced.
    expect(execFileSync('pdffonts', [pdf]).toString()).toMatch(/NotoSansCJK.*yes/);
    execFileSync('pdftoppm', ['-png', '-r', '110', '-f', '1', '-l', '2', pdf, join(ARTIFACTS, 'monthly-2026-11-v1')]);
    const png = readFileSync(join(ARTIFACTS, 'monthly-2026-11-v1-1.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // The text layer carries the Chinese and the figures.
    const text = execFileSync('pdftotext', ['-layout', pdf, '-']).toString();
    expect(text).toContain('政务服务“好差评”月度报告');
    expect(text).toContain('70.0%');
    expect(text).toContain('7/10');
    expect(text).toContain(meta.hash);
    expect(text).toContain('主动评价好评率');
  });
});
