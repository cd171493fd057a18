/**
 * MQTT topics of the device ⇄ gateway contract. A device may publish and subscribe only below its
 * own `hcp/v1/dev/{deviceId}/` (gateway ACL, docs/DESIGN.md "Least privilege").
 */
export const TOPIC_ROOT = 'hcp/v1/dev';

export const TOPIC_KINDS = {
  /** device → gateway: a batch of chain records (QoS 1). */
  records: 'records',
  /** gateway → device: the application-level ack of a batch, sent after the commit. */
  ack: 'ack',
  /** device → gateway: health facts; also the MQTT last will (online: false). */
  status: 'status',
  /**
   * gateway → device: window, roster, catalogue, timeouts. Sent on every change and after each
   * connection that proved the device's key, never retained: a password thief gets no roster.
   */
  config: 'config',
  /** gateway → device: a case from the window's business system arms the device (R9), or its withdrawal. */
  invite: 'invite',
  /** device → gateway: what became of an invitation (armed, refused and why, withdrawn). */
  receipt: 'receipt',
  /**
   * gateway → device: a console command (messages.ts DeviceCommandSchema), e.g. "capture the next
   * badge tapped" (issue 11). A device subscribes only once its config lists the commands the
   * gateway sends (DeviceConfig.commands): an older gateway would refuse the subscription.
   */
  command: 'command',
  /** device → gateway: the badge a capture asked for (messages.ts BadgeCaptureSchema), instead of a login. */
  badge: 'badge',
} as const;
export type TopicKind = keyof typeof TOPIC_KINDS;

/** Which way each topic flows: what a device may publish, and what it may subscribe to. */
export const DEVICE_PUBLISHES: readonly TopicKind[] = ['records', 'status', 'receipt', 'badge'];
export const DEVICE_SUBSCRIBES: readonly TopicKind[] = ['ack', 'config', 'invite', 'command'];

export function deviceTopic(deviceId: string, kind: TopicKind): string {
  return `${TOPIC_ROOT}/${deviceId}/${TOPIC_KINDS[kind]}`;
}

/** Parse `hcp/v1/dev/{id}/{kind}`; null for anything else (wildcards included). */
export function parseDeviceTopic(topic: string): { deviceId: string; kind: TopicKind } | null {
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}/${parts[2]}` !== TOPIC_ROOT) return null;
  const deviceId = parts[3]!;
  const kind = (Object.keys(TOPIC_KINDS) as TopicKind[]).find((k) => TOPIC_KINDS[k] === parts[4]);
  if (!kind || !/^[a-z0-9][a-z0-9-]{2,62}$/.test(deviceId)) return null;
  return { deviceId, kind };
}

/** Shared subscription for gateway ingest workers on an external broker cluster (MQTT 5 / Mosquitto). */
export const INGEST_SUBSCRIPTION = `${TOPIC_ROOT}/+/records`;
