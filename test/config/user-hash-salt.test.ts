/**
 * The salt of the member id OpenAI receives: never a shared default. Set, it must look random (16+ characters);
 * unset, each installation makes its own once and keeps it, owner-readable only, beside its data.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { SALT_FILE, userHashSalt } from "../../src/runtime/user-hash-salt.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "salon-salt-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const required = { DISCORD_TOKEN: "MTIzNDU2Nzg5MDEyMzQ1Njc4.GAbCdE.abcdefghijklmnopqrstuvwxyz0123456789", DISCORD_APPLICATION_ID: "123456789012345678", OPENAI_API_KEY: "sk-test-0123456789abcdefghij" };

describe("USER_HASH_SALT", () => {
  it("refuses a short or well-known salt at start-up, saying what to set", () => {
    for (const weak of ["salon", "pepper", "x".repeat(15)]) {
      expect(() => loadConfig({ ...required, USER_HASH_SALT: weak })).toThrow(ConfigError);
      expect(() => loadConfig({ ...required, USER_HASH_SALT: weak })).toThrow(/USER_HASH_SALT must be a random value of at least 16 characters/);
    }
    expect(loadConfig({ ...required, USER_HASH_SALT: "f3a9c1d27be04e58" }).userHashSalt).toBe("f3a9c1d27be04e58");
    expect(loadConfig(required).userHashSalt).toBeUndefined();
  });

  it("unset, is made once per installation (64 random hex digits, owner-only file) and kept across restarts", async () => {
    const first = await userHashSalt(undefined, dir);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect((await stat(path.join(dir, SALT_FILE))).mode & 0o777).toBe(0o600);
    expect(await userHashSalt(undefined, dir)).toBe(first);
    const other = await mkdtemp(path.join(tmpdir(), "salon-salt-"));
    try {
      expect(await userHashSalt(undefined, other)).not.toBe(first);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it("two processes starting together on one data folder end with one salt", async () => {
    const salts = await Promise.all(Array.from({ length: 8 }, () => userHashSalt(undefined, dir)));
    expect(new Set(salts).size).toBe(1);
    expect((await readFile(path.join(dir, SALT_FILE), "utf8")).trim()).toBe(salts[0]);
  });

  it("uses the configured salt and writes no file; refuses a damaged salt file", async () => {
    expect(await userHashSalt("configured-salt-0123", dir)).toBe("configured-salt-0123");
    await expect(stat(path.join(dir, SALT_FILE))).rejects.toThrow();
    await writeFile(path.join(dir, SALT_FILE), "\n");
    await expect(userHashSalt(undefined, dir)).rejects.toThrow(/holds no usable salt/);
  });
});
