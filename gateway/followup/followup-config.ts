/**
 * The `followup` section of the gateway config (always on: every field has a default). The regional
 * profile gives the deadlines of RULES.md R13 (docs/RULES.md "Regional differences and hcp's
 * settings"); the stricter Langfang profile is the default. Natural-day rules are counted in natural
 * days and working-day rules on the official calendar — never one converted into the other.
 */
import { z } from 'zod';

const UnitSchema = z.enum(['working', 'natural']);
export type DayUnit = z.infer<typeof UnitSchema>;

const DayRuleSchema = z.object({ days: z.number().int().min(1).max(90), unit: UnitSchema }).strict();
export type DayRule = z.infer<typeof DayRuleSchema>;

export const DeadlineProfileSchema = z
  .object({
    /** 立行立改: the end of the Nth working day after the decision (RULES.md: no seed gives a number; ours is the next working day). */
    immediateWorkingDays: z.number().int().min(0).max(10),
    /** 一般问题 (Linzi §2.3.1: 7 natural days); null where the region names one deadline only. */
    general: DayRuleSchema.nullable(),
    /** 复杂问题, the deadline of 限期整改, counted from the day the 差评 was received. */
    complex: DayRuleSchema,
    /** Langfang art. 21: 经批准后延期整改, 原则上延期不得超过2个工作日. maxDays 0: no extension. */
    extension: z.object({ maxDays: z.number().int().min(0).max(30), unit: UnitSchema, approvalRequired: z.boolean() }).strict(),
  })
  .strict();
export type DeadlineProfile = z.infer<typeof DeadlineProfileSchema>;

/** The seeds' rules (RULES.md R13); a region that says nothing of extensions gets none. */
export const PROFILES: Record<'langfang' | 'linzi' | 'ganzi', DeadlineProfile> = {
  langfang: { immediateWorkingDays: 1, general: null, complex: { days: 5, unit: 'working' }, extension: { maxDays: 2, unit: 'working', approvalRequired: true } },
  linzi: {
    immediateWorkingDays: 1,
    general: { days: 7, unit: 'natural' },
    complex: { days: 15, unit: 'natural' },
    extension: { maxDays: 0, unit: 'natural', approvalRequired: true },
  },
  ganzi: { immediateWorkingDays: 1, general: null, complex: { days: 15, unit: 'working' }, extension: { maxDays: 0, unit: 'working', approvalRequired: true } },
};

/** Who may approve: never hall IT or the auditor; a department head only for a department below their own (followup-access.ts). */
export const ApproverRoleSchema = z.enum(['manager', 'dept-head', 'supervisor']);
export type ApproverRole = z.infer<typeof ApproverRoleSchema>;

const RoutingRuleSchema = z
  .object({
    /** Any of these that is given must match; the first rule that matches wins. */
    departmentId: z.string().min(1).max(64).optional(),
    windowId: z.string().min(1).max(64).optional(),
    itemCode: z.string().min(1).max(64).optional(),
    channel: z.string().min(1).max(32).optional(),
    /** The department that follows such a 差评 up. */
    to: z.string().min(1).max(64),
  })
  .strict()
  .refine((r) => r.departmentId ?? r.windowId ?? r.itemCode ?? r.channel, { message: 'a rule matches on departmentId, windowId, itemCode or channel' });
export type RoutingRule = z.infer<typeof RoutingRuleSchema>;

const FollowupSectionSchema = z
  .object({
    profile: z.enum(['langfang', 'linzi', 'ganzi', 'custom']).default('langfang'),
    /** A profile's values changed one by one; a `custom` profile gives them all. */
    deadlines: DeadlineProfileSchema.partial().optional(),
    /** A reminder this long before a deadline. */
    remindBeforeHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 14)
      .default(24),
    /** After the deadline: up one department at its end, then one more every `everyWorkingDays`, at most `maxLevel` times. */
    escalation: z
      .object({ everyWorkingDays: z.number().int().min(1).max(30).default(1), maxLevel: z.number().int().min(1).max(10).default(3) })
      .strict()
      .prefault({}),
    routing: z
      .object({
        rules: z.array(RoutingRuleSchema).max(500).default([]),
        /** Where a 差评 goes that names no department (no window, no staff): the hall's own office. */
        hallDepartmentId: z.string().min(1).max(64).optional(),
      })
      .strict()
      .prefault({}),
    contact: z
      .object({
        /** After a follow-up closes (its number no longer opened), the key that opens its number is kept this long, then purged. */
        retentionDays: z.number().int().min(0).max(3650).default(30),
        /** How long devices seal to one hall key (gateway/contact-key.ts). */
        keyEpochDays: z.number().int().min(1).max(90).default(7),
        /** How long a hall key is kept after its epoch: a device offline longer brings numbers nobody can open. */
        keyGraceDays: z.number().int().min(1).max(3650).default(30),
      })
      .strict()
      .prefault({}),
    approvers: z
      .object({
        extension: z.array(ApproverRoleSchema).min(1).default(['manager']),
        writeOff: z.array(ApproverRoleSchema).min(1).default(['supervisor']),
      })
      .strict()
      .prefault({}),
    /** Failed call-back attempts after which a follow-up may close without a 回访 (a rater who never answers). */
    callBackAttempts: z.number().int().min(1).max(20).default(3),
    attachmentMaxMiB: z.number().min(0.1).max(100).default(10),
    /** Holidays and make-up working days for years the calendar package lacks (as `cases.calendarOverrideFile`; calendar/working-days.ts). */
    calendarOverrideFile: z.string().min(1).optional(),
    /** How often reminders, escalations and purges are looked for. */
    everyMs: z.number().int().min(100).max(3_600_000).default(60_000),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.profile === 'custom' && !DeadlineProfileSchema.safeParse(c.deadlines).success) {
      ctx.addIssue({ code: 'custom', path: ['deadlines'], message: 'a custom profile gives every deadline: immediateWorkingDays, general, complex, extension' });
    }
  });

export const FollowupConfigSchema = FollowupSectionSchema.prefault({}).transform((c) => ({
  ...c,
  /** The profile with the section's changes applied. */
  deadlines: c.profile === 'custom' ? (c.deadlines as DeadlineProfile) : { ...PROFILES[c.profile], ...c.deadlines },
}));
export type FollowupConfig = z.infer<typeof FollowupConfigSchema>;
