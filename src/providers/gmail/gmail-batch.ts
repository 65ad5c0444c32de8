/**
 * Google batch requests built by hand (the Node client has none): `multipart/mixed` with one
 * `application/http` part per call, answers matched back by `Content-ID: <response-…>`.
 */
import { randomBytes } from 'node:crypto';

export interface BatchPart {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The multipart body and its content type for GET calls on `paths` (path + query). */
export function buildBatch(paths: readonly string[]): { contentType: string; body: string } {
  const boundary = `batch_${randomBytes(12).toString('hex')}`;
  const parts = paths.map(
    (path, i) => `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <item${i + 1}>\r\n\r\nGET ${path}\r\n\r\n`,
  );
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: `${parts.join('')}--${boundary}--\r\n` };
}

/**
 * Parses a batch answer into parts by item index (0-based); unreadable parts are left out, so
 * the caller retries them.
 */
export function parseBatch(contentType: string, text: string): Map<number, BatchPart> {
  const out = new Map<number, BatchPart>();
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return out;
  for (const chunk of text.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const id = /content-id:\s*<response-item(\d+)>/i.exec(chunk)?.[1];
    const statusLine = /HTTP\/1\.1 (\d{3})/.exec(chunk);
    if (!id || !statusLine) continue;
    const afterStatus = chunk.slice(statusLine.index);
    const split = afterStatus.search(/\r?\n\r?\n/);
    if (split < 0) continue;
    const headers: Record<string, string> = {};
    for (const line of afterStatus.slice(0, split).split(/\r?\n/).slice(1)) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const raw = afterStatus.slice(split).trim();
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      continue;
    }
    out.set(Number(id) - 1, { status: Number(statusLine[1]), headers, body });
  }
  return out;
}
