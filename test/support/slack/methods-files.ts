/**
 * Files, the external-upload flow that `files.uploadV2` drives:
 *
 * 1. `files.getUploadURLExternal` (filename, length) → `{ upload_url, file_id }`;
 * 2. POST of the bytes to `upload_url` (the WebClient sends multipart with the bytes in a field named `body`;
 *    a raw body works too) → `200 OK - <bytes>`;
 * 3. `files.completeUploadExternal` (files=[{id,title}], channel_id, initial_comment…) → `{ files }`, and the
 *    share lands in the channel *later* (a message with `files`; `files.info` shows `shares` only then).
 *
 * Plus `files.info`, `files.delete`, and GET of `url_private` with the bot token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { assertValidBlocks, withBlockIds } from './blocks.js';
import { mediaType, parseMultipart, sendJson, sendText } from './http.js';
import { fileJson } from './json.js';
import type { FakeSlackChannel, FakeSlackFile } from './types.js';
import { type MethodHost, type MethodTable, SlackApiError, postableChannel } from './web-api.js';

const EXT_TYPES: Record<string, [string, string]> = {
  png: ['image/png', 'png'],
  jpg: ['image/jpeg', 'jpg'],
  jpeg: ['image/jpeg', 'jpg'],
  gif: ['image/gif', 'gif'],
  webp: ['image/webp', 'webp'],
  txt: ['text/plain', 'text'],
  json: ['application/json', 'json'],
  pdf: ['application/pdf', 'pdf'],
};

/** `[mimetype, filetype]` from magic bytes, else the extension. */
export function detectType(bytes: Buffer, filename: string): [string, string] {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return ['image/png', 'png'];
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return ['image/jpeg', 'jpg'];
  if (bytes.length >= 6 && bytes.subarray(0, 4).toString('latin1') === 'GIF8') return ['image/gif', 'gif'];
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') {
    return ['image/webp', 'webp'];
  }
  const ext = filename.includes('.') ? filename.split('.').pop()!.toLowerCase() : '';
  return EXT_TYPES[ext] ?? ['application/octet-stream', 'binary'];
}

/** Upload tokens (the last path segment of an upload URL) → file id. */
export class UploadTokens {
  private readonly byToken = new Map<string, string>();
  add(token: string, fileId: string): void {
    this.byToken.set(token, fileId);
  }
  fileId(token: string): string | undefined {
    return this.byToken.get(token);
  }
}

function liveFile(host: MethodHost, id: string | undefined): FakeSlackFile {
  const f = id ? host.state.files.get(id) : undefined;
  if (!f) throw new SlackApiError('file_not_found');
  if (f.deleted) throw new SlackApiError('file_deleted');
  return f;
}

export const fileMethods: MethodTable = {
  'files.getUploadURLExternal': {
    token: 'bot',
    handle(args, host) {
      const filename = args.str('filename');
      const lengthRaw = args.str('length');
      const length = lengthRaw === undefined ? NaN : Number(lengthRaw);
      if (!filename || !Number.isInteger(length) || length <= 0) throw new SlackApiError('invalid_arguments');
      const id = host.state.ids.id('F');
      const [mimetype, filetype] = detectType(Buffer.alloc(0), filename);
      const file: FakeSlackFile = {
        id,
        name: filename,
        title: filename,
        mimetype,
        filetype,
        length,
        bytes: Buffer.alloc(0),
        uploaded: false,
        completed: false,
        user: host.identity.botUserId,
        created: host.state.ids.unixNow(),
        shares: new Map(),
        deleted: false,
        ...(args.str('alt_text') !== undefined ? { altText: args.str('alt_text') } : {}),
      };
      host.state.files.set(id, file);
      return { upload_url: host.uploadUrlFor(id), file_id: id };
    },
  },

  'files.completeUploadExternal': {
    token: 'bot',
    handle(args, host) {
      const entries = args.json<{ id?: string; title?: string }[]>('files', 'invalid_arguments');
      if (!Array.isArray(entries) || entries.length === 0) throw new SlackApiError('invalid_arguments');
      const files = entries.map((e) => {
        const f = host.state.files.get(e.id ?? '');
        if (!f || f.deleted || !f.uploaded) throw new SlackApiError('file_not_found');
        return { file: f, title: e.title };
      });
      const channelArg = args.str('channel_id') ?? args.str('channels');
      const channelIds = channelArg ? channelArg.split(',').map((s) => s.trim()).filter(Boolean) : [];
      const channels: FakeSlackChannel[] = channelIds.map((id) => postableChannel(host, id));
      const initialComment = args.str('initial_comment');
      const blocks = initialComment ? undefined : args.json<unknown[]>('blocks', 'invalid_blocks_format');
      if (blocks !== undefined) assertValidBlocks(blocks);
      const threadTs = args.str('thread_ts');
      for (const { file, title } of files) {
        if (title) file.title = title;
        file.completed = true;
      }
      if (channels.length > 0) {
        host.scheduleShare(() => {
          for (const channel of channels) {
            const message = host.state.appendMessage({
              channel: channel.id,
              text: initialComment ?? '',
              ...(blocks ? { blocks: withBlockIds(blocks) } : {}),
              user: host.identity.botUserId,
              botId: host.identity.botId,
              files: files.map((x) => x.file),
              ...(threadTs ? { threadTs } : {}),
              source: 'file_share',
            });
            for (const { file } of files) file.shares.set(channel.id, [...(file.shares.get(channel.id) ?? []), message.ts]);
          }
          host.state.notify();
        });
      }
      return { files: files.map(({ file }) => fileJson(file, host.identity, host.state.channels)) };
    },
  },

  'files.info': {
    token: 'bot',
    handle(args, host) {
      const f = liveFile(host, args.str('file'));
      return { file: fileJson(f, host.identity, host.state.channels), comments: [], response_metadata: { next_cursor: '' } };
    },
  },

  'files.delete': {
    token: 'bot',
    handle(args, host) {
      const f = liveFile(host, args.str('file'));
      if (f.user !== host.identity.botUserId) throw new SlackApiError('cant_delete_file');
      f.deleted = true;
      // As on Slack, the messages that shared the file go with it.
      for (const messages of host.state.channelMessages.values()) {
        for (const m of messages) if (m.files.some((file) => file.id === f.id)) m.deleted = true;
      }
      host.state.notify();
      return {};
    },
  },
};

/** POST to an upload URL: stores the bytes (multipart field `body`/`file`/first file part, or the raw body). */
export async function handleUpload(
  host: MethodHost,
  tokens: UploadTokens,
  token: string,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): Promise<void> {
  const fileId = tokens.fileId(token);
  const file = fileId ? host.state.files.get(fileId) : undefined;
  if (!file || req.method !== 'POST') return sendText(res, 404, 'Not Found');
  let bytes = body;
  if (mediaType(req) === 'multipart/form-data') {
    const form = await parseMultipart(req.headers['content-type'] ?? '', body);
    const part = form.files.find((p) => p.field === 'body') ?? form.files.find((p) => p.field === 'file') ?? form.files[0];
    if (!part) return sendText(res, 400, 'no file part');
    bytes = part.bytes;
  }
  file.bytes = Buffer.from(bytes);
  file.uploaded = true;
  [file.mimetype, file.filetype] = detectType(file.bytes, file.name);
  host.state.notify();
  sendText(res, 200, `OK - ${file.bytes.length}`);
}

/** GET of `url_private` / `url_private_download`: the bytes, with the bot token only. */
export function handleDownload(host: MethodHost, botToken: string, fileId: string, req: IncomingMessage, res: ServerResponse): void {
  const file = host.state.files.get(fileId);
  if (req.headers.authorization !== `Bearer ${botToken}`) return sendText(res, 403, 'Forbidden');
  if (!file || file.deleted || !file.uploaded) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
  res.writeHead(200, { 'content-type': file.mimetype, 'content-length': file.bytes.length });
  res.end(file.bytes);
}
