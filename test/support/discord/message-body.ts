/** Turning message create/edit request bodies (JSON or multipart) into stored message fields. */
import { MAX_UPLOAD_BYTES } from './constants.js';
import { Errors } from './errors.js';
import { detectContentType, pngSize } from './media.js';
import type { RestContext, UploadedFile } from './rest.js';
import type { MessagePatch } from './state.js';
import type { FakeAttachment } from './types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

function storeFile(context: RestContext, channelId: string, file: UploadedFile, entry: any): FakeAttachment {
  if (file.data.length > MAX_UPLOAD_BYTES) throw Errors.tooLarge();
  const id = context.state.ids.next();
  const filename = typeof entry?.filename === 'string' && entry.filename ? entry.filename : file.filename;
  const contentType = detectContentType(file.data, file.contentType, filename);
  const size = pngSize(file.data);
  const attachment: FakeAttachment = {
    id,
    filename,
    contentType,
    bytes: file.data,
    size: file.data.length,
    url: `${context.baseUrl}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`,
    ...(size ?? {}),
    ...(typeof entry?.description === 'string' ? { description: entry.description } : {}),
  };
  context.files.set(id, attachment);
  return attachment;
}

/**
 * The attachments a message ends up with. `attachments` entries either keep an existing attachment
 * (by its id) or describe `files[n]` (id `n`); files no entry mentions are appended. Returns undefined
 * when an edit does not touch attachments.
 */
export function resolveAttachments(
  context: RestContext,
  channelId: string,
  body: any,
  files: UploadedFile[],
  existing: FakeAttachment[] = [],
): FakeAttachment[] | undefined {
  const entries: any[] | undefined = Array.isArray(body?.attachments) ? body.attachments : undefined;
  if (!entries && files.length === 0) return undefined;
  const used = new Set<UploadedFile>();
  const result: FakeAttachment[] = entries ? [] : [...existing];
  for (const entry of entries ?? []) {
    const id = String(entry?.id);
    const kept = existing.find((a) => a.id === id);
    if (kept) {
      result.push(typeof entry.description === 'string' ? { ...kept, description: entry.description } : kept);
      continue;
    }
    const file = files.find((f) => String(f.index) === id && !used.has(f));
    if (file) {
      used.add(file);
      result.push(storeFile(context, channelId, file, entry));
    }
  }
  for (const file of files) if (!used.has(file)) result.push(storeFile(context, channelId, file, undefined));
  return result;
}

/**
 * Components as Discord stores them: every component gets a numeric `id` (sequential, depth first)
 * unless the bot chose one.
 */
export function withComponentIds(components: any[]): any[] {
  const copy = structuredClone(components);
  const used = new Set<number>();
  const visit = (list: any[], fn: (c: any) => void) => {
    for (const c of list) {
      if (!c || typeof c !== 'object') continue;
      fn(c);
      if (Array.isArray(c.components)) visit(c.components, fn);
      if (c.accessory) visit([c.accessory], fn);
    }
  };
  visit(copy, (c) => typeof c.id === 'number' && used.add(c.id));
  let next = 1;
  visit(copy, (c) => {
    if (typeof c.id === 'number') return;
    while (used.has(next)) next++;
    c.id = next;
    used.add(next);
  });
  return copy;
}

/** Content/embeds/components/allowed_mentions of a body, only the fields present. */
export function patchFromBody(body: any): MessagePatch {
  const patch: MessagePatch = {};
  if (body === undefined || body === null) return patch;
  if ('content' in body) patch.content = body.content ?? '';
  if ('embeds' in body) patch.embeds = structuredClone(body.embeds ?? []);
  if ('components' in body) patch.components = withComponentIds(body.components ?? []);
  if ('allowed_mentions' in body) patch.allowedMentions = structuredClone(body.allowed_mentions);
  return patch;
}

/** Keeps only the flags a client may set. */
export function allowedFlags(flags: unknown, mask: number): number {
  return typeof flags === 'number' ? flags & mask : 0;
}
