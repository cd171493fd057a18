/**
 * The paper screen's calls and answer types, from the generated schema (never typed by hand), and
 * the PDF download, which openapi-fetch does not handle (a file, not JSON).
 */
import { ApiFailure } from '../../api/call';
import { gatewayBase, messageOf, type paths } from '../../api/client';

type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;

export type PaperBatch = Json<'/api/paper/batches', 'get'>['batches'][number];
export type PaperEntry = Json<'/api/paper/entries', 'get'>['entries'][number];
export type PaperCard = Json<'/api/paper/cards/{serial}', 'get'>;
export type PaperEntryBody = NonNullable<paths['/api/paper/entries']['post']['requestBody']>['content']['application/json'];

/** Download a batch's PDF with the session cookie; answers the file name. A refusal throws the gateway's words. */
export async function downloadBatchPdf(batchId: string): Promise<string> {
  const r = await fetch(`${gatewayBase}/api/paper/batches/${encodeURIComponent(batchId)}/pdf`, { credentials: 'same-origin' }).catch((err: unknown) => {
    throw new ApiFailure(0, 'network', err instanceof Error ? err.message : String(err));
  });
  if (!r.ok) {
    const body: unknown = await r.json().catch(() => undefined);
    const code = body && typeof body === 'object' && 'error' in body ? String((body as { error: unknown }).error) : String(r.status);
    throw new ApiFailure(r.status, code, body === undefined ? r.statusText : messageOf(body));
  }
  const file = /filename="([^"]+)"/.exec(r.headers.get('content-disposition') ?? '')?.[1] ?? `${batchId}.pdf`;
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = file;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return file;
}
