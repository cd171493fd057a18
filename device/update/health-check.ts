/**
 * Is a freshly started version healthy? It must print its ready line, answer its local API
 * (`/api/status` with its token) and — when it has a gateway to talk to — report the gateway
 * connection online, all within the time given, and not exit meanwhile. Anything else is a reason
 * to roll back, said in one line for hall IT.
 */
import type { RuntimeChild } from './runtime-child.js';

export type Health = { ok: true } | { ok: false; reason: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The part of the local API's answers the check reads (DeviceView's connection). */
interface Answer {
  status: number;
  body: { connection?: { gateway?: string } } | null;
}

async function localGet(base: string, token: string, path: string): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(2000) });
  return { status: res.status, body: (await res.json().catch(() => null)) as Answer['body'] };
}

export async function waitHealthy(child: RuntimeChild, o: { timeoutMs: number; needGateway: boolean }): Promise<Health> {
  const deadline = Date.now() + o.timeoutMs;
  const seconds = Math.round(o.timeoutMs / 1000);
  const exited = child.exited.then((e) => ({ exited: e }));
  const timeout = sleep(o.timeoutMs).then(() => ({ timeout: true as const }));
  const first = await Promise.race([child.ready.then((r) => ({ ready: r })), exited, timeout]);
  const died = (e: { code: number | null; signal: NodeJS.Signals | null }) => {
    const words = child.lastWords();
    return `it exited (${e.signal ?? `code ${e.code}`}) at start${words ? `: ${words}` : ''}`;
  };
  if ('exited' in first) return { ok: false, reason: died(first.exited) };
  if ('timeout' in first) return { ok: false, reason: `it was not ready within ${seconds} s` };
  let last = 'its local API never answered';
  while (Date.now() < deadline) {
    if (!child.running) return { ok: false, reason: died(await child.exited) };
    try {
      const status = await localGet(first.ready.localApi, first.ready.token, '/api/status');
      if (status.status === 200) {
        if (!o.needGateway) return { ok: true };
        const state = await localGet(first.ready.localApi, first.ready.token, '/api/state');
        if (state.body?.connection?.gateway === 'online') return { ok: true };
        last = 'it did not connect to the gateway';
      } else {
        last = `its local API answered HTTP ${status.status}`;
      }
    } catch (err) {
      last = `its local API did not answer (${(err as Error).message})`;
    }
    await sleep(250);
  }
  return { ok: false, reason: `${last} within ${seconds} s` };
}
