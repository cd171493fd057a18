/**
 * The console's only way to the gateway: openapi-fetch typed by schema.d.ts (generated from the
 * gateway's OpenAPI document, scripts/console-api-schema.ts). The session is the gateway's HttpOnly
 * cookie — the console never holds the token — and every change carries the CSRF header the
 * gateway asks of cookie sessions. A 401 sends the user back to the login page.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };

/** What every error answer of the gateway carries. */
export interface ApiError {
  error: string;
  message: string;
}

let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(fn: () => void): void {
  onUnauthorized = fn;
}

const session: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD') request.headers.set('x-hcp-csrf', '1');
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && !request.url.endsWith('/api/login')) onUnauthorized();
    return response;
  },
};

/** The gateway's root as the page was loaded from it (a reverse proxy's path prefix included). */
export const gatewayBase = new URL('.', window.location.href).href.replace(/\/$/, '');
export const api = createClient<paths>({ baseUrl: gatewayBase, credentials: 'same-origin' });
api.use(session);

/** The message of an error answer, for a toast or a form. */
export function messageOf(error: unknown): string {
  if (error && typeof error === 'object' && 'message' in error && typeof (error as ApiError).message === 'string') return (error as ApiError).message;
  return String(error);
}

/**
 * Image bytes for PUT /api/staff/{staffId}/photo, under the same session rules as `api`:
 * openapi-fetch cannot send them because /openapi.json does not describe that route's request
 * body (an API gap); the answer is the route's described one.
 */
export async function putImage(
  staffId: string,
  image: Blob,
): Promise<{ data?: paths['/api/staff/{staffId}/photo']['put']['responses'][200]['content']['application/json']; error?: unknown; response: Response }> {
  const path = `/api/staff/${encodeURIComponent(staffId)}/photo`;
  const response = await fetch(`${gatewayBase}${path}`, {
    method: 'PUT',
    credentials: 'same-origin',
    headers: { 'content-type': image.type || 'image/jpeg', 'x-hcp-csrf': '1' },
    body: image,
  });
  if (response.status === 401) onUnauthorized();
  const body: unknown = await response.json().catch(() => undefined);
  // The gateway answers this route's described shape (PhotoSavedSchema) or an error body.
  return response.ok ? { data: body as never, response } : { error: body, response };
}
