/**
 * A file upload done the way `files.uploadV2` does it (`files.getUploadURLExternal`, the bytes to the upload URL,
 * `files.completeUploadExternal`), one step at a time: the steps that are safe to repeat are retried, the one that
 * shares the file into a channel is sent once, and the file's id is known whatever happens to its answer.
 */
import { PublishError } from "../core/errors.js";
import type { Clock, Logger } from "../core/ports.js";
import { mayHaveHappened, post, REQUEST_TIMEOUT_MS, type SlackClients } from "./slack-clients.js";

const BYTE_ATTEMPTS = 3;
const BYTE_RETRY_MS = 500;

/**
 * Uploads the bytes and returns the file's id; the file is shared nowhere yet. Both steps are safe to repeat: an
 * upload URL left unused shares nothing, and sending the same bytes to it again only replaces them.
 */
export async function uploadBytes(web: SlackClients, clock: Clock, file: { bytes: Buffer; filename: string; altText?: string }): Promise<string> {
  const { upload_url: uploadUrl, file_id: fileId } = await web.client.files.getUploadURLExternal({
    filename: file.filename,
    length: file.bytes.length,
    ...(file.altText ? { alt_text: file.altText } : {}),
  });
  if (!uploadUrl || !fileId) throw new PublishError("other", "files.getUploadURLExternal returned no upload URL");
  for (let attempt = 1; ; attempt++) {
    try {
      // Slack takes the file as raw bytes or as a multipart form.
      const response = await fetch(uploadUrl, { method: "POST", body: new Uint8Array(file.bytes), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      await response.arrayBuffer();
      if (response.ok) return fileId;
      throw new Error(`the upload URL answered ${response.status}`);
    } catch (error) {
      if (attempt >= BYTE_ATTEMPTS) throw new PublishError("transient", `could not send the file's bytes to Slack: ${(error as Error).message}`, { cause: error });
      await clock.sleep(BYTE_RETRY_MS * attempt);
    }
  }
}

/** How a share went: Slack said it did, or its answer was lost and it may have (look at the file to know). */
export type ShareOutcome = "shared" | "uncertain";

/**
 * Completes the upload and shares the file into `channelId` with `initialComment`: sent once, never repeated (a repeat
 * would share it twice). Slack's refusals are thrown; a lost answer is reported as `uncertain`.
 */
export async function shareFile(
  web: SlackClients,
  clock: Clock,
  logger: Logger,
  share: { fileId: string; title: string; channelId: string; initialComment?: string },
): Promise<ShareOutcome> {
  try {
    await post(clock, () =>
      web.postClient.files.completeUploadExternal({
        files: [{ id: share.fileId, title: share.title }],
        channel_id: share.channelId,
        ...(share.initialComment ? { initial_comment: share.initialComment } : {}),
      }),
    );
    return "shared";
  } catch (error) {
    if (!mayHaveHappened(error)) throw error;
    logger.warn({ err: error, fileId: share.fileId, channelId: share.channelId }, "lost Slack's answer to sharing a file; looking at the file instead of sharing it again");
    return "uncertain";
  }
}

/** Completes an upload without sharing it anywhere (a digest's collage, shown by the digest's own message). */
export async function completePrivately(web: SlackClients, file: { fileId: string; title: string }): Promise<void> {
  // Shares nothing, so repeating it is harmless: the reading client may retry it.
  await web.client.files.completeUploadExternal({ files: [{ id: file.fileId, title: file.title }] });
}
