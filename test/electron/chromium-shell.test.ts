/**
 * The Chromium alternative shell: Debian's Chromium with hcp's managed policy
 * (electron-app/chromium-shell/policies/hcp-kiosk.json) and launcher flags, on a real device
 * runtime serving the built kiosk. What a citizen or a stray page could try, and what the shell does.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildRenderer } from '../../electron-app/build.js';
import { type RunningDevice, startDevice } from '../support/device-process.js';
import { launchUnderPolicy, type PolicyChromium, shippedPolicy } from './policy-chromium.js';

let device: RunningDevice;
let kioskUrl: string;

beforeAll(async () => {
  await buildRenderer();
  const hall = generateKeyPairSync('x25519');
  device = await startDevice({
    deviceId: 'dev-chromium-shell',
    dir: mkdtempSync(join(tmpdir(), 'hcp-chromium-shell-dev-')),
    config: {
      bootstrap: {
        hallName: '廊坊市政务服务中心',
        window: { id: 'w-07', number: '07', department: '市场监管局' },
        roster: [{ staffId: 's-001', staffNo: 'A001', name: '张晓梅', post: '综合受理', title: '科员', badgeUids: ['0A1B2C3D4E'] }],
        contactKey: { keyId: 'hall-2026', publicKeyPem: hall.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      },
    },
  });
  kioskUrl = `${device.url}/#token=${encodeURIComponent(device.token)}`;
});
afterAll(async () => {
  await device?.stop();
});

/** A bare DevTools protocol client: what F12 or a remote debugger would do to the kiosk page. */
async function devtoolsAttachToKiosk(shell: PolicyChromium): Promise<{ attach: { error?: { message: string } }; token?: string }> {
  const ws = new WebSocket(shell.wsEndpoint);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  let id = 0;
  const send = (method: string, params: object = {}, sessionId?: string) =>
    new Promise<{ result?: Record<string, unknown>; error?: { message: string } }>((done) => {
      const my = ++id;
      ws.on('message', (m) => {
        const msg = JSON.parse(String(m));
        if (msg.id === my) done(msg);
      });
      ws.send(JSON.stringify({ id: my, method, params, sessionId }));
    });
  try {
    let page: { targetId: string } | undefined;
    for (let i = 0; i < 50 && !page; i++) {
      const t = (await send('Target.getTargets')).result as { targetInfos: Array<{ type: string; url: string; targetId: string }> };
      page = t.targetInfos.find((x) => x.type === 'page' && x.url.startsWith(device.url));
      if (!page) await new Promise((r) => setTimeout(r, 100));
    }
    if (!page) throw new Error('the kiosk page never appeared');
    const attach = await send('Target.attachToTarget', { targetId: page.targetId, flatten: true });
    if (attach.error) return { attach };
    // The renderer keeps the token in sessionStorage (and strips it from the URL): read it as DevTools' console would.
    let token = '';
    for (let i = 0; i < 50 && !token; i++) {
      const r = await send('Runtime.evaluate', { expression: "sessionStorage.getItem('hcp-token') ?? ''", returnByValue: true }, String(attach.result?.sessionId));
      token = (r.result?.result as { value?: string } | undefined)?.value ?? '';
      if (!token) await new Promise((res) => setTimeout(res, 100));
    }
    return { attach, token };
  } finally {
    ws.close();
  }
}

describe('Chromium shell with the shipped managed policy', () => {
  it('DevTools cannot attach to the kiosk page, so the local API token in its URL stays unseen', async () => {
    const shell = await launchUnderPolicy(shippedPolicy(device.url), kioskUrl);
    try {
      const r = await devtoolsAttachToKiosk(shell);
      expect(r.attach.error?.message).toBe('Not allowed');
      expect(r.token).toBeUndefined();
    } finally {
      await shell.stop();
    }
  });

  it('the same attach with DeveloperToolsAvailability lifted reads the token: the policy is what stops it', async () => {
    const shell = await launchUnderPolicy({ ...shippedPolicy(device.url), DeveloperToolsAvailability: 1 }, kioskUrl);
    try {
      const r = await devtoolsAttachToKiosk(shell);
      expect(r.attach.error).toBeUndefined();
      expect(r.token).toBe(device.token);
    } finally {
      await shell.stop();
    }
  });
});

describe('Chromium shell: navigation and drops (policy with DevTools lifted so the test can drive it)', () => {
  let shell: PolicyChromium;
  let page: Page;
  let pageCount: () => number;
  /** The kiosk shows one of its screens (no staff is signed in here, so 'paused'). */
  const kioskShown = async (): Promise<string> => {
    for (let i = 0; i < 200; i++) {
      // A navigation (the blocked ones, the reload) destroys the context mid-poll: poll again.
      const screen = await page.evaluate(() => document.documentElement.dataset.screen).catch(() => undefined);
      if (screen) return screen;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the kiosk never showed a screen');
  };
  beforeAll(async () => {
    shell = await launchUnderPolicy({ ...shippedPolicy(device.url), DeveloperToolsAvailability: 1 }, kioskUrl);
    const browser = await chromium.connectOverCDP(shell.wsEndpoint, { noDefaults: true });
    const context = browser.contexts()[0];
    if (!context) throw new Error('no browser context');
    for (let i = 0; i < 50 && !context.pages().some((p) => p.url().startsWith(device.url)); i++) await new Promise((r) => setTimeout(r, 100));
    const found = context.pages().find((p) => p.url().startsWith(device.url));
    if (!found) throw new Error('the kiosk page never appeared');
    page = found;
    pageCount = () => context.pages().length;
    await kioskShown();
  });
  afterAll(async () => {
    await shell?.stop();
  });

  it('navigation to any other origin is blocked by the allow-list', async () => {
    for (const url of ['http://example.com/', 'http://127.0.0.1:9/', 'file:///etc/passwd']) {
      await expect(page.goto(url), url).rejects.toThrow(/ERR_BLOCKED_BY_ADMINISTRATOR/);
    }
    // The blocked page's own error navigation may still be settling: a second try lands.
    await page.goto(kioskUrl).catch(() => undefined);
    await kioskShown();
  });

  it('a link dropped on the kiosk opens nothing and the kiosk stays on screen', async () => {
    const before = pageCount();
    const screenBefore = await kioskShown();
    const cdp = await page.context().newCDPSession(page);
    const drop = async () => {
      const data = { items: [{ mimeType: 'text/uri-list', data: 'http://example.com/' }], dragOperationsMask: 0xff };
      for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await cdp.send('Input.dispatchDragEvent', { type, x: 400, y: 300, data });
      await new Promise((res) => setTimeout(res, 1000));
    };
    await drop();
    expect(pageCount()).toBe(before);
    expect(page.url()).toBe(kioskUrl);
    expect(await page.evaluate(() => document.documentElement.dataset.screen)).toBe(screenBefore);
  });
});
