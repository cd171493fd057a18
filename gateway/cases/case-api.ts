/**
 * POST /api/cases — the window's business system announces a case (R9); the gateway records it
 * and tells the window's device to invite a rating for it. Idempotent on caseNo: a business
 * system that retries after a lost answer gets the same case, and the invitation is published
 * again only if it never went out.
 */
import type Database from 'better-sqlite3';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { describeZodError, type InvitePayload } from '../../device/contract/index.js';
import type { CaseApiKeys } from './api-keys.js';
import type { ContactCipher } from './contact-crypto.js';

export const CaseBodySchema = z.object({
  caseNo: z.string().trim().min(1, 'caseNo is required').max(50, 'caseNo is at most 50 characters'),
  windowNumber: z.string().trim().min(1, 'windowNumber is required').max(64),
  itemCode: z.string().trim().min(1).max(64).optional(),
  itemName: z.string().trim().min(1).max(200).optional(),
  staffId: z.string().trim().min(1).max(64).optional(),
  applicant: z
    .object({
      name: z.string().trim().min(1).max(60).optional(),
      phone: z.string().trim().regex(/^\+?[0-9 -]{5,20}$/, 'applicant.phone must be a phone number').optional(),
    })
    .strict()
    .optional(),
}).strict();
export type CaseBody = z.infer<typeof CaseBodySchema>;

export interface CaseApiDeps {
  db: Database.Database;
  keys: CaseApiKeys;
  cipher: ContactCipher;
  logger: Logger;
  publishInvite: (deviceId: string, invite: InvitePayload) => Promise<void> | void;
  deviceForWindow: (windowNumber: string) => Promise<string | null> | string | null;
  now?: () => number;
}

interface CaseRow { case_no: string; window_no: string; device_id: string; invite_id: string; state: string; invited_at: string; published: number; item_code: string | null; item_name: string | null }

function view(r: CaseRow) {
  return { caseNo: r.case_no, windowNumber: r.window_no, inviteId: r.invite_id, state: r.state, invitedAt: r.invited_at, itemCode: r.item_code, itemName: r.item_name };
}

function prepare(d: CaseApiDeps) {
  const now = d.now ?? Date.now;
  const log = d.logger.child({ ns: 'cases-api' });
  const get = d.db.prepare('SELECT * FROM cases WHERE case_no = ?');
  const insert = d.db.prepare(`INSERT INTO cases (case_no, business_system, window_no, device_id, item_code, item_name, staff_id, invite_id, state, invited_at, contact_enc, created_at)
    VALUES (@caseNo, @system, @window, @deviceId, @itemCode, @itemName, @staffId, @inviteId, 'invited', @invitedAt, @contact, @createdAt) ON CONFLICT(case_no) DO NOTHING`);
  const markPublished = d.db.prepare('UPDATE cases SET published = 1 WHERE case_no = ?');
  async function publish(row: CaseRow): Promise<void> {
    await d.publishInvite(row.device_id, {
      inviteId: row.invite_id, caseNo: row.case_no, issuedAt: row.invited_at,
      ...(row.item_code ? { itemCode: row.item_code } : {}), ...(row.item_name ? { itemName: row.item_name } : {}),
    });
    markPublished.run(row.case_no);
  }
  return { d, now, log, get, insert, publish };
}

/** Takes a getter as well, because the gateway registers plugins before its features exist. */
export function caseApiPlugin(source: CaseApiDeps | (() => CaseApiDeps | undefined)): FastifyPluginAsync {
  let ready: ReturnType<typeof prepare> | null = null;
  const deps = () => {
    if (ready) return ready;
    const d = typeof source === 'function' ? source() : source;
    return d ? (ready = prepare(d)) : null;
  };
  return async (app) => {
    app.post('/api/cases', async (req, reply) => {
      const ctx = deps();
      if (!ctx) return reply.code(503).send({ error: 'starting', message: 'the gateway is still starting; retry shortly' });
      const { d, now, log, get, insert, publish } = ctx;
      const key = req.headers['x-api-key'];
      const system = typeof key === 'string' ? d.keys.verify(key) : null;
      if (!system) return reply.code(401).send({ error: 'unauthorized', message: 'send the business system API key in the X-API-Key header' });
      const body = CaseBodySchema.safeParse(req.body);
      if (!body.success) return reply.code(400).send({ error: 'bad-case', message: describeZodError(body.error) });
      const c = body.data;
      let row = get.get(c.caseNo) as CaseRow | undefined;
      if (row) {
        if (row.window_no !== c.windowNumber) return reply.code(409).send({ error: 'case-conflict', message: `case ${c.caseNo} was already sent for window ${row.window_no}` });
      } else {
        const deviceId = await d.deviceForWindow(c.windowNumber);
        if (!deviceId) return reply.code(404).send({ error: 'unknown-window', message: `no evaluator device is assigned to window ${c.windowNumber}` });
        const t = new Date(now()).toISOString();
        insert.run({
          caseNo: c.caseNo, system, window: c.windowNumber, deviceId, itemCode: c.itemCode ?? null, itemName: c.itemName ?? null,
          staffId: c.staffId ?? null, inviteId: uuidv7(), invitedAt: t, createdAt: t,
          contact: c.applicant ? d.cipher.seal(c.applicant, c.caseNo) : null,
        });
        row = get.get(c.caseNo) as CaseRow;
      }
      if (!row.published) {
        try {
          await publish(row);
        } catch (err) {
          log.warn({ err, deviceId: row.device_id }, 'invitation not published');
          return reply.code(503).send({ error: 'device-unreachable', message: 'the case is recorded but the invitation could not be sent; retry the same request' });
        }
      }
      return reply.code(200).send(view(row));
    });
  };
}
