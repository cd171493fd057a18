/**
 * The releases screen's calls (gateway/releases/release-routes.ts). Typed here by hand because the
 * generated schema (api/schema.d.ts) is made from a gateway without a `releases` config section,
 * so /openapi.json does not list these routes; the shapes mirror the routes' zod schemas. The
 * upload sends the tarball itself as the body, which openapi-fetch cannot do either.
 */
import { ApiFailure } from '../../api/call';
import { gatewayBase, messageOf } from '../../api/client';

export type OfferState = 'held' | 'offered' | 'downloading' | 'installed' | 'healthy' | 'rolled-back' | 'refused' | 'rollback-blocked' | 'superseded';

export interface ReleaseView {
  version: string;
  sha256: string;
  size: number;
  minVersion: string | null;
  rollbackSafe: boolean;
  notes: string | null;
  keyId: string;
  uploadedAt: string;
  uploadedBy: string;
  states: Partial<Record<OfferState, number>>;
}

export interface OfferView {
  deviceId: string;
  role: 'canary' | 'rest' | 'direct';
  state: OfferState;
  reason: string | null;
  stateAt: string;
}

async function call<T>(method: 'GET' | 'POST', path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<T> {
  const headers: Record<string, string> = { ...(init.headers ?? {}), ...(method === 'POST' ? { 'x-hcp-csrf': '1' } : {}) };
  const r = await fetch(`${gatewayBase}${path}`, { method, credentials: 'same-origin', headers, ...(init.body === undefined ? {} : { body: init.body }) }).catch((err: unknown) => {
    throw new ApiFailure(0, 'network', err instanceof Error ? err.message : String(err));
  });
  const body: unknown = await r.json().catch(() => undefined);
  if (!r.ok) {
    const code = body && typeof body === 'object' && 'error' in body ? String((body as { error: unknown }).error) : String(r.status);
    throw new ApiFailure(r.status, code, body === undefined ? r.statusText : messageOf(body));
  }
  return body as T;
}

const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });
const path = (version: string, tail = '') => `/api/releases/${encodeURIComponent(version)}${tail}`;

export const listReleases = () => call<ReleaseView[]>('GET', '/api/releases');
export const releaseDetail = (version: string) => call<{ release: ReleaseView; devices: OfferView[] }>('GET', path(version));
export const startRollout = (version: string, canary: string, rest: string[]) =>
  call<{ offered: string[]; held: string[] }>('POST', path(version, '/rollout'), json({ canary, rest }));
export const continueRollout = (version: string) => call<{ offered: string[] }>('POST', path(version, '/continue'));

/** base64 of a file's bytes (the signed .release.json travels in a header). */
async function base64Of(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** Upload a signed release: the tarball streams as the body, its .release.json rides in x-hcp-release. */
export async function uploadRelease(tarball: File, releaseFile: File): Promise<ReleaseView> {
  return call<ReleaseView>('POST', '/api/releases', {
    body: tarball,
    headers: { 'content-type': 'application/octet-stream', 'x-hcp-release': await base64Of(releaseFile) },
  });
}
