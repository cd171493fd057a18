/**
 * The seams of the device runtime: what inputs feed it, what it tells the parts around it, and
 * the outbox the sync drives. Hardware drivers (device/hardware), the touch UI (through the local
 * API), the gateway sync (device/sync) and tests all talk to the runtime only through these.
 */
import type { ChainRecord, ClockRun, DeviceConfig, DeviceView, InvitePayload, RatingLevel, RejectionCode } from '../contract/index.js';
import type { StampClock } from '../clock/stamp-clock.js';
import type { DeviceEventKind } from '../store/event-log.js';

/** Everything that can happen to the device from outside, whatever part it came through. */
export type DeviceInput =
  | { kind: 'badge'; uid: string; source: InputSourceName }
  | { kind: 'press'; level: RatingLevel; source: InputSourceName }
  | { kind: 'please-rate'; source: InputSourceName }
  | { kind: 'pause'; source: InputSourceName }
  | { kind: 'resume'; source: InputSourceName };

export type InputSourceName = 'panel' | 'nfc' | 'touch' | 'api' | 'simulator' | 'test';

export type InputOutcome = { accepted: true; ratingId?: string } | { accepted: false; code: string; reason: string };

/** The runtime's input side. `submit` resolves after the effect is durable (a rating: committed). */
export interface InputSink {
  submit(input: DeviceInput): Promise<InputOutcome>;
}

/** A producer of inputs (panel driver, NFC reader, simulator). Lifecycle per docs/STYLE.md §1. */
export interface InputSource {
  readonly name: string;
  start(sink: InputSink): Promise<void>;
  stop(): Promise<void>;
}

/** What the runtime announces; listeners' errors are isolated from the rating path. */
export interface RuntimeEvents {
  /** The screen state changed (the local API's WebSocket pushes this). */
  view: DeviceView;
  /** A rating is durable in SQLite: only now may LEDs or the UI confirm it. */
  'rating-committed': { ratingId: string; level: RatingLevel; seq: number };
  armed: { invitationId: string; expiresAt: string };
  disarmed: { reason: 'rated' | 'expired' | 'paused' | 'logout' | 'replaced' | 'withdrawn' };
  'staff-login': { staffId: string };
  'staff-logout': { staffId: string };
  /** A press that was not a rating (R3: not armed), logged as an event. */
  'press-ignored': { reason: string };
  /** New records are in the outbox: the sync may send. */
  'records-appended': { throughSeq: number };
  /** A badge tapped while the gateway asked to capture one (issue 11): for hall IT, not a login. */
  'badge-captured': { captureId: string; uid: string };
}

/** What the gateway sync feeds into the runtime (config down, invitations down, connection state). */
export interface GatewayFacing {
  applyConfig(config: DeviceConfig): void;
  /** Open a case invitation; `validForSec` (from its arrival) caps the configured invitation timeout. */
  openCaseInvitation(invite: InvitePayload): Promise<InputOutcome>;
  /** The business system withdrew the case: take its invitation off screen if it is open. */
  withdrawInvitation(inviteId: string, reason: string): InputOutcome;
  /** Hall IT wants the next badge tapped within `forSec` (a 'badge-captured' event) instead of a login or logout. */
  captureBadge(captureId: string, forSec: number): InputOutcome;
  setConnection(part: 'gateway' | 'panel' | 'reader', state: 'online' | 'offline' | 'connected' | 'disconnected' | 'absent'): void;
}

/** Records not yet acknowledged by the gateway; the SQLite store is the source of truth. */
export interface Outbox {
  /** Records not yet acknowledged. */
  backlog(): number;
  /** Up to `limit` unacknowledged, unrejected records with seq > afterSeq, in seq order. */
  nextBatch(limit: number, afterSeq?: number): ChainRecord[];
  /** The gateway has committed every record up to and including `throughSeq`. Idempotent. */
  markAcknowledged(throughSeq: number, at: Date): void;
  /** What the gateway acknowledged last: through which seq. */
  ackState(): { through: number };
  /** The gateway lost what it had acknowledged (restored from a backup): send again from `toSeq` + 1; answers the seq it went back to. */
  rewindAcknowledged(toSeq: number): number;
  /** The gateway refused these: they stay visible to hall IT, never silently dropped. */
  markRejected(items: ReadonlyArray<{ seq: number; code: RejectionCode; reason: string }>): void;
  rejected(): Array<{ seq: number; id: string; code: string; reason: string; at: string }>;
  lastAcknowledgedAt(): string | null;
}

/** The device's clock epochs as the sync needs them (device/clock/clock-epochs.ts). */
export interface ClockLedger {
  /** Clock runs covering seqs fromSeq..toSeq, ascending. */
  runsFor(fromSeq: number, toSeq: number): ClockRun[];
  /** This run's stamp clock minus the gateway's, measured from an ack (the latest is kept). */
  noteOffset(offsetMs: number): void;
  currentOffset(): number | undefined;
}

/** Who the device is: its id and the public half of its Ed25519 key (SPKI PEM). */
export interface DeviceIdentity {
  deviceId: string;
  publicKeyPem: string;
  /** Sign with the device key (base64 Ed25519); the key itself never leaves the store. */
  sign(data: Buffer): string;
}

/** A typed event bus (docs/STYLE.md: listener errors are isolated from the emitter). */
export interface RuntimeEventBus {
  on<K extends keyof RuntimeEvents>(event: K, listener: (payload: RuntimeEvents[K]) => void): void;
  off<K extends keyof RuntimeEvents>(event: K, listener: (payload: RuntimeEvents[K]) => void): void;
}

/** What a feature (sync, hardware, simulator) gets of the running runtime. */
export interface RuntimeHandle extends GatewayFacing {
  readonly events: RuntimeEventBus;
  view(): DeviceView;
  /** The config the device works from (the gateway's last, cached, or the bootstrap). */
  currentConfig(): DeviceConfig;
}

/**
 * An optional part of the device program, composed in device/main.ts from its own config section.
 * Each feature validates its own section (`section` is the raw value of that config key) and names
 * the bad field in its error, e.g. `gateway.mqttUrl: must be a URL`.
 */
export interface Feature {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Dependencies every feature factory receives (device/sync/index.ts, device/hardware/index.ts). */
export interface FeatureDeps {
  section: unknown;
  identity: DeviceIdentity;
  outbox: Outbox;
  sink: InputSink;
  runtime: RuntimeHandle;
  /** The device's data directory (SQLite, keys, caches live here). */
  dataDir: string;
  logger: import('pino').Logger;
  softwareVersion: string;
  /** What the device stamps with (monotonic-anchored: device/clock/stamp-clock.ts). */
  clock: StampClock;
  clocks: ClockLedger;
  /** How full the store is, 0–1 (of its size cap, or of the disk), or undefined if unknown. */
  storeFill(): number | undefined;
  /** Record a fact in the device's event log (hall IT reads it; never who rated or how). */
  recordEvent(kind: DeviceEventKind, detail?: Record<string, unknown>): void;
}
