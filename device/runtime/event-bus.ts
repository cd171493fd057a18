/**
 * A typed event bus whose listeners cannot break the emitter: a throwing listener is logged and the
 * others still run (after Zigbee2MQTT's lib/eventBus.ts). The rating path emits only after commit.
 */
import type { Logger } from 'pino';
import type { RuntimeEventBus, RuntimeEvents } from './ports.js';

type Listener<K extends keyof RuntimeEvents> = (payload: RuntimeEvents[K]) => void;

export class TypedEventBus implements RuntimeEventBus {
  private readonly listeners = new Map<keyof RuntimeEvents, Set<Listener<never>>>();

  constructor(private readonly logger: Logger) {}

  on<K extends keyof RuntimeEvents>(event: K, listener: Listener<K>): void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
  }

  off<K extends keyof RuntimeEvents>(event: K, listener: Listener<K>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  emit<K extends keyof RuntimeEvents>(event: K, payload: RuntimeEvents[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as Listener<K>)(payload);
      } catch (err) {
        this.logger.error({ err, event }, 'event listener failed');
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
