/**
 * The loopback OpenAI's image edit endpoint, POST /v1/images/edits, as OpenAI's spec describes its multipart form
 * (`CreateImageEditRequest`: `image` (one file, or up to 16 as `image[]`) and `prompt` required; `model`, `n`, `size`,
 * `quality`, `output_format`, `background`, `user`, … as form fields). The answer is the generation's `ImagesResponse`.
 * What it draws: the input image, resized to the asked size and tinted with the prompt's colour, so a remix looks like
 * its parent. Each request is recorded with the uploaded image's bytes, which the tests compare with the parent's.
 */
import type { IncomingMessage } from "node:http";
import sharp from "sharp";
import { errorAnswer, invalidValue, missingParameter, modelNotFound, unknownParameter, type ErrorAnswer } from "./fake-openai-errors.js";
import { colourOf, parseSize, usageOf, type OutputFormat } from "./fake-openai-images.js";

/** One edit request as the fake received it. */
export interface RecordedEdit {
  /** The form's text fields. */
  fields: Record<string, string>;
  /** The uploaded images, in order: bytes, file name and content type. */
  images: Array<{ bytes: Buffer; filename: string; type: string }>;
  at: number;
  headers: Record<string, string>;
}

const EDIT_PARAMETERS = new Set([
  "image", "image[]", "prompt", "mask", "background", "model", "n", "size", "response_format", "output_format", "output_compression",
  "user", "input_fidelity", "stream", "partial_images", "quality",
]);
const QUALITIES = ["standard", "low", "medium", "high", "auto"];
const OUTPUT_FORMATS = ["png", "jpeg", "webp"];
const BACKGROUNDS = ["transparent", "opaque", "auto"];
const MAX_IMAGE_BYTES = 50 * 1024 * 1024;

/** Reads the raw body (multipart is binary: it must not go through a string). */
export function readRawBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The image kind of these bytes by their signature, or null when they are no image OpenAI takes. */
function imageKind(bytes: Buffer): "png" | "jpeg" | "webp" | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return "png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (bytes.subarray(0, 4).toString("latin1") === "RIFF" && bytes.subarray(8, 12).toString("latin1") === "WEBP") return "webp";
  return null;
}

/** Parses the multipart form and records it; an answer when the request is not a form at all. */
export async function parseEditRequest(req: IncomingMessage, raw: Buffer, headers: Record<string, string>): Promise<RecordedEdit | ErrorAnswer> {
  const type = req.headers["content-type"] ?? "";
  if (!/^multipart\/form-data/i.test(type)) {
    return errorAnswer(400, { message: "Invalid Content-Type header: expected multipart/form-data (or application/json with `images`).", type: "invalid_request_error" });
  }
  let form: FormData;
  try {
    form = await new Request("http://fake/v1/images/edits", { method: "POST", headers: { "content-type": type }, body: new Uint8Array(raw) }).formData();
  } catch (error) {
    return errorAnswer(400, { message: `Could not parse multipart form: ${String(error)}`, type: "invalid_request_error" });
  }
  const fields: Record<string, string> = {};
  const images: RecordedEdit["images"] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === "string") {
      if (name === "image" || name === "image[]") return errorAnswer(400, { message: "Invalid 'image': expected a file upload.", param: "image", code: "invalid_type" });
      fields[name] = value;
    } else if (name === "image" || name === "image[]") {
      images.push({ bytes: Buffer.from(await value.arrayBuffer()), filename: value.name, type: value.type });
    } else {
      fields[name] = `<file ${value.name}>`;
    }
  }
  return { fields, images, at: Date.now(), headers };
}

/** Validates an edit against the spec and this organisation's models, then answers it as OpenAI does. */
export async function answerEdit(edit: RecordedEdit, models: readonly string[]): Promise<ErrorAnswer | { status: 200; body: unknown }> {
  const { fields, images } = edit;
  for (const name of Object.keys(fields)) if (!EDIT_PARAMETERS.has(name)) return unknownParameter(name);
  if (!fields.prompt) return missingParameter("prompt");
  if (images.length === 0) return missingParameter("image");
  if (fields.prompt.length > 32000) return invalidValue("prompt", `${fields.prompt.slice(0, 20)}…`);
  const model = fields.model ?? "gpt-image-1.5";
  if (!models.includes(model)) return modelNotFound(model);
  if (!/^(gpt-image|chatgpt-image)/.test(model)) return invalidValue("model", model, models.filter((m) => m.startsWith("gpt-image")));
  if (images.length > 16) return invalidValue("image", `${images.length} images`);
  for (const image of images) {
    if (image.bytes.length > MAX_IMAGE_BYTES) return errorAnswer(400, { message: "Invalid 'image': file too large (50 MB at most).", param: "image", code: "invalid_image" });
    if (!imageKind(image.bytes)) {
      return errorAnswer(400, { message: "Invalid image file or mode for image 1, please check your image file.", param: "image", code: "invalid_image_file" });
    }
  }
  if (fields.response_format !== undefined) return unknownParameter("response_format"); // DALL·E only
  if (fields.n !== undefined && !(/^\d+$/.test(fields.n) && Number(fields.n) >= 1 && Number(fields.n) <= 10)) return invalidValue("n", fields.n);
  if (fields.quality !== undefined && !QUALITIES.includes(fields.quality)) return invalidValue("quality", fields.quality, QUALITIES);
  if (fields.output_format !== undefined && !OUTPUT_FORMATS.includes(fields.output_format)) return invalidValue("output_format", fields.output_format, OUTPUT_FORMATS);
  if (fields.background !== undefined && !BACKGROUNDS.includes(fields.background)) return invalidValue("background", fields.background, BACKGROUNDS);
  if (fields.input_fidelity !== undefined && !["high", "low"].includes(fields.input_fidelity)) return invalidValue("input_fidelity", fields.input_fidelity, ["high", "low"]);
  if (fields.stream !== undefined && fields.stream !== "false") return invalidValue("stream", fields.stream);
  const size = fields.size ?? "1024x1024";
  const dimensions = parseSize(size, model);
  if (!dimensions) return invalidValue("size", size, ["1024x1024", "1024x1536", "1536x1024", "auto"]);
  const quality = fields.quality === undefined || fields.quality === "auto" || fields.quality === "standard" ? "medium" : fields.quality;
  const format = (fields.output_format ?? "png") as OutputFormat;
  const n = fields.n === undefined ? 1 : Number(fields.n);
  const drawn = await Promise.all(
    Array.from({ length: n }, async (_, index) => {
      const tinted = sharp(images[0]!.bytes).resize(dimensions.width, dimensions.height, { fit: "cover" }).tint(colourOf(`edit:${fields.prompt}`, index));
      return (format === "png" ? tinted.png() : format === "jpeg" ? tinted.jpeg() : tinted.webp()).toBuffer();
    }),
  );
  const usage = usageOf(fields.prompt, quality, size === "auto" ? "1024x1024" : size, n);
  const imageTokens = 765 * images.length;
  return {
    status: 200,
    body: {
      created: Math.floor(Date.now() / 1000),
      data: drawn.map((bytes) => ({ b64_json: bytes.toString("base64") })),
      background: fields.background === "transparent" ? "transparent" : "opaque",
      output_format: format,
      size: size === "auto" ? "1024x1024" : size,
      quality,
      usage: {
        ...usage,
        input_tokens: usage.input_tokens + imageTokens,
        total_tokens: usage.total_tokens + imageTokens,
        input_tokens_details: { text_tokens: usage.input_tokens, image_tokens: imageTokens },
      },
    },
  };
}
