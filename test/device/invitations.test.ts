/**
 * Case invitations on a real device process (issue 10, hole 4): the gateway learns what became of
 * each one. A refused invitation says why (`no-staff`), an opened one is `armed` and arms the
 * screen, a withdrawal takes it off screen and is answered `withdrawn`, and `validForSec` caps how
 * long an invitation stays open. The gateway's side is a real aedes on loopback (./support).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InviteReceiptSchema } from '../../device/contract/index.js';
import { DEMO_STAFF, startDevice, type RunningDevice } from '../support/device-process.js';
import { EnrolStub } from './support/enrol-stub.js';
import { TestBroker } from './support/test-broker.js';

const ID = 'dev-invite';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('case invitations and their receipts', () => {
  let broker: TestBroker;
  let stub: EnrolStub;
  let device: RunningDevice;

  const invite = (extra: Record<string, unknown> = {}) => {
    const inviteId = uuidv7();
    return { inviteId, payload: { inviteId, caseNo: 'LF-2026-000123', itemName: '营业执照变更登记', issuedAt: new Date().toISOString(), ...extra } };
  };
  const receiptFor = async (inviteId: string) => {
    await broker.waitFor(() => broker.of(ID, 'receipt').some((r) => r.inviteId === inviteId));
    const receipt = broker.of(ID, 'receipt').find((r) => r.inviteId === inviteId);
    expect(InviteReceiptSchema.safeParse(receipt).success).toBe(true);
    return receipt;
  };
  const screen = async () => (await device.api('GET', '/api/state')).body.screen as string;

  beforeAll(async () => {
    broker = await TestBroker.start();
    stub = await EnrolStub.start();
    device = await startDevice({
      deviceId: ID,
      dir: mkdtempSync(join(tmpdir(), 'hcp-invite-')),
      config: { gateway: { url: stub.url, mqttUrl: broker.url, enrolmentCode: 'code-1' } },
    });
    await broker.waitFor(() => broker.connectedClients().includes(ID));
    // Subscribed once the device has published its status after connecting.
    await broker.waitFor(() => broker.of(ID, 'status').length > 0);
  });
  afterAll(async () => {
    await device?.stop();
    await broker?.close();
    await stub?.close();
  });

  it('refuses an invitation while nobody is logged in, saying why', async () => {
    const { inviteId, payload } = invite();
    await broker.publish(ID, 'invite', payload);
    expect(await receiptFor(inviteId)).toMatchObject({ inviteId, outcome: 'refused', code: 'no-staff' });
    expect(await screen()).toBe('paused');
  });

  it('arms the screen and says so; a withdrawal takes it off screen', async () => {
    await device.api('POST', '/api/badge', { uid: DEMO_STAFF.badgeUids[0] });
    const { inviteId, payload } = invite();
    await broker.publish(ID, 'invite', payload);
    expect(await receiptFor(inviteId)).toEqual({ inviteId, outcome: 'armed' });
    expect(await screen()).toBe('armed');
    expect((await device.api('GET', '/api/state')).body.invitation).toMatchObject({ id: inviteId, caseNo: 'LF-2026-000123' });

    // Sent again (the gateway re-sends queued cases after a reconnect): still armed, one invitation.
    await broker.publish(ID, 'invite', payload);
    await broker.waitFor(() => broker.of(ID, 'receipt').filter((r) => r.inviteId === inviteId).length === 2);
    expect(broker.of(ID, 'receipt').filter((r) => r.inviteId === inviteId)[1]).toEqual({ inviteId, outcome: 'armed' });

    await broker.publish(ID, 'invite', { withdraw: inviteId, reason: 'case withdrawn by the business system' });
    await broker.waitFor(() => broker.of(ID, 'receipt').some((r) => r.inviteId === inviteId && r.outcome === 'withdrawn'));
    expect(broker.of(ID, 'receipt').find((r) => r.outcome === 'withdrawn')).toMatchObject({ inviteId, outcome: 'withdrawn' });
    expect(await screen()).toBe('idle');
    expect((await device.api('POST', '/api/rate', { level: 5 })).body.error).toBe('not-armed');
  });

  it('answers a withdrawal of an invitation that is not open, saying so', async () => {
    const { inviteId } = invite();
    await broker.publish(ID, 'invite', { withdraw: inviteId, reason: 'case withdrawn' });
    const receipt = await receiptFor(inviteId);
    expect(receipt).toMatchObject({ inviteId, outcome: 'withdrawn', code: 'not-open' });
    expect(receipt.reason).toMatch(/not open/);
  });

  it('answers a withdrawal after the rating: already rated, and the rating stays', async () => {
    const { inviteId, payload } = invite();
    await broker.publish(ID, 'invite', payload);
    await receiptFor(inviteId);
    expect((await device.api('POST', '/api/rate', { level: 4 })).status).toBe(200);
    await broker.publish(ID, 'invite', { withdraw: inviteId, reason: 'case withdrawn' });
    await broker.waitFor(() => broker.of(ID, 'receipt').some((r) => r.inviteId === inviteId && r.outcome === 'withdrawn'));
    expect(broker.of(ID, 'receipt').find((r) => r.inviteId === inviteId && r.outcome === 'withdrawn')).toMatchObject({ code: 'already-rated' });
    // And the same invitation cannot be opened again (一次一评).
    await broker.publish(ID, 'invite', payload);
    await broker.waitFor(() => broker.of(ID, 'receipt').some((r) => r.inviteId === inviteId && r.outcome === 'refused'));
    expect(broker.of(ID, 'receipt').find((r) => r.inviteId === inviteId && r.outcome === 'refused')).toMatchObject({ code: 'invitation-used' });
  });

  it('closes an invitation after its validForSec, well before the invitation timeout', async () => {
    const { inviteId, payload } = invite({ validForSec: 2 });
    await broker.publish(ID, 'invite', payload);
    expect(await receiptFor(inviteId)).toEqual({ inviteId, outcome: 'armed' });
    const view = (await device.api('GET', '/api/state')).body;
    expect(view.screen).toBe('armed');
    const openFor = Date.parse(view.invitation.expiresAt) - Date.now();
    expect(openFor).toBeGreaterThan(1000);
    expect(openFor).toBeLessThanOrEqual(2100);
    await sleep(1200);
    expect(await screen()).toBe('armed');
    await sleep(1300);
    expect(await screen()).toBe('idle');
    expect((await device.api('POST', '/api/rate', { level: 5 })).body.error).toBe('not-armed');
  });

  it('ignores a malformed invite message and stays up', async () => {
    await broker.publish(ID, 'invite', { inviteId: 'not-a-uuid' });
    await sleep(300);
    expect(device.child.exitCode).toBeNull();
    expect(broker.of(ID, 'receipt').some((r) => r.inviteId === 'not-a-uuid')).toBe(false);
  });
});
