/**
 * Google's batch endpoint (`POST /batch/gmail/v1`, `multipart/mixed`): up to 100 inner HTTP
 * requests, each charged to quota on its own, each answered in request order in a part with
 * `Content-ID: <response-…>` and its own status; the outer status is 200.
 */
import { STATUS_CODES } from 'node:http';
import { makeEmulatorRequest, serializeBody, type EmulatorRequest, type EmulatorResponse } from '../common/http-emulator.js';
import { digest } from '../common/mail-store.js';
import { gmailError } from './gmail-errors.js';

export interface InnerRequest {
  contentId: string | null;
  request: EmulatorRequest;
}

/** Splits a multipart/mixed batch body into its inner HTTP requests. */
export function parseBatchRequest(req: EmulatorRequest, origin: string): InnerRequest[] | null {
  const type = String(req.headers['content-type'] ?? '');
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!boundary) return null;
  const text = req.body.toString('utf8');
  const parts = text.split(`--${boundary}`).slice(1);
  const out: InnerRequest[] = [];
  for (const part of parts) {
    if (part.startsWith('--')) break;
    const [outerHead, ...restParts] = part.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
    const contentId = /content-id:\s*(.+)/i.exec(outerHead ?? '')?.[1]?.trim() ?? null;
    const httpText = restParts.join('\r\n\r\n');
    const [head = '', ...bodyParts] = httpText.split(/\r?\n\r?\n/);
    const [requestLine = '', ...headerLines] = head.split(/\r?\n/);
    const [method = 'GET', target = '/'] = requestLine.trim().split(/\s+/);
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    if (!headers.authorization && req.headers.authorization) headers.authorization = String(req.headers.authorization);
    const url = new URL(target, origin);
    out.push({ contentId, request: makeEmulatorRequest(method, url, headers, Buffer.from(bodyParts.join('\r\n\r\n').trim(), 'utf8')) });
  }
  return out;
}

/** Builds the multipart/mixed answer, one part per inner response, in order. */
export function batchResponse(items: { contentId: string | null; response: EmulatorResponse }[]): EmulatorResponse {
  const boundary = `batch_${digest(String(items.length) + items.map((i) => i.contentId).join(','), 20)}`;
  const chunks: string[] = [];
  items.forEach(({ contentId, response }, index) => {
    const id = contentId ? contentId.replace(/^<?/, '<response-') : `<response-item${index + 1}>`;
    const { bytes } = serializeBody(response.body);
    const headerLines = Object.entries({ 'Content-Type': 'application/json; charset=UTF-8', ...(response.headers ?? {}) }).map(([k, v]) => `${k}: ${v}`);
    chunks.push(
      `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: ${id}\r\n\r\n` +
        `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\n${headerLines.join('\r\n')}\r\n\r\n${bytes.toString('utf8')}\r\n`,
    );
  });
  chunks.push(`--${boundary}--\r\n`);
  return { status: 200, headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}` }, body: chunks.join('') };
}

export function batchTooLarge(): EmulatorResponse {
  return gmailError(400, 'A batch request cannot contain more than 100 requests.', 'invalidArgument');
}
