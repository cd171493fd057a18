/**
 * Unwrapping openapi-fetch answers: a view awaits the data or catches an ApiFailure carrying the
 * gateway's own message (errors are always `{ error, message }`), so every screen can show what the
 * gateway said — a 400 names the field (`departmentId: …`).
 */
import { messageOf } from './client';

/** A refused or failed request: the HTTP status (0: the gateway could not be reached) and its message. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }

  /** The field a 400 message names first (`staffNo: …` → `staffNo`), to mark it in the form. */
  get field(): string | null {
    const m = /^([A-Za-z][\w.]*): /.exec(this.message);
    return m ? (m[1] ?? null) : null;
  }
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

function failure(r: { error?: unknown; response: Response }): ApiFailure {
  const code = r.error && typeof r.error === 'object' && 'error' in r.error ? String((r.error as { error: unknown }).error) : String(r.response.status);
  return new ApiFailure(r.response.status, code, r.error === undefined ? r.response.statusText : messageOf(r.error));
}

async function settle<A>(p: Promise<A>): Promise<A> {
  try {
    return await p;
  } catch (err) {
    // fetch itself failed: the gateway is down or the network is cut.
    throw new ApiFailure(0, 'network', err instanceof Error ? err.message : String(err));
  }
}

/** The data of a successful answer, else throws ApiFailure. */
export async function need<T>(p: Promise<Answer<T>>): Promise<T> {
  const r = await settle(p);
  if (!r.response.ok || r.data === undefined) throw failure(r);
  return r.data;
}
