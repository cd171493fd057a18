/**
 * The console's side of the gateway API for tests: a session for a user (made through ConsoleAuth,
 * not the rate-limited login route, so a suite can hold many) and JSON calls with its bearer token.
 */
import type { Gateway } from '../../gateway/gateway.js';

export interface ConsoleReply {
  status: number;
  body: any;
}

export interface ConsoleClient {
  token: string;
  call(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<ConsoleReply>;
}

/** A client for a token (or none: the anonymous caller). */
export function consoleClient(gw: Gateway, token = ''): ConsoleClient {
  return {
    token,
    async call(method, path, body) {
      const res = await fetch(`${gw.httpUrl}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed };
    },
  };
}

/** Log a user in (their password as created) and answer a client with their session. */
export async function loggedIn(gw: Gateway, username: string, password: string): Promise<ConsoleClient> {
  const r = await gw.auth.login(username, password, '127.0.0.1');
  if (!r.ok) throw new Error(`${username} could not log in: ${r.why}`);
  return consoleClient(gw, r.token);
}
