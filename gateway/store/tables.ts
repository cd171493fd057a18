/**
 * The gateway's tables as Kysely sees them, one interface per table, grouped by the part that owns
 * them (the migrations that create them sit beside each part). Conventions, so the same queries
 * run on SQLite and PostgreSQL: times are ISO 8601 UTC text (`2026-11-30T01:02:03.456Z`, which
 * sorts as time), flags are integers 0/1, JSON is text, ids of our own making are text.
 */
import type { Generated } from 'kysely';

// ---- core: registry and devices -----------------------------------------------------------

export interface WindowsTable {
  window_id: string;
  /** What citizens and the province call the window (窗口编号); distinct from the id. */
  number: string;
  /** The department's name as shown (kept with the window: what was true when it was set). */
  department: string;
  department_id: string | null;
  created_at: string;
}

export interface DepartmentsTable {
  department_id: string;
  name: string;
  parent_id: string | null;
  created_at: string;
}

/** 事项: the service items of the hall's catalogue, by their code. */
export interface ServiceItemsTable {
  item_code: string;
  name: string;
  department_id: string | null;
  retired: Generated<number>;
  created_at: string;
}

export interface StaffTable {
  staff_id: string;
  staff_no: string;
  name: string;
  post: string;
  title: string;
  window_id: string | null;
  /** JSON array of upper-case hex UIDs. */
  badge_uids: string;
  /** data: URL of the (shrunk) JPEG. */
  photo: string | null;
}

export interface DevicesTable {
  device_id: string;
  window_id: string | null;
  retired: Generated<number>;
  /** The enrolment in force (device_epochs); 0 before the first enrolment. */
  current_epoch: Generated<number>;
  mqtt_password_hash: string | null;
  /** The same password in an external broker's own format (Mosquitto), only in that mode. */
  broker_password_hash: string | null;
  /** Last-known facts the device reported (JSON, merged: a last will never wipes them). */
  status: string | null;
  online: Generated<number>;
  offline_since: string | null;
  last_seen_at: string | null;
  config_version: Generated<number>;
  created_at: string;
  enrolled_at: string | null;
  /** The one enrolment code that is valid for this device: the newest registration's. */
  enrolment_code_hash: string | null;
}

/** One chain per enrolment: a device whose store was wiped gets a new key and a new epoch. */
export interface DeviceEpochsTable {
  device_id: string;
  epoch: number;
  public_key_pem: string;
  /** sha256 of the SPKI DER, hex: how a batch names the key it was signed with. */
  key_fingerprint: string;
  head_seq: Generated<number>;
  head_hash: string | null;
  enrolled_at: string;
  ended_at: string | null;
}

export interface EnrolmentCodesTable {
  code_hash: string;
  device_id: string;
  expires_at: string;
  used_at: string | null;
  used_key_fingerprint: string | null;
}

/** One-time challenges a device signs to prove its key when it connects (MQTT password). */
export interface DeviceNoncesTable {
  nonce: string;
  device_id: string;
  expires_at: string;
  used_at: string | null;
}

// ---- core: the system of record -----------------------------------------------------------

/** Every chain record, exactly as signed, append-only. */
export interface RecordsTable {
  ingest_seq: Generated<number>;
  id: string;
  device_id: string;
  epoch: number;
  seq: number;
  kind: string;
  hash: string;
  /** The device's own clock, as signed. */
  at: string;
  /** `at` corrected by the device's clock offset as the gateway measured it (docs/DESIGN.md "Time"). */
  at_corrected: string;
  clock_offset_ms: number | null;
  /** null: the device's clock agreed with ours; else how the time was corrected or why it could not be. */
  clock_flag: string | null;
  window_id: string | null;
  level: number | null;
  body: string;
  stored_at: string;
}

export interface ChainGapsTable {
  id: Generated<number>;
  device_id: string;
  epoch: number;
  expected_seq: number;
  got_seq: number;
  detected_at: string;
}

/** A device's last few reported backlogs, for the `backlog-growing` alert (gateway/devices/backlog-trend.ts). */
export interface DeviceBacklogReportsTable {
  id: Generated<number>;
  device_id: string;
  backlog: number;
  at: string;
}

/** Refusals, aggregated: a flood is one row with a count, not a row per packet. */
export interface SecurityEventsTable {
  id: Generated<number>;
  kind: string;
  client_id: string | null;
  remote: string | null;
  detail: string;
  count: number;
  first_at: string;
  last_at: string;
}

export interface AlertsTable {
  id: Generated<number>;
  kind: string;
  /** What it is about: a device id, a window id, `hall`. */
  subject: string;
  detail: string;
  raised_at: string;
  last_at: string;
  count: Generated<number>;
  /** Cleared when the condition is over; an unacknowledged alert stays visible even then. */
  cleared_at: string | null;
  acked_at: string | null;
  acked_by: string | null;
  ack_comment: string | null;
}

/** Badge captures hall IT asked a device for (gateway/registry/badge-captures.ts). */
export interface BadgeCapturesTable {
  capture_id: string;
  device_id: string;
  requested_by: string;
  requested_at: string;
  /** By the gateway's clock; the device keeps the capture open `forSec` from the command's arrival. */
  expires_at: string;
  /** Upper-case hex, once the device reported the tap. */
  uid: string | null;
  captured_at: string | null;
}

export interface CursorsTable {
  name: string;
  position: number;
}

// ---- core: console accounts ----------------------------------------------------------------

export interface UsersTable {
  username: string;
  password_hash: string;
  role: string;
  created_at: string;
  failed_logins: Generated<number>;
  locked_until: string | null;
  /** A department head's department (they see it and the departments below it). */
  department_id: string | null;
  display_name: string | null;
  disabled: Generated<number>;
}

export interface SessionsTable {
  /** sha256 of the bearer token: a copy of the database does not log anyone in. */
  token_hash: string;
  username: string;
  role: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  ended_at: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  detail: string | null;
  remote: string | null;
}

// ---- core: ratings -------------------------------------------------------------------------

/** A case (办件) from a window's business system (R9). */
export interface CasesTable {
  case_no: string;
  business_system: string;
  window_id: string;
  window_number: string;
  device_id: string | null;
  item_code: string | null;
  item_name: string | null;
  staff_id: string | null;
  /** open → rated | defaulted (R7) | withdrawn. A defaulted case becomes rated if a rating pressed in time arrives late. */
  state: string;
  created_at: string;
  /** Last China date on which a rating still counts as in time (R7); null while the calendar lacks the year. */
  deadline_date: string | null;
  first_assess_id: string | null;
  rated_at: string | null;
  defaulted_at: string | null;
  withdrawn_at: string | null;
  withdraw_reason: string | null;
  /** The applicant's contact, AES-256-GCM (never returned by any API). */
  contact_enc: string | null;
}

/**
 * The hall's ratings, whatever the channel (device, system default, and later phone, SMS, paper):
 * what reports, the console and the uplink read. Derived from `records` (and other channels), so
 * it can be rebuilt; never the only copy of anything a device signed.
 */
export interface AssessmentsTable {
  seq: Generated<number>;
  assess_id: string;
  source: string;
  channel: string;
  /** The device record (for a device rating its id is also the assess_id). */
  record_id: string | null;
  device_id: string | null;
  case_no: string | null;
  /** 1 = the case's first rating, 2… = 追加评价 (R5, NATIONAL-SPEC "assessNumber"). */
  assess_number: number;
  level: number;
  /** When the rating was given, by the gateway's clock (device clocks corrected). */
  pressed_at: string;
  /** pressed_at's date in China (UTC+8), for daily and monthly figures. */
  china_date: string;
  clock_flag: string | null;
  window_id: string | null;
  window_number: string | null;
  department: string | null;
  department_id: string | null;
  staff_id: string | null;
  item_code: string | null;
  item_name: string | null;
  catalogue_version: string | null;
  is_default: number;
  /** The assessment this one replaces at the province (a real rating pressed in time, replacing the R7 default). */
  replaces: string | null;
  superseded_by: string | null;
  /** JSON array of reason codes, null until details arrive. */
  reasons: string | null;
  comment: string | null;
  /** The detail record holding a sealed call-back contact, if the rater consented (never the contact itself). */
  contact_record_id: string | null;
  details_at: string | null;
  /** JSON array of integrity flags from the device (R11). */
  flags: string | null;
  created_at: string;
}

/** What changed in `assessments`, in order: the feed the uplink and the console follow. */
export interface AssessmentLogTable {
  seq: Generated<number>;
  assess_id: string;
  change: string;
  at: string;
}

// ---- cases feature -------------------------------------------------------------------------

export interface InvitationsTable {
  invite_id: string;
  case_no: string;
  device_id: string;
  issued_at: string;
  /** After this the citizen has left the window: never delivered late. */
  valid_until: string;
  /** queued → sent → armed | refused; queued → expired; any open state → withdrawn. */
  state: string;
  state_at: string;
  reason: string | null;
}

export interface CaseApiKeysTable {
  system_id: string;
  key_hash: string;
  created_at: string;
}

// ---- uplink feature (gateway/uplink/uplink-schema.ts) -----------------------------------------

/** A 差评 waiting for its reasons (gateway/uplink/enqueue.ts says when it is let go). */
export interface UplinkHeldTable {
  assess_id: string;
  /** `device:<id>`: the device's next rating lets it go. */
  order_key: string;
  log_seq: number;
  /** When it goes up without details, by the gateway's clock (never a device's). */
  release_at: string;
}

/** Province-neutral items on their way to the province (gateway/uplink/items.ts). */
export interface UplinkOutboxTable {
  id: Generated<number>;
  /** Idempotency: `rating:<assessId>` (a rating or a correction), `amend:<assessId>`. */
  item_key: string;
  /** 'rating' | 'correction' | 'amendment' | 'rectification' (a 差评's follow-up record, `rectify:<followupId>:<eventSeq>`) */
  kind: string;
  assess_id: string;
  case_no: string | null;
  /** `device:<id>` or `case:<caseNo>`: items of one key go in the order they were rated. */
  order_key: string;
  lane: number;
  /** When it was rated (gateway time): the order within a lane. */
  at: string;
  /** The outbox row that must be at the province first (the rating an amendment completes, the default a correction replaces, a case's first rating before its 追加评价). */
  after_id: number | null;
  /** 1 for a system default: a real rating may still replace it. */
  replaceable: Generated<number>;
  /** 1 once a request carrying it may have reached the province: from then on it is never dropped. */
  on_wire: Generated<number>;
  /** Bumped when details are folded into an unsent rating. */
  revision: Generated<number>;
  /** The province-neutral item as JSON; the adapter maps it at send time. */
  payload: string;
  /** 'pending' | 'sent' | 'dead' | 'superseded' (an unsent default a real rating replaced) */
  state: string;
  attempts: Generated<number>;
  last_error: string | null;
  enqueued_at: string;
  sent_at: string | null;
}

export interface UplinkDeadLettersTable {
  id: Generated<number>;
  outbox_id: number;
  item_key: string;
  reason: string;
  dead_at: string;
}

/** Lobby big-screen links (gateway/live/screen-links.ts). */
export interface ScreenLinksTable {
  link_id: string;
  key_hash: string;
  label: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
}

// ---- after a 差评 (gateway/followup/followup-schema.ts) ---------------------------------------

export type FollowupFinding = 'true' | 'untrue' | 'partly';
export type FollowupResolution = 'immediate' | 'deadline' | 'explained';
export type RootCause = 'staff' | 'process' | 'system' | 'policy';

/** One per 差评: where its follow-up stands (a projection of followup_events). */
export interface FollowupsTable {
  followup_id: string;
  /** The 差评 (assessments.assess_id). */
  assess_id: string;
  /** Routed to (谁办理、谁负责), copied when opened. */
  department_id: string | null;
  window_id: string | null;
  staff_id: string | null;
  opened_at: string;
  state: 'open' | 'closed';
  /** received | verifying | rectifying | replied | called-back | closed (the current step). */
  step: string;
  /** The console user handling it: the only one who may open the call-back number. */
  handler: string | null;
  /** 核实: 属实 / 不属实 / 部分属实. */
  finding: FollowupFinding | null;
  /** 立行立改, 限期整改 or 解释说明. */
  resolution: FollowupResolution | null;
  /** China date the rectification is due (R13), extensions included. */
  due_date: string | null;
  /** The instant it is due (end of due_date in China, or a shorter rule's instant). */
  due_at: string | null;
  extended_days: Generated<number>;
  /** 0: with the handling department; 1, 2…: escalated up the department tree after the deadline. */
  escalation_level: Generated<number>;
  /** The rectification (or the explanation) was recorded. */
  rectified_at: string | null;
  /** 反馈: the rater was told what was done. */
  replied_at: string | null;
  /** 回访 done. */
  called_back_at: string | null;
  /** 再评价 at the call-back (1–5), or declined. */
  rerating_level: number | null;
  rerated_at: string | null;
  rerating_declined: Generated<number>;
  root_cause: RootCause | null;
  action_taken: string | null;
  closed_at: string | null;
  reopened_count: Generated<number>;
  contact_opened_count: Generated<number>;
  /** The sealed call-back number was made unreadable (closed and retention over). */
  contact_purged_at: string | null;
  /** The due instant (due_at) the last reminder was for: one reminder per deadline, whichever worker sends it (migration 02). */
  reminded_due_at: string | null;
}

/**
 * The key that opens one follow-up's sealed call-back number and nothing else, kept while the hall
 * key it was sealed to still existed (gateway/followup/contact-escrow.ts, docs/FOLLOWUP.md "The
 * call-back number's life"). Not append-only: purging empties `opening_key`, the row stays as the record.
 */
export interface FollowupContactKeysTable {
  /** The detail record holding the sealed number (assessments.contact_record_id). */
  record_id: string;
  followup_id: string;
  /** The hall key it was sealed to. */
  key_id: string;
  /** AES-256-GCM of the opening key under the gateway's vault key (base64 iv.ct.tag); null once purged, or when the hall key was already gone. */
  opening_key: string | null;
  escrowed_at: string;
  purged_at: string | null;
}

/** Every step of every follow-up, who and when (append-only). */
export interface FollowupEventsTable {
  seq: Generated<number>;
  followup_id: string;
  kind: string;
  /** A console username, or `system` (deadlines, reminders, escalation). */
  actor: string;
  at: string;
  note: string | null;
  /** JSON: the step's facts (finding, due date, approver …). */
  data: string | null;
  /** JSON array of { name, type, sha256, size } of files kept beside the event. */
  attachments: string | null;
}

/** 申诉: staff or a unit appeals a 差评 (R14). */
export interface AppealsTable {
  appeal_id: string;
  assess_id: string;
  followup_id: string | null;
  appellant: string;
  filed_at: string;
  grounds: string;
  /** JSON array of attachments, as in followup_events. */
  evidence: string | null;
  state: 'pending' | 'approved' | 'refused';
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
}

/** 核销: an approved appeal takes a rating out of the statistics; the rating stays stored (append-only). */
export interface WriteOffsTable {
  assess_id: string;
  appeal_id: string;
  kind: 'mistaken' | 'malicious';
  approved_by: string;
  approved_at: string;
  reason: string;
}

// ---- reports feature (gateway/reports/reports-schema.ts) ---------------------------------------

/**
 * A published report (RULES.md R15): append-only. A correction is a new version naming the one
 * before by id and hash and saying why; `hash` is the SHA-256 over the canonical JSON of the
 * envelope (which carries `content_hash`, the SHA-256 of the content's canonical JSON).
 */
export interface ReportSnapshotsTable {
  /** `<kind>-<period>-v<version>`, e.g. `monthly-2026-11-v2`. */
  snapshot_id: string;
  /** 'monthly' | 'quarterly' */
  kind: string;
  /** `2026-11` or `2026-Q4`. */
  period: string;
  version: number;
  /** China dates, both included. */
  period_from: string;
  period_to: string;
  /** Follow-up states are read as they stood at this instant (the first version's; later versions keep it). */
  cutoff: string;
  generated_at: string;
  /** `schedule`, `recheck` or the console user who asked. */
  generated_by: string;
  previous_id: string | null;
  previous_hash: string | null;
  /** JSON: why this version exists (null for a first version). */
  reason: string | null;
  /** JSON: what the data was read up to (assessment_log seq, the written-off ratings), to find later changes. */
  basis: string;
  /** The content, as canonical JSON. */
  content: string;
  content_hash: string;
  hash: string;
}

/** How far the log has been checked for changes to a published period (mutable; the snapshots are not). */
export interface ReportChecksTable {
  kind: string;
  period: string;
  checked_seq: number;
  checked_at: string;
}

export interface GatewayTables {
  windows: WindowsTable;
  departments: DepartmentsTable;
  service_items: ServiceItemsTable;
  staff: StaffTable;
  devices: DevicesTable;
  device_epochs: DeviceEpochsTable;
  enrolment_codes: EnrolmentCodesTable;
  device_nonces: DeviceNoncesTable;
  records: RecordsTable;
  chain_gaps: ChainGapsTable;
  device_backlog_reports: DeviceBacklogReportsTable;
  badge_captures: BadgeCapturesTable;
  security_events: SecurityEventsTable;
  alerts: AlertsTable;
  cursors: CursorsTable;
  users: UsersTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  screen_links: ScreenLinksTable;
  cases: CasesTable;
  assessments: AssessmentsTable;
  assessment_log: AssessmentLogTable;
  invitations: InvitationsTable;
  case_api_keys: CaseApiKeysTable;
  uplink_held: UplinkHeldTable;
  uplink_outbox: UplinkOutboxTable;
  uplink_dead_letters: UplinkDeadLettersTable;
  followups: FollowupsTable;
  followup_events: FollowupEventsTable;
  appeals: AppealsTable;
  write_offs: WriteOffsTable;
  followup_contact_keys: FollowupContactKeysTable;
  report_snapshots: ReportSnapshotsTable;
  report_checks: ReportChecksTable;
}
