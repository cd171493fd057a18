/**
 * The local API's guard rails over a real runtime and SQLite file: token required, loopback host
 * only, schema errors name the field, and the live WebSocket pushes each screen change.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ChainStore } from '../store/chain-store.js';
import { openDeviceDatabase } from '../store/database.js';
import { EventLog } from '../store/event-log.js';
import { KvState } from '../store/kv-state.js';
import { DeviceRuntime } from '../runtime/device-runtime.js';
import { configFromBootstrap } from '../runtime/window-config.js';
import { buildLocalApi, listenLocalApi } from './local-api.js';

const TOKEN = 'test-token-0123456789';
let app: FastifyInstance;
let url = '';
let runtime: DeviceRuntime;

beforeAll(async () => {
  const db = openDeviceDatabase(join(mkdtempSync(join(tmpdir(), 'hcp-api-')), 'device.db'));
  const store = new ChainStore(db, 'dev-api', generateKeyPairSync('ed25519').privateKey);
  runtime = new DeviceRuntime({
    deviceId: 'dev-api',
    store,
    kv: new KvState(db),
    events: new EventLog(db),
    logger: pino({ level: 'silent' }),
    initialConfig: configFromBootstrap(
      'dev-api',
      {
        hallName: 'H',
        window: { id: 'w1', number: '1', department: 'D' },
        catalogueVersion: '2020.1',
        roster: [{ staffId: 's-1', staffNo: 'A1', name: '王芳', post: '受理', title: '科员', badgeUids: ['1111111111'] }],
      },
      120,
    ),
    detailsTimeoutSec: 60,
    thanksTimeoutSec: 4,
  });
  app = await buildLocalApi({ runtime, token: TOKEN, logger: pino({ level: 'silent' }), status: () => ({ backlog: store.backlog() }) });
  url = await listenLocalApi(app, 0);
});
afterAll(async () => {
  await app.close();
  await runtime.stop();
});

const auth = { authorization: `Bearer ${TOKEN}`, host: '127.0.0.1' };

describe('local API', () => {
  it('refuses calls without the per-boot token', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/state', headers: { host: '127.0.0.1' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/state', headers: { host: '127.0.0.1', authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/state', headers: auth })).statusCode).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/state', headers: { ...auth, host: 'evil.example:80' } });
    expect(r.statusCode).toBe(421);
  });

  it('names the bad field of a malformed body and changes nothing', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/details', headers: auth, payload: { ratingId: 'nope', reasons: 'x' } });
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/ratingId: id must be a UUIDv7; reasons: /);
  });

  it('pushes every screen change on the live WebSocket', async () => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/live?token=${TOKEN}`);
    const screens: string[] = [];
    ws.on('message', (m) => screens.push(JSON.parse(m.toString()).screen));
    await new Promise((r) => ws.once('open', r));
    const post = (path: string, body: unknown = {}) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await post('/api/badge', { uid: '1111111111' });
    await post('/api/invite');
    await post('/api/rate', { level: 5 });
    await new Promise((r) => setTimeout(r, 100));
    ws.close();
    expect(screens).toEqual(['paused', 'idle', 'armed', 'thanks']);
  });

  it('refuses the WebSocket without the token', async () => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/api/live`);
    const status = await new Promise<number>((r) => ws.once('unexpected-response', (_req, res) => r(res.statusCode ?? 0)));
    expect(status).toBe(401);
  });
});
