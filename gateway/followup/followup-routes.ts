/**
 * The follow-up API (docs/FOLLOWUP.md; README lists it). Roles are checked here
 * and the department scope and the handler inside each step (followup-access.ts):
 *
 *   GET  /api/followups?state&step&departmentId&overdue&dueSoon&escalated&handler&before&limit
 *   GET  /api/followups/summary                       what needs attention, per department
 *   GET  /api/followups/:id                           with its events, the rating's details, appeals
 *   POST /api/followups/:id/assign | verify | resolve | rectify | reply | call-back | close | note
 *   POST /api/followups/:id/extensions                the handler asks for more days
 *   POST /api/followups/:id/extension-decision        an approver approves or refuses
 *   POST /api/followups/:id/contact                   the handler opens the call-back number (audited)
 *   POST /api/followups/:id/attachments               a file (image or PDF bytes) → its sha256
 *   GET  /api/followups/:id/attachments/:sha256       a file an event or appeal of it keeps
 *   POST /api/followups/:id/appeals                   申诉 against its 差评
 *   GET  /api/appeals?state                           appeals in scope
 *   POST /api/appeals/:appealId/decision              核销 approved (mistaken | malicious) or refused
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parse } from '../http/api.js';
import type { ConsoleAuth, Role } from '../http/console-auth.js';
import { visibleDepartments } from '../http/scope.js';
import { routeOptions } from '../http/routes/console-route-options.js';
import type { Db } from '../store/database.js';
import { UPLOAD_TYPES, type AttachmentStore } from './attachment-store.js';
import { fileRoutes, IdParams } from './followup-file-routes.js';
import {
  AppealBody,
  AppealDecisionBody,
  AssignBody,
  CallBackBody,
  CloseBody,
  ContactBody,
  DecisionBody,
  ExtensionBody,
  ReplyBody,
  ResolveBody,
  StepNoteBody,
  VerifyBody,
} from './followup-bodies.js';
import { FOLLOWUP_ACTORS, FOLLOWUP_READERS } from './followup-access.js';
import type { FollowupAppeals } from './followup-appeals.js';
import { appealsOf } from './followup-appeals.js';
import type { FollowupContact } from './followup-contact.js';
import type { FollowupExtensions } from './followup-extensions.js';
import {
  AppealFiledSchema,
  AppealViewSchema,
  ContactOpenedSchema,
  FollowupDetailSchema,
  FollowupListSchema,
  FollowupSummarySchema,
  FollowupViewSchema,
} from './followup-schemas.js';
import type { FollowupSteps } from './followup-steps.js';
import type { FollowupViews } from './followup-views.js';

export interface FollowupRouteParts {
  auth: ConsoleAuth;
  db: Db;
  steps: FollowupSteps;
  extensions: FollowupExtensions;
  appeals: FollowupAppeals;
  contact: FollowupContact;
  views: FollowupViews;
  files: AttachmentStore;
  /** Roles that may decide extensions and write-offs (the config's approvers). */
  approverRoles: Role[];
}

const Flag = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1')
  .optional();
const ListQuery = z
  .object({
    state: z.enum(['open', 'closed']).optional(),
    step: z.enum(['received', 'verifying', 'rectifying', 'replied', 'called-back', 'closed']).optional(),
    departmentId: z.string().min(1).max(64).optional(),
    overdue: Flag.describe('open and past its due day, not rectified'),
    dueSoon: Flag.describe('due within the reminder lead time, not rectified'),
    escalated: Flag,
    handler: z.string().min(1).max(64).optional().describe('a username, or `me`'),
    before: z.string().min(1).max(80).optional().describe('the last followupId of the previous page'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
const AppealParams = z.object({ appealId: z.string().regex(/^ap-[0-9a-f-]{36}$/, 'appealId must be an appeal id (ap-…)') });
const AppealsQuery = z.object({ state: z.enum(['pending', 'approved', 'refused']).optional() }).strict();

export function followupRoutes(p: FollowupRouteParts): FastifyPluginAsync {
  const read = routeOptions(p.auth, 'follow-ups', FOLLOWUP_READERS);
  const act = routeOptions(p.auth, 'follow-ups', FOLLOWUP_ACTORS);
  const approve = routeOptions(p.auth, 'follow-ups', p.approverRoles);
  const attach = routeOptions(p.auth, 'follow-ups', [...FOLLOWUP_ACTORS, 'supervisor']);
  const id = (req: FastifyRequest, reply: FastifyReply) => parse(IdParams, req.params, reply)?.id;
  const view = async (req: FastifyRequest, followupId: string) => (await p.views.one(req.user!, followupId)).followup;

  return async (app) => {
    // Attachments arrive as raw bytes (curl --data-binary, the console's file input).
    app.addContentTypeParser(UPLOAD_TYPES, { parseAs: 'buffer', bodyLimit: p.files.maxBytes }, (_req, body, done) => done(null, body));

    app.get(
      '/api/followups',
      read({ description: 'The follow-ups of 差评, newest first (a department head: those routed to their departments).', response: FollowupListSchema, querystring: ListQuery }),
      async (req, reply) => {
        const q = parse(ListQuery, req.query, reply);
        if (!q) return;
        return p.views.list(req.user!, q);
      },
    );
    app.get(
      '/api/followups/summary',
      read({ description: 'Open follow-ups per department: unassigned, due soon, overdue, escalated.', response: FollowupSummarySchema }),
      async (req) => p.views.summary(req.user!),
    );
    app.get(
      '/api/followups/:id',
      read({
        description: 'One follow-up with its events, the rating’s reasons and comment, and its appeals. Never the call-back number.',
        response: FollowupDetailSchema,
        params: IdParams,
      }),
      async (req, reply) => {
        const followupId = id(req, reply);
        if (followupId) return p.views.one(req.user!, followupId);
      },
    );

    const step = <S extends z.ZodType>(path: string, body: S, description: string, run: (followupId: string, req: FastifyRequest, b: z.infer<S>) => Promise<void>) =>
      app.post(`/api/followups/:id/${path}`, act({ description, response: FollowupViewSchema, params: IdParams, body }), async (req, reply) => {
        const followupId = id(req, reply);
        if (!followupId) return;
        const b = parse(body, req.body, reply);
        if (b === undefined) return;
        await run(followupId, req, b);
        return view(req, followupId);
      });
    step('assign', AssignBody, 'Assign (or change) the handler: a manager, or a department head of its department.', (f, req, b) => p.steps.assign(f, req.user!, b, req.ip));
    step('verify', VerifyBody, '核实: the handler records the finding and whether the rater was reached.', (f, req, b) => p.steps.verify(f, req.user!, b));
    step('resolve', ResolveBody, '立行立改, 限期整改 (with its due day from the profile) or 解释说明.', (f, req, b) => p.steps.resolve(f, req.user!, b));
    step('rectify', StepNoteBody, 'The rectification done (or the explanation given).', (f, req, b) => p.steps.rectify(f, req.user!, b));
    step('reply', ReplyBody, '反馈: the rater was told what was done.', (f, req, b) => p.steps.reply(f, req.user!, b));
    step('call-back', CallBackBody, '回访 and the rater’s 再评价; a 再评价 of 1 or 2 reopens the follow-up.', (f, req, b) => p.steps.callBack(f, req.user!, b));
    step('close', CloseBody, '办结, with the root cause and the action taken.', (f, req, b) => p.steps.close(f, req.user!, b));
    step('extensions', ExtensionBody, 'The handler asks for more days (within the profile’s maximum).', (f, req, b) => p.extensions.request(f, req.user!, b, req.ip));

    app.post(
      '/api/followups/:id/note',
      attach({ description: 'A note on the record (spot checks, calls that changed nothing).', response: FollowupViewSchema, params: IdParams, body: StepNoteBody }),
      async (req, reply) => {
        const followupId = id(req, reply);
        const b = followupId ? parse(StepNoteBody, req.body, reply) : undefined;
        if (!followupId || !b) return;
        await p.steps.note(followupId, req.user!, b);
        return view(req, followupId);
      },
    );
    app.post(
      '/api/followups/:id/extension-decision',
      approve({
        description: 'Approve or refuse the waiting extension request (never by who asked, nor by the rated unit).',
        response: FollowupViewSchema,
        params: IdParams,
        body: DecisionBody,
      }),
      async (req, reply) => {
        const followupId = id(req, reply);
        const b = followupId ? parse(DecisionBody, req.body, reply) : undefined;
        if (!followupId || !b) return;
        await p.extensions.decide(followupId, req.user!, b, req.ip);
        return view(req, followupId);
      },
    );
    app.post(
      '/api/followups/:id/contact',
      act({
        description: 'The call-back number, for the assigned handler while the follow-up is open; audited with the reason. Shown nowhere else.',
        response: ContactOpenedSchema,
        params: IdParams,
        body: ContactBody,
      }),
      async (req, reply) => {
        const followupId = id(req, reply);
        const b = followupId ? parse(ContactBody, req.body, reply) : undefined;
        if (!followupId || !b) return;
        const opened = await p.contact.open(followupId, req.user!, b, req.ip);
        void reply.header('cache-control', 'no-store');
        return opened;
      },
    );

    fileRoutes(app, { db: p.db, files: p.files, id, read, attach });

    app.post(
      '/api/followups/:id/appeals',
      act({ description: '申诉: the rated unit appeals the 差评 with grounds and evidence.', response: AppealFiledSchema, params: IdParams, body: AppealBody }),
      async (req, reply) => {
        const followupId = id(req, reply);
        const b = followupId ? parse(AppealBody, req.body, reply) : undefined;
        if (!followupId || !b) return;
        return { appealId: await p.appeals.file(followupId, req.user!, b, req.ip) };
      },
    );
    app.get(
      '/api/appeals',
      read({ description: 'Appeals of the follow-ups in scope, newest first.', response: z.object({ appeals: z.array(AppealViewSchema) }), querystring: AppealsQuery }),
      async (req, reply) => {
        const q = parse(AppealsQuery, req.query, reply);
        if (!q) return;
        const scope = await visibleDepartments(p.db, req.user!);
        return { appeals: await appealsOf(p.db, { ...(q.state ? { state: q.state } : {}), ...(scope ? { departmentIds: scope } : {}) }) };
      },
    );
    app.post(
      '/api/appeals/:appealId/decision',
      approve({
        description: '核销: approve the appeal (mistaken or malicious: the rating leaves the statistics, stays visible) or refuse it.',
        response: AppealViewSchema,
        params: AppealParams,
        body: AppealDecisionBody,
      }),
      async (req, reply) => {
        const q = parse(AppealParams, req.params, reply);
        const b = q ? parse(AppealDecisionBody, req.body, reply) : undefined;
        if (!q || !b) return;
        await p.appeals.decide(q.appealId, req.user!, b, req.ip);
        return (await appealsOf(p.db, { appealId: q.appealId }))[0];
      },
    );
  };
}
