/**
 * The simulator's four endpoints: which body field holds the records, and what the ledger answers
 * each record (after the faults that refuse given cases for good).
 */
import type { z } from 'zod';
import {
  AmendmentsBodySchema,
  CorrectionsBodySchema,
  NationalAmendmentSchema,
  NationalCorrectionSchema,
  NationalRatingSchema,
  NationalRectificationSchema,
  RatingsBodySchema,
  RectificationsBodySchema,
} from '../../gateway/uplink/provinces/reference/wire.js';
import type { FaultPlan } from './sim-faults.js';
import type { SimLedger, SimResult } from './sim-ledger.js';

export type Endpoint = 'ratings' | 'corrections' | 'amendments' | 'rectifications';

export const ENDPOINTS: Record<string, Endpoint> = {
  '/province/ratings': 'ratings',
  '/province/corrections': 'corrections',
  '/province/amendments': 'amendments',
  '/province/rectifications': 'rectifications',
};

export function takeRecord(ledger: SimLedger, faults: FaultPlan, endpoint: Endpoint, raw: unknown, at: string): SimResult {
  if (endpoint === 'rectifications') {
    const r = NationalRectificationSchema.safeParse(raw);
    if (!r.success) return invalid(r.error);
    return ledger.rectification(r.data, at);
  }
  if (endpoint === 'amendments') {
    const a = NationalAmendmentSchema.safeParse(raw);
    if (!a.success) return invalid(a.error);
    const projectNo = ledger.projectOf(a.data.assessId);
    if (projectNo !== null && faults.rejects(projectNo)) return notRegistered(projectNo);
    return ledger.amendment(a.data, at);
  }
  const r = (endpoint === 'ratings' ? NationalRatingSchema : NationalCorrectionSchema).safeParse(raw);
  if (!r.success) return invalid(r.error);
  if (faults.rejects(r.data.projectNo)) return notRegistered(r.data.projectNo);
  return endpoint === 'ratings' ? ledger.rating(r.data, at) : ledger.correction(r.data as z.infer<typeof NationalCorrectionSchema>, at);
}

export function recordsOf(endpoint: Endpoint, json: unknown): unknown[] | null {
  if (endpoint === 'ratings') {
    const b = RatingsBodySchema.safeParse(json);
    return b.success ? b.data.records : null;
  }
  if (endpoint === 'corrections') {
    const b = CorrectionsBodySchema.safeParse(json);
    return b.success ? b.data.corrections : null;
  }
  if (endpoint === 'rectifications') {
    const b = RectificationsBodySchema.safeParse(json);
    return b.success ? b.data.rectifications : null;
  }
  const b = AmendmentsBodySchema.safeParse(json);
  return b.success ? b.data.amendments : null;
}

export function idOf(raw: unknown): string {
  const id = (raw as { assessId?: unknown } | null)?.assessId;
  return typeof id === 'string' ? id : '';
}

function invalid(e: z.ZodError): SimResult {
  return { status: 'rejected', code: 'invalid', reason: `invalid record: ${e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
}

function notRegistered(projectNo: string): SimResult {
  return { status: 'rejected', code: 'not-registered', reason: `projectNo ${projectNo} is not a registered case (simulated)` };
}
