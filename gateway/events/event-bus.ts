/**
 * A typed event bus whose listeners cannot break the emitter: a throwing (or rejecting) listener
 * is logged and the others still run (after Zigbee2MQTT's lib/eventBus.ts). Emitters are the
 * ingest, the broker and the assessor; listeners are features.
 */
import type { Logger } from 'pino';

type Listener<P> = (payload: P) => void | Promise<void>;

export class TypedEventBus<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  constructor(private readonly logger: Logger) {}

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        const r = (listener as Listener<Events[K]>)(payload);
        if (r instanceof Promise) r.catch((err) => this.logger.error({ err, event: String(event) }, 'event listener failed'));
      } catch (err) {
        this.logger.error({ err, event: String(event) }, 'event listener failed');
      }
    }
  }
}
