/**
 * The renderer's link to the device runtime's local API (device/contract/local-api.ts), same
 * origin. The per-boot token comes in the URL fragment `#token=…` (never sent to the server in a
 * request line), then rides in `authorization` headers and the live socket's query.
 */
import { DeviceViewSchema, type DeviceView } from '@hcp/contract';

export function readToken(): string {
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, '')).get('token');
  if (fromHash) {
    sessionStorage.setItem('hcp-token', fromHash);
    return fromHash;
  }
  return sessionStorage.getItem('hcp-token') ?? '';
}

export interface ApiReply {
  ok: boolean;
  status: number;
  body: Record<string, unknown>;
}

export class LocalApi {
  constructor(private readonly token: string) {}

  async post(path: string, body: unknown = {}): Promise<ApiReply> {
    try {
      const res = await fetch(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const parsed = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      return { ok: res.ok, status: res.status, body: parsed };
    } catch (err) {
      return { ok: false, status: 0, body: { error: 'network', message: (err as Error).message } };
    }
  }

  async state(): Promise<DeviceView | null> {
    try {
      const res = await fetch('/api/state', { headers: { authorization: `Bearer ${this.token}` } });
      const parsed = DeviceViewSchema.safeParse(await res.json());
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  async catalogue(version: string): Promise<unknown> {
    const res = await fetch(`/api/catalogue/${encodeURIComponent(version)}`, { headers: { authorization: `Bearer ${this.token}` } });
    return res.ok ? res.json() : null;
  }
}

/**
 * The live view: a WebSocket that pushes a DeviceView on connect and on every change; reconnects
 * forever with capped exponential backoff. It never blocks rating: the last view stays on screen.
 */
export class LiveView {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private timer: number | undefined;
  private stopped = false;

  constructor(
    private readonly token: string,
    private readonly onView: (v: DeviceView) => void,
    private readonly onLink: (up: boolean) => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.socket?.close();
  }

  private connect(): void {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/live?token=${encodeURIComponent(this.token)}`;
    const ws = new WebSocket(url);
    this.socket = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.onLink(true);
    };
    ws.onmessage = (ev) => {
      try {
        const parsed = DeviceViewSchema.safeParse(JSON.parse(String(ev.data)));
        if (parsed.success) this.onView(parsed.data);
      } catch {
        /* a malformed push is ignored; the next one replaces it */
      }
    };
    ws.onclose = () => {
      this.onLink(false);
      if (this.stopped) return;
      const delay = Math.min(10_000, 250 * 2 ** this.attempt++) * (0.75 + Math.random() * 0.5);
      this.timer = window.setTimeout(() => this.connect(), delay);
    };
  }
}
