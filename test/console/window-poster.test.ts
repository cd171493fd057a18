/**
 * Window posters (issue 11, registry): the PDF a script or the console gets from the gateway,
 * rendered to PNG as a printer would (pdftoppm), its QR code decoded back (jsQR) to the window's
 * rating page — the same URL the window's kiosk shows — and its words read back (pdftotext).
 * Who may print one, and a hall without qrBaseUrl printing none.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../gateway/config/gateway-config.js';
import { GATEWAY_FEATURES } from '../../gateway/features.js';
import { Gateway } from '../../gateway/gateway.js';
import { windowPostersFeature } from '../../gateway/registry/window-poster-feature.js';
import { REPO_ROOT } from '../support/device-process.js';
import { loggedIn, type ConsoleClient } from '../support/console-client.js';
import { qrCodesOfPdf } from './poster-qr.js';

const OUT = join(REPO_ROOT, 'test-artifacts', 'console', 'posters');
const QR_BASE = 'https://pj.example.gov.cn/hcp/';
/** The poster feature until gateway/features.ts lists it (a feature listed twice would register its routes twice). */
const FEATURES = GATEWAY_FEATURES.some((f) => f.name === windowPostersFeature.name) ? GATEWAY_FEATURES : [...GATEWAY_FEATURES, windowPostersFeature];

async function startHall(dir: string, qrBaseUrl: string | undefined): Promise<Gateway> {
  const hall = { hallName: '成都市武侯区政务服务中心', ...(qrBaseUrl ? { qrBaseUrl } : {}) };
  const config = parseGatewayConfig({ dataDir: join(dir, 'data'), http: { port: 0 }, mqtt: { port: 0 }, hall }, FEATURES, dir);
  const gw = new Gateway(config, pino({ level: 'silent' }), { features: FEATURES });
  await gw.start();
  return gw;
}

async function pdfOf(client: ConsoleClient, gw: Gateway, path: string): Promise<{ status: number; type: string | null; body: Buffer }> {
  const res = await fetch(`${gw.httpUrl}${path}`, { headers: { authorization: `Bearer ${client.token}` } });
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

const qrCodesOf = (pdf: Buffer, name: string) => qrCodesOfPdf(pdf, OUT, name);

/** The words of a PDF that qrCodesOf has written. */
const textOf = (name: string) => execFileSync('pdftotext', ['-layout', join(OUT, `${name}.pdf`), '-']).toString();

describe('window posters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-posters-'));
  let gw: Gateway;
  const as: Record<'it' | 'manager' | 'supervisor' | 'head', ConsoleClient> = {} as never;

  beforeAll(async () => {
    gw = await startHall(join(dir, 'hall'), QR_BASE);
    await gw.registry.upsertWindow({ windowId: 'w-07', number: '07', department: '市场监督管理局' });
    await gw.registry.upsertWindow({ windowId: 'w-12', number: '12', department: '税务局' });
    await gw.auth.createUser('it', 'poster-password-1', 'hall-it');
    await gw.auth.createUser('manager', 'poster-password-2', 'manager');
    await gw.auth.createUser('supervisor', 'poster-password-3', 'supervisor');
    const dept = (await gw.registry.window('w-07'))!.departmentId!;
    await gw.auth.createUser('head', 'poster-password-4', 'dept-head', { departmentId: dept });
    as.it = await loggedIn(gw, 'it', 'poster-password-1');
    as.manager = await loggedIn(gw, 'manager', 'poster-password-2');
    as.supervisor = await loggedIn(gw, 'supervisor', 'poster-password-3');
    as.head = await loggedIn(gw, 'head', 'poster-password-4');
  });
  afterAll(async () => {
    await gw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints a window's poster whose QR code, scanned off the rendered page, is the window's rating page", async () => {
    const r = await pdfOf(as.manager, gw, '/api/windows/w-07/poster.pdf');
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/pdf');
    // The address the kiosk of window w-07 shows (device/runtime/view-builder.ts: base without its trailing slash).
    expect(qrCodesOf(r.body, 'poster-w-07')).toEqual(['https://pj.example.gov.cn/hcp/w/w-07']);
    const text = textOf('poster-w-07');
    for (const words of ['成都市武侯区政务服务中心', '07 号窗口', 'Window 07', '市场监督管理局', '手机扫码评价', 'Scan to rate', 'https://pj.example.gov.cn/hcp/w/w-07']) {
      expect(text).toContain(words);
    }
    expect(execFileSync('pdfinfo', [join(OUT, 'poster-w-07.pdf')]).toString()).toMatch(/Page size:\s+595\.2\d? x 841\.8\d? pts \(A4\)/);
    expect(execFileSync('pdffonts', [join(OUT, 'poster-w-07.pdf')]).toString()).toMatch(/NotoSansCJK.*yes/);
  });

  it("prints every window's poster, one page each by number, for hall IT", async () => {
    const r = await pdfOf(as.it, gw, '/api/windows/posters.pdf');
    expect(r.status).toBe(200);
    expect(qrCodesOf(r.body, 'posters-all')).toEqual(['https://pj.example.gov.cn/hcp/w/w-07', 'https://pj.example.gov.cn/hcp/w/w-12']);
  });

  it('says whether posters can be printed, refuses roles that do not put them up, and an unknown window', async () => {
    expect((await as.manager.call('GET', '/api/window-posters')).body).toEqual({ qrBaseUrl: QR_BASE });
    expect((await pdfOf(as.supervisor, gw, '/api/windows/w-07/poster.pdf')).status).toBe(403);
    expect((await pdfOf(as.head, gw, '/api/windows/w-07/poster.pdf')).status).toBe(403);
    expect((await as.head.call('GET', '/api/window-posters')).status).toBe(403);
    const none = await as.it.call('GET', '/api/windows/w-99/poster.pdf');
    expect(none).toMatchObject({ status: 404, body: { error: 'not-found' } });
    const anonymous = await fetch(`${gw.httpUrl}/api/windows/w-07/poster.pdf`);
    expect(anonymous.status).toBe(401);
  });

  it('prints no poster in a hall without qrBaseUrl, and says why', async () => {
    const bare = await startHall(join(dir, 'bare'), undefined);
    try {
      await bare.registry.upsertWindow({ windowId: 'w-01', number: '01', department: '税务局' });
      await bare.auth.createUser('it', 'poster-password-1', 'hall-it');
      const it = await loggedIn(bare, 'it', 'poster-password-1');
      expect((await it.call('GET', '/api/window-posters')).body).toEqual({ qrBaseUrl: null });
      const one = await it.call('GET', '/api/windows/w-01/poster.pdf');
      expect(one.status).toBe(409);
      expect(one.body).toMatchObject({ error: 'no-qr-base-url', message: expect.stringContaining('qrBaseUrl') });
      expect((await it.call('GET', '/api/windows/posters.pdf')).status).toBe(409);
    } finally {
      await bare.stop();
    }
  });
});
