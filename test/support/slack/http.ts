/**
 * Small HTTP helpers: body reading, Slack-style parameter parsing (query + form / JSON / multipart), replies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Reads the whole request body. */
export async function readBody(req: IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new Error(`body larger than ${limit} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** The media type of a request, lower-cased, without parameters (`application/json`). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** A parsed multipart body: text fields and file parts. */
export interface Multipart {
  fields: Record<string, string>;
  files: { field: string; filename: string; type: string; bytes: Buffer }[];
}

/** Parses `multipart/form-data` with the platform's own parser (undici's `Response.formData()`). */
export async function parseMultipart(contentType: string, body: Buffer): Promise<Multipart> {
  const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  const out: Multipart = { fields: {}, files: [] };
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') out.fields[field] = value;
    else out.files.push({ field, filename: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
  }
  return out;
}

/**
 * Web API arguments the way Slack reads them: query string, then the body (form-encoded, JSON object, or
 * multipart text fields). Values from forms are strings; JSON keeps its types.
 */
export async function parseParams(req: IncomingMessage, body: Buffer, url: URL): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) params[k] = v;
  if (body.length === 0) return params;
  const type = mediaType(req);
  if (type === 'application/json') {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(params, parsed);
  } else if (type === 'multipart/form-data') {
    Object.assign(params, (await parseMultipart(req.headers['content-type'] ?? '', body)).fields);
  } else {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
  }
  return params;
}

/** Sends a JSON reply. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Sends a plain-text reply. */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
