/**
 * The business systems' API (R9): a window's business system announces a case; the gateway keeps
 * it (with its R7 deadline) and invites a rating on the window's device, and answers what became
 * of the invitation — delivered (on screen), refused (and why), or queued (the device is offline;
 * it gets it on connecting while the citizen can still be at the window).
 *
 *   POST /api/cases                       announce a case (idempotent on caseNo; a retry after an
 *                                         undelivered invitation sends a new one)
 *   GET  /api/cases/:caseNo               its state and invitations
 *   POST /api/cases/:caseNo/withdraw      withdraw an unrated case (entered by mistake)
 *   POST /api/cases/:caseNo/invite        invite again (the citizen came back: a 追加评价)
 * All with the system's key in X-API-Key. A business system sees only its own cases, and never a
 * rating's level: it knows who the applicant is (R10).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { describeZodError } from '@hcp/contract';
import type { FeatureContext } from '../feature.js';
import type { CasesTable } from '../store/tables.js';
import type { CaseApiKeys } from './api-keys.js';
import type { ContactCipher } from './contact-crypto.js';
import type { DefaultScheduler } from './default-scheduler.js';
import type { InvitationDesk, InvitationView } from './invitations.js';

export const CaseBodySchema = z
  .object({
    caseNo: z.string().trim().min(1, 'caseNo is required').max(50, 'caseNo is at most 50 characters'),
    windowNumber: z.string().trim().min(1, 'windowNumber is required').max(64),
    itemCode: z.string().trim().min(1).max(64).optional(),
    itemName: z.string().trim().min(1).max(200).optional(),
    staffId: z.string().trim().min(1).max(64).optional(),
    applicant: z
      .object({
        name: z.string().trim().min(1).max(60).optional(),
        phone: z
          .string()
          .trim()
          .regex(/^\+?[0-9 -]{5,20}$/, 'applicant.phone must be a phone number')
          .optional(),
        /**
         * The applicant agreed to one SMS invitation to rate this case (R8, docs/SMS.md "Consent").
         * Only `true` counts; without it no SMS is sent. Sealed with the number.
         */
        smsConsent: z.boolean().optional(),
      })
      .strict()
      .refine((a) => a.smsConsent !== true || a.phone !== undefined, { message: 'applicant.smsConsent needs applicant.phone', path: ['smsConsent'] })
      .optional(),
  })
  .strict();
export const WithdrawBodySchema = z.object({ reason: z.string().trim().min(1, 'say why the case is withdrawn').max(200) }).strict();

export interface CaseApiDeps {
  ctx: FeatureContext;
  keys: CaseApiKeys;
  cipher: ContactCipher;
  desk: InvitationDesk;
  scheduler: DefaultScheduler;
  /** How long to wait for the device's receipt before answering "queued". */
  settleMs: number;
}

const DELIVERY: Record<InvitationView['state'], { delivery: string; message: string }> = {
  armed: { delivery: 'delivered', message: 'the invitation is on the window device' },
  refused: { delivery: 'refused', message: 'the window device could not open the invitation' },
  queued: { delivery: 'queued', message: 'the window device is not reachable now: it gets the invitation when it connects, while the invitation is valid' },
  sent: { delivery: 'queued', message: 'sent to the window device, which has not confirmed yet: it gets it again when it reconnects, while the invitation is valid' },
  expired: { delivery: 'expired', message: 'the invitation was not delivered in time; post the case again to send a new one' },
  withdrawn: { delivery: 'withdrawn', message: 'the case was withdrawn' },
  superseded: { delivery: 'superseded', message: 'a newer invitation replaced this one on the device' },
};

function caseView(c: CasesTable, invitations: InvitationView[]) {
  const last = invitations[invitations.length - 1];
  return {
    caseNo: c.case_no,
    windowNumber: c.window_number,
    state: c.state,
    deadlineDate: c.deadline_date,
    createdAt: c.created_at,
    itemCode: c.item_code,
    itemName: c.item_name,
    ...(last ? { delivery: DELIVERY[last.state].delivery, message: DELIVERY[last.state].message } : { delivery: 'none', message: 'no invitation was sent' }),
    invitations,
  };
}

export function caseApiRoutes(d: CaseApiDeps): FastifyPluginAsync {
  const { ctx } = d;
  const db = ctx.store.db;
  const system = async (req: FastifyRequest, reply: FastifyReply): Promise<string | null> => {
    const key = req.headers['x-api-key'];
    const id = typeof key === 'string' ? await d.keys.verify(key) : null;
    if (!id) void reply.code(401).send({ error: 'unauthorized', message: 'send the business system API key in the X-API-Key header' });
    return id;
  };
  const own = async (systemId: string, caseNo: string, reply: FastifyReply): Promise<CasesTable | null> => {
    const c = await db.selectFrom('cases').selectAll().where('case_no', '=', caseNo).executeTakeFirst();
    if (!c || c.business_system !== systemId) {
      void reply.code(404).send({ error: 'unknown-case', message: `no case ${caseNo} from this business system` });
      return null;
    }
    return c;
  };
  /** Issue an invitation for a case, try to deliver it, wait briefly for the device's answer. */
  const invite = async (caseNo: string, deviceId: string) => {
    const inv = await ctx.store.write((trx) => d.desk.issue(trx, caseNo, deviceId));
    await d.desk.deliver(deviceId);
    await d.desk.settle(inv.invite_id, d.settleMs);
  };
  const answer = async (caseNo: string) => {
    const c = await db.selectFrom('cases').selectAll().where('case_no', '=', caseNo).executeTakeFirstOrThrow();
    return caseView(c, await d.desk.forCase(caseNo));
  };

  return async (app) => {
    app.post('/api/cases', async (req, reply) => {
      const systemId = await system(req, reply);
      if (!systemId) return;
      const body = CaseBodySchema.safeParse(req.body);
      if (!body.success) return reply.code(400).send({ error: 'bad-case', message: describeZodError(body.error) });
      const b = body.data;
      const existing = await db.selectFrom('cases').selectAll().where('case_no', '=', b.caseNo).executeTakeFirst();
      if (existing) {
        if (existing.business_system !== systemId) return reply.code(409).send({ error: 'case-conflict', message: `case ${b.caseNo} was sent by another business system` });
        if (existing.window_number !== b.windowNumber)
          return reply.code(409).send({ error: 'case-conflict', message: `case ${b.caseNo} was already sent for window ${existing.window_number}` });
        const last = (await d.desk.forCase(b.caseNo)).at(-1);
        // A retry after an invitation that never reached the citizen sends a new one; otherwise it is the same case.
        if (existing.state === 'open' && existing.device_id) {
          if (!last || ['expired', 'refused', 'superseded'].includes(last.state)) await invite(b.caseNo, existing.device_id);
          else if (last.state === 'queued' || last.state === 'sent') {
            // Not confirmed yet: publish it again (the device may have missed it).
            await d.desk.deliver(existing.device_id);
            await d.desk.settle(last.inviteId, d.settleMs);
          }
        }
        return answer(b.caseNo);
      }
      const window = await ctx.registry.windowByNumber(b.windowNumber);
      if (!window) return reply.code(404).send({ error: 'unknown-window', message: `no window ${b.windowNumber} in this hall` });
      const deviceId = (await ctx.registry.deviceIds(window.windowId))[0];
      if (!deviceId) return reply.code(404).send({ error: 'unknown-window', message: `no evaluator device is assigned to window ${b.windowNumber}` });
      const now = ctx.clock.now();
      await ctx.store.write(async (trx) => {
        await trx
          .insertInto('cases')
          .values({
            case_no: b.caseNo,
            business_system: systemId,
            window_id: window.windowId,
            window_number: window.number,
            device_id: deviceId,
            item_code: b.itemCode ?? null,
            item_name: b.itemName ?? null,
            staff_id: b.staffId ?? null,
            state: 'open',
            created_at: new Date(now).toISOString(),
            deadline_date: d.scheduler.deadlineFor(now),
            first_assess_id: null,
            rated_at: null,
            defaulted_at: null,
            withdrawn_at: null,
            withdraw_reason: null,
            contact_enc: b.applicant ? d.cipher.seal(b.applicant, b.caseNo) : null,
          })
          .onConflict((oc) => oc.column('case_no').doNothing())
          .execute();
      });
      await invite(b.caseNo, deviceId);
      return answer(b.caseNo);
    });

    app.get('/api/cases/:caseNo', async (req, reply) => {
      const systemId = await system(req, reply);
      if (!systemId) return;
      const c = await own(systemId, (req.params as { caseNo: string }).caseNo, reply);
      if (c) return answer(c.case_no);
    });

    app.post('/api/cases/:caseNo/withdraw', async (req, reply) => {
      const systemId = await system(req, reply);
      if (!systemId) return;
      const body = WithdrawBodySchema.safeParse(req.body ?? {});
      if (!body.success) return reply.code(400).send({ error: 'bad-request', message: describeZodError(body.error) });
      const c = await own(systemId, (req.params as { caseNo: string }).caseNo, reply);
      if (!c) return;
      if (c.state !== 'open' && c.state !== 'withdrawn')
        return reply.code(409).send({ error: 'case-closed', message: `case ${c.case_no} is already ${c.state}; a rated or defaulted case stays on record` });
      await db
        .updateTable('cases')
        .set({ state: 'withdrawn', withdrawn_at: new Date(ctx.clock.now()).toISOString(), withdraw_reason: body.data.reason })
        .where('case_no', '=', c.case_no)
        .where('state', '=', 'open')
        .execute();
      await d.desk.withdraw(c.case_no, body.data.reason);
      return answer(c.case_no);
    });

    app.post('/api/cases/:caseNo/invite', async (req, reply) => {
      const systemId = await system(req, reply);
      if (!systemId) return;
      const c = await own(systemId, (req.params as { caseNo: string }).caseNo, reply);
      if (!c) return;
      if (c.state === 'withdrawn' || !c.device_id) return reply.code(409).send({ error: 'case-closed', message: `case ${c.case_no} is withdrawn or has no device` });
      await invite(c.case_no, c.device_id);
      return answer(c.case_no);
    });
  };
}
