/**
 * The salt of the hashed member id OpenAI receives as `user`. Without `USER_HASH_SALT`, each installation makes its
 * own random salt once and keeps it beside its data (`DATA_DIR/user-hash-salt`, readable by the owner only), so ids
 * stay the same across restarts and no two installations share a salt.
 */
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export const SALT_FILE = "user-hash-salt";

export async function userHashSalt(configured: string | undefined, dataDir: string): Promise<string> {
  if (configured !== undefined) return configured;
  const file = path.join(dataDir, SALT_FILE);
  try {
    // `wx`: only if it does not exist yet, so two processes starting together keep one salt.
    await writeFile(file, `${randomBytes(32).toString("hex")}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const salt = (await readFile(file, "utf8")).trim();
  if (salt.length < 16) throw new Error(`${file} holds no usable salt (fewer than 16 characters): delete it to make a new one, or set USER_HASH_SALT.`);
  return salt;
}
