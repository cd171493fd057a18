/**
 * A follow-up's files: an upload is the raw bytes (POST /api/followups/{id}/attachments, the gateway
 * recognises images and PDF by their first bytes) through the same client and session rules as
 * every call, answering the sha256 a step then names; a download is a plain link with the cookie.
 */
import { need } from '../../api/call';
import { api, gatewayBase } from '../../api/client';
import type { AttachmentRef } from '../../api/types';

export async function uploadAttachment(followupId: string, file: File): Promise<AttachmentRef> {
  const kept = await need(
    api.POST('/api/followups/{id}/attachments', {
      params: { path: { id: followupId } },
      // /openapi.json describes no request body for raw bytes: they go as they are, typed by the file.
      body: file as never,
      bodySerializer: (b: unknown) => b as Blob,
      headers: { 'content-type': file.type || 'application/octet-stream' },
    }),
  );
  return { sha256: kept.sha256, name: file.name.slice(0, 120) };
}

export function attachmentUrl(followupId: string, sha256: string): string {
  return `${gatewayBase}/api/followups/${encodeURIComponent(followupId)}/attachments/${sha256}`;
}
