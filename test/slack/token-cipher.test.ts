import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TokenCipher } from "../../src/slack/token-cipher.js";

const token = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx";

describe("TokenCipher (bot tokens at rest)", () => {
  it("seals a token into something that is not the token, differently each time, and opens it again", () => {
    const cipher = new TokenCipher(randomBytes(32));
    const [one, two] = [cipher.seal("T1", token), cipher.seal("T1", token)];
    for (const sealed of [one, two]) {
      expect(sealed).toMatch(/^v1\./);
      expect(sealed).not.toContain(token.slice(5));
      expect(sealed).not.toContain(Buffer.from(token).toString("base64url").slice(0, 16));
      expect(cipher.open("T1", sealed)).toBe(token);
    }
    expect(one).not.toBe(two); // a fresh IV each time
  });

  it("refuses another key with a message that says which key is needed", () => {
    const sealed = new TokenCipher(randomBytes(32)).seal("T1", token);
    expect(() => new TokenCipher(randomBytes(32)).open("T1", sealed)).toThrow(/sealed with a key \(id [\w-]+\) that is neither SLACK_TOKEN_KEY \(id [\w-]+\) nor in SLACK_TOKEN_KEY_PREVIOUS/);
  });

  it("refuses a sealed token moved onto another workspace's row, or altered", () => {
    const cipher = new TokenCipher(randomBytes(32));
    const sealed = cipher.seal("T1", token);
    expect(() => cipher.open("T2", sealed)).toThrow(/does not open with its key: the row was altered or belongs to another workspace/);
    const parts = sealed.split(".");
    parts[4] = Buffer.from("xoxb-forged").toString("base64url");
    expect(() => cipher.open("T1", parts.join("."))).toThrow(/does not open/);
    expect(() => cipher.open("T1", token)).toThrow(/not in the sealed format/);
  });

  it("rotates keys: a previous key still opens, and what it sealed is marked for sealing again", () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const before = new TokenCipher(oldKey).seal("T1", token);
    const after = new TokenCipher(newKey, [oldKey]);
    expect(after.open("T1", before)).toBe(token);
    expect(after.needsResealing(before)).toBe(true);
    expect(after.needsResealing(after.seal("T1", token))).toBe(false);
  });
});
