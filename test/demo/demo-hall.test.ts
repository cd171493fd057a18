/**
 * The README's first command works as the README says: `npx tsx scripts/demo-hall.ts` from the
 * repository prints the running block, and every address in it answers. Each printed login logs
 * in; the printed "post a case" line, run as printed, puts the case on window 01's device; the
 * simulated citizens' ratings reach the simulated province; a citizen rating window 04 on its phone
 * page is in the hall's counts and at the province as a QR rating; the printed "case with SMS" line
 * gets its text to the SMS inbox, whose link opens that case's phone page; window 02 prints
 * receipts. SIGINT stops it with exit code 0 and leaves no process behind. The demo runs in a
 * temporary folder (HCP_DEMO_DIR), so a person's demo in .demo/ is left alone.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAPER_CARD_PF } from '../../scripts/lib/demo-print.js';
import { REPO_ROOT } from '../../scripts/lib/device-process.js';
import { waitUntil } from '../../scripts/lib/wait-until.js';
import { alive, DemoProcess, type PrintedDemo } from './demo-process.js';

// Window 01's panel runs the firmware scripts/setup.sh builds; build it here if only the build is
// missing, and skip only where the AVR toolchain and simavr are not installed at all.
const BUILT = ['hardware/build/virtual-panel', 'hardware/build/hcp-panel.elf'].every((f) => existsSync(join(REPO_ROOT, f)));
const TOOLCHAIN = spawnSync('sh', ['-c', 'command -v avr-gcc && pkg-config --exists simavr simavrparts']).status === 0;
if (!BUILT && !TOOLCHAIN) console.warn('demo-hall test skipped: no AVR toolchain or simavr to build the panel firmware (bash scripts/setup.sh installs them)');

const bash = (line: string) => execFileSync('bash', ['-c', `${line} -s`], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 15_000 });
const getJson = async (url: string, init?: RequestInit) => (await fetch(url, init)).json() as Promise<any>;
type Text = { to: string; link: string };
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

describe.skipIf(!BUILT && !TOOLCHAIN)('the demo hall, as the README starts it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hcp-demo-test-'));
  let demo: DemoProcess;
  let p: PrintedDemo;
  let token = '';
  // The whole run is bounded (120 s): startup and every wait share 100 s, the stop has 15 s more.
  let deadline = 0;
  const within = (ms: number) => Math.max(0, Math.min(ms, deadline - Date.now()));

  beforeAll(async () => {
    if (!BUILT) execFileSync('make', ['-s', '-C', 'hardware'], { cwd: REPO_ROOT, stdio: 'inherit', timeout: 60_000 });
    deadline = Date.now() + 100_000;
    demo = new DemoProcess(dir);
    p = await demo.running(within(60_000));
    demo.descendants();
  }, 90_000);

  afterAll(async () => {
    // A failed run must not leave the hall's programs behind.
    if (demo) {
      demo.descendants();
      demo.killLeftovers();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints every address, and each answers', async () => {
    expect(p.console).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect([...p.kiosks.keys()]).toEqual(['01', '02', '03', '04']);
    expect([...p.phones.keys()]).toEqual(['01', '02', '03', '04']);
    const consolePage = await fetch(p.console);
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toContain('<div id="app"');
    expect((await fetch(p.docs)).status).toBe(200);
    expect((await fetch(p.paperCards)).status).toBe(200);
    for (const [number, url] of p.kiosks) {
      const kioskToken = new URL(url).hash.replace('#token=', '');
      expect((await fetch(url)).status).toBe(200);
      expect(bash(p.statusCurls.get(number)!)).toMatch(/"deviceId":"dev-lf-\d\d"/);
      expect(p.statusCurls.get(number)).toContain(kioskToken);
    }
    for (const [number, url] of p.phones) {
      expect(url).toBe(`${p.console.replace(/\/$/, '')}/w/w-${number}`);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(number);
    }
    expect(await getJson(p.provinceStats)).toHaveProperty('stored');
    expect((await fetch(p.smsInbox)).status).toBe(200);
  });

  it('each printed console login logs in', async () => {
    expect(p.logins.map((l) => l.username)).toEqual(['hall-it', 'manager', 'dept-head', 'supervisor', 'auditor']);
    for (const login of p.logins) {
      const res = await fetch(new URL('/api/login', p.console), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(login) });
      expect(res.status, login.username).toBe(200);
      const body = (await res.json()) as { token: string };
      expect(body.token).toBeTruthy();
      if (login.username === 'hall-it') token = body.token;
    }
  });

  it('the printed "post a case" line puts the case on window 01', async () => {
    // Window 01's staff badges in on its panel a moment after the block is printed (a device with
    // nobody logged in refuses cases, and says so): wait for them as a person at the window would.
    const kiosk = new URL(p.kiosks.get('01')!);
    const kioskToken = new URLSearchParams(kiosk.hash.slice(1)).get('token')!;
    const staffIn = async () => {
      const r = await fetch(new URL('/api/state', kiosk.origin), { headers: { authorization: `Bearer ${kioskToken}` } });
      return r.ok && ((await r.json()) as { staff: unknown }).staff !== null;
    };
    for (let i = 0; i < 150 && !(await staffIn()); i++) await new Promise((r) => setTimeout(r, 200));
    const answer = JSON.parse(bash(p.postCase)) as { caseNo: string; delivery: string; state: string };
    expect(answer.caseNo).toBe('LF-2026-0001');
    // The panel's citizens may rate it at once: it arrived if the device armed it or it is rated.
    const arrived = answer.delivery === 'delivered' || answer.state === 'rated';
    expect(arrived, JSON.stringify(answer)).toBe(true);
  });

  it("the simulated citizens' ratings reach the province", async () => {
    expect(await waitUntil(async () => (await getJson(p.provinceStats)).stored > 0, within(30_000), 500)).toBe(true);
  });

  it('a rating on the phone page is in the hall and at the province (channel QR)', async () => {
    const counts = async () => {
      const res = await fetch(new URL('/api/counts', p.console), { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, Record<string, number>>;
    };
    expect((await counts())['w-04']?.total ?? 0).toBe(0);
    const page = await (await fetch(p.phones.get('04')!)).text();
    const formToken = page.match(/name="token" value="([^"]+)"/)![1]!;
    // A form token is good from 3 s after the page was opened (docs/PHONE.md "Abuse limits").
    await new Promise((r) => setTimeout(r, 3100));
    const sent = await fetch(p.phones.get('04')!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: formToken, level: '5' }).toString(),
    });
    expect(sent.status).toBe(200);
    expect(await sent.text()).toContain('感谢');
    expect((await counts())['w-04']).toMatchObject({ 5: 1, total: 1 });
    const qrAtProvince = async () => ((await getJson(`${p.provinceRatings}?limit=10000`)).ratings as Array<{ record: { pf: number } }>).filter((r) => r.record.pf === 3);
    expect(await waitUntil(async () => (await qrAtProvince()).length === 1, within(30_000), 500)).toBe(true);
  });

  it('the printed "case with SMS" line gets a text to the inbox, and its link opens the case', async () => {
    const answer = JSON.parse(bash(p.caseWithSms)) as { caseNo: string; delivery: string };
    expect(answer).toMatchObject({ caseNo: 'LF-2026-0002', delivery: 'delivered' });
    const texts = async () => ((await getJson(new URL('texts.json', p.smsInbox).href)).texts as Text[]).filter((t) => t.to === '138****8000');
    expect(await waitUntil(async () => (await texts()).length === 1, within(40_000), 500)).toBe(true);
    const [text] = await texts();
    expect(text!.link).toMatch(new RegExp(`^${p.console}c/`));
    const page = await fetch(text!.link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('住房公积金提取');
    expect(JSON.stringify(await getJson(new URL('texts.json', p.smsInbox).href))).not.toContain('13800138000');
  });

  it("a paper card entered in the console goes to the province with the demo's paper-card code", async () => {
    const manager = p.logins.find((l) => l.username === 'manager')!;
    const login = (await getJson(new URL('/api/login', p.console).href, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(manager) })) as {
      token: string;
    };
    const asManager = (path: string, body: unknown) =>
      fetch(new URL(path, p.console), { method: 'POST', headers: { authorization: `Bearer ${login.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const batch = await asManager('/api/paper/batches', { windowId: 'w-03', count: 4 });
    expect(batch.status).toBe(200);
    const { firstSerial } = (await batch.json()) as { firstSerial: string };
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10); // China date
    const entry = await asManager('/api/paper/entries', { serial: firstSerial, serviceDate: today, level: 4 });
    expect(entry.status, await entry.clone().text()).toBe(200);
    const paperAtProvince = async () =>
      ((await getJson(`${p.provinceRatings}?limit=10000`)).ratings as Array<{ record: { pf: number } }>).filter((r) => r.record.pf === PAPER_CARD_PF);
    expect(await waitUntil(async () => (await paperAtProvince()).length === 1, within(30_000), 500)).toBe(true);
  });

  it('window 02 prints a receipt after its ratings', async () => {
    const receipts = resolve(REPO_ROOT, p.receiptDir);
    expect(await waitUntil(() => existsSync(receipts) && readdirSync(receipts).some((f) => f.endsWith('.bin')), within(20_000), 500)).toBe(true);
  });

  it('SIGINT stops it: every part ends, exit code 0, no process left behind', async () => {
    const tree = demo.descendants();
    expect(tree.length).toBeGreaterThanOrEqual(6); // the script, the gateway, four devices (and the panel)
    const script = tree.find((pid) => cmdline(pid).includes('loader.mjs') && cmdline(pid).includes('scripts/demo-hall.ts'));
    expect(script && alive(script), `the demo's own program among ${tree.map((pid) => `${pid} ${cmdline(pid)}`).join('; ')}`).toBeTruthy();
    // SIGINT to the demo's own program, which must stop everything it started. Not to the process
    // group as a terminal's Ctrl-C does: there npx's `sh -c` (dash) ends itself by the signal
    // whatever the program returns (status 130), tsx kills a child that does not confirm the
    // signal within 30 ms (a loaded machine), and each part would get the signal itself.
    process.kill(script!, 'SIGINT');
    const ended = await Promise.race([demo.exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 15_000))]);
    expect(ended, demo.out.slice(-2000)).toBe(0);
    expect(demo.out.trimEnd().endsWith('hcp demo hall stopped.'), demo.out.slice(-2000)).toBe(true);
    expect(await waitUntil(() => tree.every((pid) => !alive(pid)), 5000, 500), tree.filter(alive).map(cmdline).join('; ')).toBe(true);
  }, 30_000);
});
