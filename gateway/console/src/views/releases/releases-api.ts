/**
 * The releases screen's calls (gateway/releases/release-routes.ts), typed by the generated schema.
 * The upload sends the tarball itself as the body, which openapi-fetch cannot do: it goes by fetch.
 */
import { ApiFailure, need } from '../../api/call';
import { api, gatewayBase, messageOf } from '../../api/client';
import type { paths } from '../../api/schema';

export type ReleaseView = paths['/api/releases']['get']['responses']['200']['content']['application/json'][number];
export type OfferView = paths['/api/releases/{version}']['get']['responses']['200']['content']['application/json']['devices'][number];
export type OfferState = OfferView['state'];

const at = (version: string) => ({ params: { path: { version } } });

export const listReleases = () => need(api.GET('/api/releases'));
export const releaseDetail = (version: string) => need(api.GET('/api/releases/{version}', at(version)));
export const startRollout = (version: string, canary: string, rest: string[]) => need(api.POST('/api/releases/{version}/rollout', { ...at(version), body: { canary, rest } }));
export const continueRollout = (version: string) => need(api.POST('/api/releases/{version}/continue', at(version)));

/** base64 of a file's bytes (the signed .release.json travels in a header). */
async function base64Of(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** Upload a signed release: the tarball streams as the body, its .release.json rides in x-hcp-release. */
export async function uploadRelease(tarball: File, releaseFile: File): Promise<ReleaseView> {
  const headers = { 'content-type': 'application/octet-stream', 'x-hcp-release': await base64Of(releaseFile), 'x-hcp-csrf': '1' };
  const r = await fetch(`${gatewayBase}/api/releases`, { method: 'POST', credentials: 'same-origin', headers, body: tarball }).catch((err: unknown) => {
    throw new ApiFailure(0, 'network', err instanceof Error ? err.message : String(err));
  });
  const body: unknown = await r.json().catch(() => undefined);
  if (!r.ok) {
    const code = body && typeof body === 'object' && 'error' in body ? String((body as { error: unknown }).error) : String(r.status);
    throw new ApiFailure(r.status, code, body === undefined ? r.statusText : messageOf(body));
  }
  return body as ReleaseView;
}
