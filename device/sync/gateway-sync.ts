/**
 * The device's gateway sync (composed by device/device-program.ts from the `gateway` config
 * section): enrol once, then connect, serve the connection (./gateway-session.ts), and connect again
 * when it drops — the sync's own loop, not mqtt.js's fixed reconnect (issue 10, hole 9): waits back
 * off exponentially with jitter, enrolment is retried (slower after a refusal), and the same warning
 * is logged once and then counted, so an offline village point logs a few lines a day, not 60,000.
 *
 * start() and stop() are idempotent; one AbortController per start, so stop() ends a pending
 * enrolment, nonce fetch, connection attempt or back-off at once and leaves no client, listener
 * or timer behind (docs/STYLE.md §1).
 */
import type { Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { writeToStream } from 'mqtt-packet';
import { deviceTopic } from '../contract/index.js';
import { keyFingerprint } from '../contract/chain.js';
import type { Feature, FeatureDeps } from '../runtime/ports.js';
import { connectPassword } from './connect-proof.js';
import { EnrolmentRefused, enrol, loadCredentials, type MqttCredentials } from './enrolment-client.js';
import { GatewaySession } from './gateway-session.js';
import { LinkPace } from './link-pace.js';
import { RepeatedLogs } from './repeat-log.js';
import { RetryBackoff, sleep } from './retry-backoff.js';
import { parseGatewaySection, type GatewaySection } from './sync-config.js';

// mqtt-packet (mqtt.js's writer) fills a table of 65,536 two-byte Buffers on the first packet it
// writes (~6 MiB of heap, kept) to spare one tiny allocation per packet id: not worth it on a
// device that sends a batch now and then (its README's documented switch).
writeToStream.cacheNumbers = false;

/** Refused enrolments back off up to this (or `retry.refusedMs` if longer). */
const REFUSED_MAX_MS = 3_600_000;

export class GatewaySync implements Feature {
  private run: { controller: AbortController; done: Promise<void> } | null = null;
  private session: GatewaySession | null = null;
  private readonly s: GatewaySection;
  private readonly logs: RepeatedLogs;
  /** The link's pace outlives a connection: a slow village link is slow on the next one too. */
  private readonly pace: LinkPace;
  private readonly wake = () => this.session?.pump();

  constructor(private readonly d: FeatureDeps) {
    this.s = parseGatewaySection(d.section);
    this.logs = new RepeatedLogs(d.logger, this.s.repeatLogEveryMs);
    this.pace = new LinkPace(this.s.keepaliveS * 1000);
  }

  async start(): Promise<void> {
    if (this.run) return;
    const controller = new AbortController();
    this.d.runtime.events.on('records-appended', this.wake);
    this.run = { controller, done: this.loop(controller.signal) };
  }

  async stop(): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.run = null;
    this.d.runtime.events.off('records-appended', this.wake);
    run.controller.abort();
    // The loop closes its client and session on its way out.
    await run.done;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    try {
      const ca = this.s.caFile ? readFileSync(this.s.caFile) : undefined;
      const creds = await this.credentials(signal, ca);
      if (!creds) return;
      const fingerprint = keyFingerprint(this.d.identity.publicKeyPem);
      const backoff = new RetryBackoff(this.s.retry.initialMs, this.s.retry.maxMs);
      let failures = 0;
      while (!signal.aborted) {
        let upForMs = 0;
        try {
          upForMs = await this.connectAndServe(creds, fingerprint, ca, signal, failures);
          failures = 0;
        } catch (err) {
          if (signal.aborted) break;
          failures += 1;
          // One warning whatever the socket said (refused, reset, timed out: the same outage), then counts.
          this.logs.warn(
            'unreachable',
            { err: (err as Error).message, attempts: failures },
            'cannot connect to the gateway: retrying with back-off (check the network, gateway.mqttUrl and gateway.url)',
          );
        }
        if (upForMs >= this.s.retry.stableMs) backoff.reset();
        await sleep(backoff.next(), signal);
      }
    } catch (err) {
      if (!signal.aborted) this.d.logger.error({ err: (err as Error).message }, 'the gateway sync stopped');
    }
  }

  /** Saved credentials, or enrol until it succeeds; null only when stopped or there is no code to enrol with. */
  private async credentials(signal: AbortSignal, ca: Buffer | undefined): Promise<MqttCredentials | null> {
    const saved = loadCredentials(this.d.dataDir);
    if (saved) return saved;
    const code = this.s.enrolmentCode;
    if (!code) {
      this.d.logger.error('not enrolled and no gateway.enrolmentCode: ask hall IT for an enrolment code');
      return null;
    }
    const transport = new RetryBackoff(this.s.retry.initialMs, this.s.retry.maxMs);
    const refusedBackoff = new RetryBackoff(this.s.retry.refusedMs, Math.max(this.s.retry.refusedMs, REFUSED_MAX_MS));
    while (!signal.aborted) {
      try {
        const creds = await enrol({
          url: this.s.url,
          deviceId: this.d.identity.deviceId,
          code,
          publicKeyPem: this.d.identity.publicKeyPem,
          sign: this.d.identity.sign,
          dataDir: this.d.dataDir,
          signal,
          ...(ca ? { ca } : {}),
        });
        this.d.logger.info({ keyProof: creds.keyProof }, 'enrolled with the gateway');
        return creds;
      } catch (err) {
        if (signal.aborted) break;
        const refused = err instanceof EnrolmentRefused;
        const waitMs = refused ? refusedBackoff.next() : transport.next();
        if (refused) {
          // A different reason is news for hall IT: keyed by it.
          this.logs.warn(
            `enrol-refused:${err.message}`,
            { why: err.message, retryInMs: waitMs },
            'the gateway refused enrolment: ask hall IT to check this device is registered and to issue a new code (gateway.enrolmentCode); retrying slowly',
          );
        } else {
          this.logs.warn(
            'enrol-unreachable',
            { err: (err as Error).message, retryInMs: waitMs },
            'cannot reach the gateway to enrol: retrying with back-off (check the network and gateway.url)',
          );
        }
        await sleep(waitMs, signal);
      }
    }
    return null;
  }

  /**
   * One connection: nonce and proof if the gateway wants them, connect, serve until it closes.
   * Resolves with how long it was up; throws if it never came up.
   */
  private async connectAndServe(creds: MqttCredentials, fingerprint: string, ca: Buffer | undefined, signal: AbortSignal, failuresBefore: number): Promise<number> {
    const password = await connectPassword(creds, this.d.identity, { url: this.s.url, signal, ...(ca ? { ca } : {}) });
    if (signal.aborted) return 0;
    const id = this.d.identity.deviceId;
    const client = mqtt.connect(this.s.mqttUrl, {
      clientId: id,
      username: creds.username,
      password,
      clean: true,
      protocolVersion: 4,
      // Our loop reconnects (with back-off and a fresh nonce); mqtt.js must not on its own.
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: this.s.keepaliveS,
      queueQoSZero: false,
      will: { topic: deviceTopic(id, 'status'), payload: Buffer.from(JSON.stringify({ deviceId: id, online: false })), qos: 1, retain: true },
      ...(ca ? { ca } : {}),
    });
    // mqtt.js emits 'error' for refused connections and socket errors: always heard here, so one never throws.
    const last: { error?: Error } = {};
    client.on('error', (err) => (last.error = err));
    try {
      await untilConnected(client, signal, last);
      if (signal.aborted) return 0;
      // A batch goes out right after the PUBACK of the last ack: with Nagle it would wait for the
      // gateway's delayed TCP ACK (~40 ms) first.
      (client.stream as Partial<Socket>).setNoDelay?.(true);
      const upAt = performance.now();
      this.logs.info('connected', failuresBefore ? { failedAttempts: failuresBefore } : {}, 'connected to the gateway');
      this.d.runtime.setConnection('gateway', 'online');
      this.session = new GatewaySession(client, {
        deps: this.d,
        section: this.s,
        keyFingerprint: fingerprint,
        logs: this.logs,
        pace: this.pace,
      });
      this.session.start();
      await untilClosed(client, signal);
      if (!signal.aborted) this.session.connectionLost();
      const upForMs = performance.now() - upAt;
      if (!signal.aborted) this.logs.warn('lost', { upForMs: Math.round(upForMs), err: last.error?.message }, 'the connection to the gateway dropped: reconnecting');
      return upForMs;
    } finally {
      const session = this.session;
      this.session = null;
      await session?.stop();
      this.d.runtime.setConnection('gateway', 'offline');
      await client.endAsync(true).catch(() => undefined);
      client.removeAllListeners('connect').removeAllListeners('close').removeAllListeners('message');
    }
  }
}

/** Resolves on CONNACK; rejects if the connection fails or is refused first; resolves early on abort. */
function untilConnected(client: MqttClient, signal: AbortSignal, last: { error?: Error }): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      client.off('connect', onConnect);
      client.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onConnect = () => done(resolve);
    const onClose = () => done(() => reject(last.error ?? new Error('the gateway closed the connection before accepting it')));
    const onAbort = () => done(resolve);
    client.on('connect', onConnect);
    client.on('close', onClose);
    signal.addEventListener('abort', onAbort);
  });
}

/** Resolves when the connection closes, or at once on abort. */
function untilClosed(client: MqttClient, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected || signal.aborted) return resolve();
    const done = () => {
      client.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    client.on('close', done);
    signal.addEventListener('abort', done);
  });
}

export function createGatewaySync(deps: FeatureDeps): Feature {
  return new GatewaySync(deps);
}
