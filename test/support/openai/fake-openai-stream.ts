/**
 * Streamed image generation (`stream: true`) of the loopback OpenAI: server-sent events as OpenAI's spec shapes them
 * (`ImageGenPartialImageEvent`, then `ImageGenCompletedEvent`), scriptable so tests can cut or hold a stream.
 *
 * ```
 * event: image_generation.partial_image
 * data: {"type":"image_generation.partial_image","b64_json":"...","partial_image_index":0,...}
 *
 * event: image_generation.completed
 * data: {"type":"image_generation.completed","b64_json":"...","usage":{...},...}
 * ```
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
import { colourOf, renderImage, usageOf, type Dimensions, type OutputFormat } from "./fake-openai-images.js";

/** How one streamed answer goes; by default every partial asked for, then the completed image. */
export interface StreamStep {
  /** Partial images sent (default: the request's `partial_images`; the API may send fewer when the image is quick). */
  partials?: number;
  /** After this many partials, wait for `until` before going on (a slow stream the test moves along); one or several. */
  holdAfter?: StreamHold | StreamHold[];
  /** After this many partials (and their hold, if any), cut the connection: no completed event, the response never finishes. */
  dieAfter?: number;
  /** After the partials, end the response cleanly without the completed event. */
  noCompleted?: true;
}

export interface StreamHold {
  partials: number;
  until: Promise<unknown>;
}

export interface StreamRequest {
  prompt: string;
  partialImages: number;
  size: string;
  quality: string;
  format: OutputFormat;
  background: string;
  dimensions: Dimensions;
}

/** A partial image is the final colour washed towards grey, less so with each partial: a test tells them apart. */
export function partialColour(prompt: string, index: number, of: number): { r: number; g: number; b: number } {
  const final = colourOf(prompt);
  const weight = (index + 1) / (of + 1);
  const mix = (c: number) => Math.round(128 + (c - 128) * weight);
  return { r: mix(final.r), g: mix(final.g), b: mix(final.b) };
}

/**
 * Writes the event stream of one generation. Resolves once the answer is finished (or cut, or the client left).
 * `wait` is the fake's fixed image delay, spread before the first event.
 */
export async function streamImage(res: ServerResponse, request: StreamRequest, step: StreamStep | undefined, wait: (ms: number) => Promise<boolean>, delayMs: number): Promise<void> {
  const partials = Math.min(step?.partials ?? request.partialImages, request.partialImages);
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-request-id": `req_${randomBytes(16).toString("hex")}`,
    "openai-processing-ms": "1",
  });
  const common = { created_at: Math.floor(Date.now() / 1000), size: request.size, quality: request.quality, background: request.background === "transparent" ? "transparent" : "opaque", output_format: request.format };
  /** Resolves once the event is handed to the socket (so a connection cut after it still delivers it). */
  const event = (type: string, data: object) =>
    new Promise<void>((resolve) => {
      if (res.destroyed) return resolve();
      res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`, () => resolve());
    });
  if (delayMs > 0 && !(await wait(delayMs))) return;
  for (let index = 0; index < partials; index++) {
    const bytes = await renderImage(request.dimensions, partialColour(request.prompt, index, request.partialImages), request.format);
    await event("image_generation.partial_image", { b64_json: bytes.toString("base64"), ...common, partial_image_index: index });
    const hold = [step?.holdAfter ?? []].flat().find((h) => h.partials === index + 1);
    if (hold) {
      await hold.until;
      if (res.destroyed) return;
    }
    if (step?.dieAfter === index + 1) {
      // A clean close of the connection after the partial (so the partial arrives): the chunked body never ends.
      res.socket?.end();
      return;
    }
  }
  if (step?.noCompleted) {
    res.end();
    return;
  }
  const final = await renderImage(request.dimensions, colourOf(request.prompt), request.format);
  await event("image_generation.completed", { b64_json: final.toString("base64"), ...common, usage: usageOf(request.prompt, request.quality, request.size, 1) });
  res.end();
}
