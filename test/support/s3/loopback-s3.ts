/**
 * A loopback S3 for tests: s3rver (which stores objects and answers PutObject, GetObject, HeadObject, DeleteObject and
 * NoSuchKey as S3 does) behind a front that checks what s3rver does not. s3rver 3.7 does not compute Signature V4 at all
 * (`// Signature version 4 calculation is unimplemeneted` in its authentication middleware: any secret, any region and
 * any tampered request pass) and skips the payload hash. S3 refuses those, so the front does it as S3 does:
 * `InvalidAccessKeyId`, `AuthorizationHeaderMalformed` (a region other than the bucket's), `SignatureDoesNotMatch`,
 * `XAmzContentSHA256Mismatch` and `BadDigest` (an `x-amz-checksum-sha256` that is not the body's), each with S3's
 * status and XML error body. The signature is recomputed with the SDK's own signer (@smithy/signature-v4).
 *
 * `down()` makes the bucket unreachable until `up()`: every request is recorded, then its connection reset, as an
 * outage looks to a client.
 */
import { createHash, createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import type { SourceData } from "@smithy/types";
import S3rver from "s3rver";

export interface LoopbackS3 {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The environment a Salon process needs to use the bucket under `prefix`. */
  env(prefix?: string): Record<string, string>;
  /** Every request that reached the front, with the status it got (0: reset while down). */
  requests: Array<{ method: string; path: string; status: number }>;
  down(): void;
  up(): void;
  close(): Promise<void>;
}

/** s3rver's one account (its keys are fixed); the front holds requests to them with S3's rules. */
const ACCESS_KEY_ID = "S3RVER";
const SECRET = "S3RVER";

/** A digest as @smithy/signature-v4 wants one (its `ChecksumConstructor`), from node:crypto. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytesOf(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

export async function startLoopbackS3(options: { bucket?: string; region?: string } = {}): Promise<LoopbackS3> {
  const bucket = options.bucket ?? "salon-images";
  const region = options.region ?? "eu-west-3";
  const directory = await mkdtemp(path.join(tmpdir(), "salon-s3-"));
  const backend = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port: backendPort } = (await backend.run()) as AddressInfo;
  const signer = new SignatureV4({ credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET }, region, service: "s3", sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
  const requests: LoopbackS3["requests"] = [];
  const sockets = new Set<Socket>();
  let isDown = false;

  const front: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => fail(res, 500, "InternalError", String(error)));
  });
  front.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry = { method: req.method ?? "", path: req.url ?? "", status: 0 };
    requests.push(entry);
    if (isDown) return void req.socket.destroy();
    const body = await readBody(req);
    const refused = await refusal(req, body);
    if (refused) {
      entry.status = refused.status;
      return fail(res, refused.status, refused.code, refused.message);
    }
    const forwarded = httpRequest({ host: "127.0.0.1", port: backendPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      entry.status = answer.statusCode ?? 0;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on("error", (error) => fail(res, 502, "InternalError", error.message));
    forwarded.end(body);
  }

  /** What S3 would refuse this request for, if anything. */
  async function refusal(req: IncomingMessage, body: Buffer): Promise<{ status: number; code: string; message: string } | null> {
    const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? "");
    if (!auth) return { status: 403, code: "AccessDenied", message: "Only Signature Version 4 in the Authorization header is accepted here" };
    const [, keyId, , signedRegion, service, signedHeaders, signature] = auth;
    if (keyId !== ACCESS_KEY_ID) return { status: 403, code: "InvalidAccessKeyId", message: "The AWS Access Key Id you provided does not exist in our records." };
    if (signedRegion !== region || service !== "s3") return { status: 400, code: "AuthorizationHeaderMalformed", message: `The authorization header is malformed; the region '${signedRegion}' is wrong; expecting '${region}'` };
    const payloadHash = String(req.headers["x-amz-content-sha256"] ?? "");
    if (/^[0-9a-f]{64}$/.test(payloadHash) && createHash("sha256").update(body).digest("hex") !== payloadHash) {
      return { status: 400, code: "XAmzContentSHA256Mismatch", message: "The provided 'x-amz-content-sha256' header does not match what was computed." };
    }
    const checksum = req.headers["x-amz-checksum-sha256"];
    if (typeof checksum === "string" && createHash("sha256").update(body).digest("base64") !== checksum) {
      return { status: 400, code: "BadDigest", message: "The SHA256 you specified did not match the calculated checksum." };
    }
    const url = new URL(req.url ?? "/", "http://loopback");
    const headers: Record<string, string> = {};
    for (const name of signedHeaders!.split(";")) headers[name] = String(req.headers[name] ?? "");
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) query[k] = k in query ? [...[query[k]!].flat(), v] : v;
    const amzDate = headers["x-amz-date"] ?? "";
    const signingDate = new Date(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"));
    if (Number.isNaN(signingDate.getTime()) || Math.abs(Date.now() - signingDate.getTime()) > 15 * 60_000) {
      return { status: 403, code: "RequestTimeTooSkewed", message: "The difference between the request time and the current time is too large." };
    }
    const expected = await signer.sign(
      { method: req.method ?? "GET", protocol: "http:", hostname: "127.0.0.1", path: (req.url ?? "/").split("?")[0]!, query, headers, body: undefined },
      { signingDate },
    );
    const computed = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization ?? ""))?.[1];
    if (computed !== signature) return { status: 403, code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match the signature you provided. Check your key and signing method." };
    return null;
  }

  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  return {
    endpoint,
    region,
    bucket,
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET,
    env: (prefix = "images") => ({
      IMAGE_STORE_URL: `s3://${bucket}/${prefix}`,
      IMAGE_STORE_ENDPOINT: endpoint,
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
    }),
    requests,
    down() {
      isDown = true;
      for (const socket of sockets) socket.destroy();
    },
    up() {
      isDown = false;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => front.close(resolve));
      await new Promise((resolve) => backend.close(resolve));
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function bytesOf(data: SourceData): Buffer {
  if (typeof data === "string") return Buffer.from(data);
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { "content-type": "application/xml" });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}
