/**
 * Issue 14, press→ack latency: a device's ack left the embedded broker some 40 ms after its commit
 * (p50 42.6 ms at 200 ratings/s, against 0.5 ms for the bare broker's PUBACK). The ack is written
 * right after the PUBACK of the batch it answers; with Nagle's algorithm on the broker's socket it
 * waited for the device's delayed TCP ACK of that PUBACK. The broker now sends without delay on
 * every device connection. Asserted on the socket option (a wall-clock bound would be fragile on a
 * loaded machine); `BENCH_PARTS=latency npm run bench:gateway` shows what it buys.
 */
import { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { Gateway } from '../../gateway/gateway.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';

let gw: Gateway;
beforeAll(async () => {
  gw = await startInProcessGateway();
});
afterAll(async () => gw?.stop());

it('the broker turns Nagle off on a device connection before the first ack goes out', async () => {
  const setNoDelay = Socket.prototype.setNoDelay;
  const serverSide: Array<boolean | undefined> = [];
  const spy = vi.spyOn(Socket.prototype, 'setNoDelay').mockImplementation(function (this: Socket, noDelay?: boolean) {
    if (this.localPort === gw.mqttPort) serverSide.push(noDelay);
    return setNoDelay.call(this, noDelay);
  });
  try {
    const dev = new ScriptedDevice('dev-nodelay', 'w-01', gw.httpUrl);
    await dev.enrol((await gw.enrolment.registerDevice('dev-nodelay', 'w-01')).code);
    await dev.connect(`mqtt://127.0.0.1:${gw.mqttPort}`);
    const ack = await dev.send([dev.rating(5)]);
    expect(ack.committedThroughSeq).toBe(1);
    expect(serverSide).toContain(true);
    await dev.close();
  } finally {
    spy.mockRestore();
  }
});
