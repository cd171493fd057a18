/**
 * Issue 10, hole 4: a case invitation to a disconnected device was lost while the business system
 * was told 200, and a retry did not resend it. Now an invitation is kept until it reaches the
 * device (while it is still valid), the answer says whether it was delivered or queued, the
 * business system can withdraw a case, and invitations that ran out are marked expired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CasesFeature } from '../../gateway/cases/cases-feature.js';
import type { Gateway } from '../../gateway/gateway.js';
import { waitFor } from '../../scripts/lib/wait-until.js';
import { startInProcessGateway } from '../sync/gateway-fixture.js';
import { ScriptedDevice } from '../support/scripted-device.js';

let gw: Gateway;
let key = '';
let clock = Date.now();
const url = () => `mqtt://127.0.0.1:${gw.mqttPort}`;

beforeAll(async () => {
  gw = await startInProcessGateway({ clock: { now: () => clock }, sections: { cases: { invitationValidSec: 300, answerWaitMs: 1500 } } });
  key = await (gw.features.get('cases') as CasesFeature).keys.issue('biz-1');
});
afterAll(async () => gw?.stop());

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${gw.httpUrl}${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
};

/** A device that answers invitations as a device with someone logged in does. */
async function answeringDevice(id: string, windowId = 'w-01'): Promise<ScriptedDevice> {
  const d = new ScriptedDevice(id, windowId, gw.httpUrl);
  await d.enrol((await gw.enrolment.registerDevice(id, windowId)).code);
  return d;
}
async function goOnline(d: ScriptedDevice): Promise<void> {
  await d.connect(url());
  d.client!.on('message', (topic, payload) => {
    if (!topic.endsWith('/invite')) return;
    const m = JSON.parse(payload.toString());
    void d.publishJson('receipt', m.withdraw ? { inviteId: m.withdraw, outcome: 'withdrawn' } : { inviteId: m.inviteId, outcome: 'armed' });
  });
}

describe('case invitations', () => {
  it('queued while the device is offline, delivered when it connects, told truthfully to the business system', async () => {
    const d = await answeringDevice('dev-inv');
    const first = await call('POST', '/api/cases', { caseNo: 'C-1', windowNumber: '01', itemCode: 'I-1', itemName: '登记' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ caseNo: 'C-1', state: 'open', delivery: 'queued' });
    expect(first.body.invitations).toHaveLength(1);

    await goOnline(d);
    await waitFor(() => d.received('invite').length === 1, { what: 'invitation on connect' });
    expect(d.received('invite')[0]).toMatchObject({ caseNo: 'C-1', itemName: '登记' });
    expect(d.received('invite')[0].validForSec).toBeGreaterThan(200);
    await waitFor(async () => (await call('GET', '/api/cases/C-1')).body.delivery === 'delivered', { what: 'delivered' });

    // Online now: the answer says delivered at once.
    const second = await call('POST', '/api/cases', { caseNo: 'C-2', windowNumber: '01' });
    expect(second.body).toMatchObject({ delivery: 'delivered' });
    // A retry of the same case after delivery sends nothing new.
    expect((await call('POST', '/api/cases', { caseNo: 'C-2', windowNumber: '01' })).body.invitations).toHaveLength(1);
    await d.close();
  });

  it('never delivers an invitation late; a retry after it expired sends a new one; a withdrawal reaches the device', async () => {
    await gw.registry.upsertWindow({ windowId: 'w-03', number: '03', department: '公安局' });
    const d = await answeringDevice('dev-inv2', 'w-03');
    const queued = await call('POST', '/api/cases', { caseNo: 'C-3', windowNumber: '03' });
    expect(queued.body.delivery).toBe('queued');

    clock += 301_000; // the citizen has left
    await waitFor(async () => (await call('GET', '/api/cases/C-3')).body.delivery === 'expired', { what: 'expired' });
    await goOnline(d);
    await new Promise((r) => setTimeout(r, 300));
    expect(d.received('invite')).toHaveLength(0);

    const retried = await call('POST', '/api/cases', { caseNo: 'C-3', windowNumber: '03' });
    expect(retried.body.delivery).toBe('delivered');
    expect(retried.body.invitations.map((i: { state: string }) => i.state)).toEqual(['expired', 'armed']);

    const withdrawn = await call('POST', '/api/cases/C-3/withdraw', { reason: '录入错误' });
    expect(withdrawn.body).toMatchObject({ state: 'withdrawn' });
    await waitFor(() => d.received('invite').some((m) => m.withdraw), { what: 'withdrawal on the device' });
    expect((await call('POST', '/api/cases/C-3/withdraw', {})).status).toBe(400);
    await d.close();
  });
});
