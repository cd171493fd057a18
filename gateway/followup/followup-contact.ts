/**
 * Opening the rater's call-back number (R10): only the follow-up's assigned handler, only while the
 * follow-up is open, with a reason; each opening is an event and an audit entry (who, when, the
 * reason — never the number), and the number is the answer of that one request, nowhere else. The
 * number is opened before anything is written and given only once the audit entry is committed.
 */
import type { z } from 'zod';
import type { SessionUser } from '../http/console-auth.js';
import type { ContactBody } from './followup-bodies.js';
import { mustBeHandler, mustSee } from './followup-access.js';
import { FollowupError } from './followup-error.js';
import type { StepParts } from './followup-steps.js';

export class FollowupContact {
  constructor(private readonly p: StepParts) {}

  async open(id: string, user: SessionUser, b: z.infer<typeof ContactBody>, remote: string | null): Promise<{ phone: string; openedCount: number }> {
    const mayOpen = async (f: Awaited<ReturnType<StepParts['writer']['load']>>, db: StepParts['db']) => {
      await mustSee(db, user, f);
      if (f.state === 'closed') throw new FollowupError('closed', `follow-up ${id} is closed: its call-back number is no longer opened`);
      mustBeHandler(user, f);
    };
    await mayOpen(await this.p.writer.load(this.p.db, id), this.p.db);
    const phone = await this.p.escrow.open(this.p.db, id);
    const openedCount = await this.p.writer.change<number>(id, user.username, async (trx, f) => {
      await mayOpen(f, trx);
      return {
        set: { contact_opened_count: f.contact_opened_count + 1 },
        events: [{ kind: 'contact-opened', note: b.reason }],
        audit: { action: 'contact-opened', subject: id, detail: { reason: b.reason }, remote },
        answer: f.contact_opened_count + 1,
      };
    });
    return { phone, openedCount };
  }
}
