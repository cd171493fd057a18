/**
 * What docs/OPERATIONS.md "Memory" says the gateway does to stay small, shown: each API route's
 * response serializer is compiled on the route's first answer (still fastify's own, still dropping
 * undeclared fields), and the MQTT writer's table of 65,536 packet-id Buffers is never built.
 */
import { createRequire } from 'node:module';
import Fastify from 'fastify';
import mqtt from 'mqtt';
import { writeToStream } from 'mqtt-packet';
import { afterAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { buildLazySerializer } from '../../gateway/http/lazy-serializers.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';

const numbers = createRequire(import.meta.url)('mqtt-packet/numbers') as { cache: Record<number, Buffer> };
let gw: Gateway | null = null;
afterAll(async () => gw?.stop());

describe('memory switches', () => {
  it('compiles a response serializer on the route’s first answer, and it still drops undeclared fields', async () => {
    const app = Fastify({ schemaController: { compilersFactory: { buildSerializer: buildLazySerializer } } });
    // A schema fast-json-stringify cannot compile: compiled at start, ready() would fail.
    app.get('/broken', { schema: { response: { 200: { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } } } } }, async () => ({ a: 'x' }));
    app.get('/ok', { schema: { response: { 200: { type: 'object', properties: { a: { type: 'string' } } } } } }, async () => ({ a: 'x', secret: 'never shown' }));
    await app.ready();
    expect((await app.inject('/broken')).statusCode).toBe(500);
    expect((await app.inject('/ok')).json()).toEqual({ a: 'x' });
    await app.close();
  });

  it('never builds mqtt-packet’s packet-id table, though the broker writes packets', async () => {
    gw = await startInProcessGateway({});
    expect(writeToStream.cacheNumbers).toBe(false);
    const c = mqtt.connect(`mqtt://127.0.0.1:${gw.mqttPort}`, { clientId: 'dev-none', username: 'dev-none', password: 'x', reconnectPeriod: 0 });
    await new Promise<void>((r) => {
      c.once('error', () => r());
      c.once('close', () => r());
    });
    c.end(true);
    expect(Object.keys(numbers.cache)).toHaveLength(0);
  });
});
