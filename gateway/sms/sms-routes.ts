/**
 * Where the provider pushes (configured in its console): delivery receipts and 上行 replies.
 *   POST /api/sms/callbacks/:token/receipts
 *   POST /api/sms/callbacks/:token/replies
 * The providers do not sign their pushes, so the path carries a secret (sms.callbackToken): a
 * forged reply would otherwise rate someone's case. Bodies are parsed by the configured adapter.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { SmsNotifier, SmsReceipt, SmsReply } from './notifier.js';
import type { SmsResolver } from './outbox-resolve.js';
import { takeReply, type ReplyDeps } from './sms-replies.js';

export interface SmsRouteDeps {
  token: string;
  notifier: SmsNotifier;
  resolver: SmsResolver;
  replies: ReplyDeps;
  logger: Logger;
}

const sameSecret = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** 云MAS may push base64 or plain JSON as text; the others push JSON. */
function bodyOf(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const text = raw.trim();
  try {
    return JSON.parse(text.startsWith('{') || text.startsWith('[') ? text : Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    return null;
  }
}

export function smsRoutes(d: SmsRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    const guard = (token: string) => sameSecret(token, d.token);

    app.post('/api/sms/callbacks/:token/receipts', async (req, reply) => {
      if (!guard((req.params as { token: string }).token)) return reply.code(404).send({ error: 'not-found', message: 'no such callback' });
      let receipts: SmsReceipt[];
      try {
        receipts = d.notifier.receipts(bodyOf(req.body));
      } catch {
        return reply.code(400).send({ error: 'bad-receipt', message: `not a ${d.notifier.provider} delivery receipt` });
      }
      const changed = await d.resolver.applyReceipts(receipts);
      d.logger.debug({ receipts: receipts.length, changed }, 'sms receipts');
      return d.notifier.ack();
    });

    app.post('/api/sms/callbacks/:token/replies', async (req, reply) => {
      if (!guard((req.params as { token: string }).token)) return reply.code(404).send({ error: 'not-found', message: 'no such callback' });
      let replies: SmsReply[];
      try {
        replies = d.notifier.replies(bodyOf(req.body));
      } catch {
        return reply.code(400).send({ error: 'bad-reply', message: `not a ${d.notifier.provider} upstream SMS` });
      }
      for (const r of replies) await takeReply(d.replies, r);
      return d.notifier.ack();
    });
  };
}
