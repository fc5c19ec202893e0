/**
 * Bot tokens at rest: AES-256-GCM (node:crypto) under SLACK_TOKEN_KEY, each sealed with a fresh 96-bit IV and bound to
 * its workspace (the team id is the additional authenticated data, so a sealed token copied onto another workspace's
 * row does not open). A sealed value names the key that sealed it (the first 8 bytes of the key's SHA-256, which
 * reveals nothing of it), so keys can be rotated: the new key goes into SLACK_TOKEN_KEY, the old one into
 * SLACK_TOKEN_KEY_PREVIOUS; tokens sealed with an old key still open, and are sealed again with the new key the next
 * time they are read ({@link TokenCipher.needsResealing}). Once every row carries the new key id, the old key can go.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { AppError } from "../core/errors.js";

const VERSION = "v1";
const IV_BYTES = 12;

/** The id a sealed value carries for its key. */
export function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest().subarray(0, 8).toString("base64url");
}

export class TokenCipher {
  private readonly current: { id: string; key: Buffer };
  private readonly keys = new Map<string, Buffer>();

  /** `key` seals and opens; `previous` keys only open (key rotation). Each is 32 bytes (validated by the config). */
  constructor(key: Buffer, previous: readonly Buffer[] = []) {
    for (const k of [key, ...previous]) {
      if (k.length !== 32) throw new AppError("bad_token_key", "A Slack token key must be 32 bytes");
      this.keys.set(keyId(k), k);
    }
    this.current = { id: keyId(key), key };
  }

  seal(teamId: string, token: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.current.key, iv);
    cipher.setAAD(Buffer.from(teamId));
    const body = Buffer.concat([cipher.update(token, "utf8"), cipher.final()]);
    return [VERSION, this.current.id, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
  }

  open(teamId: string, sealed: string): string {
    const [version, id, iv, tag, body] = sealed.split(".");
    if (version !== VERSION || !id || !iv || !tag || body === undefined) {
      throw new AppError("sealed_token_unreadable", `The stored Slack token of workspace ${teamId} is not in the sealed format ${VERSION}: it was not written by Salon`);
    }
    const key = this.keys.get(id);
    if (!key) {
      throw new AppError(
        "sealed_token_wrong_key",
        `The stored Slack token of workspace ${teamId} was sealed with a key (id ${id}) that is neither SLACK_TOKEN_KEY (id ${this.current.id}) nor in SLACK_TOKEN_KEY_PREVIOUS: ` +
          "set SLACK_TOKEN_KEY to the key the tokens were saved with (or keep it in SLACK_TOKEN_KEY_PREVIOUS while rotating), or reinstall the app in that workspace",
      );
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(teamId));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
    } catch (error) {
      throw new AppError("sealed_token_tampered", `The stored Slack token of workspace ${teamId} does not open with its key: the row was altered or belongs to another workspace`, { cause: error });
    }
  }

  /** True when `sealed` opens only with a previous key: it should be sealed again with the current one. */
  needsResealing(sealed: string): boolean {
    return sealed.split(".")[1] !== this.current.id;
  }
}
