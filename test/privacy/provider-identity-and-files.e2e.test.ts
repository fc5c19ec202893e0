/**
 * What leaves the bot about a member, end to end on both platforms: OpenAI receives a salted hash of the member as
 * `user` (stable per member and community, different across members and communities) and never a raw platform id;
 * and no file name the bot stores or uploads comes from what a member typed (prompts that look like paths included).
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { FakeUser } from "../support/discord/types.js";
import { addCommunity, adminCommand, createPost, startHarness, type Harness } from "../support/harness.js";
import type { FakeSlackUser } from "../support/slack/types.js";
import { addSlackCommunity, createSlackPost, startSlackHarness, type SlackHarness } from "../support/slack-harness.js";
import { databaseRows } from "../support/test-database.js";

const SALT = "a-long-operator-salt-0f3c9";
/** Prompts that would escape a directory, or name a file, if a file name were ever built from them. */
const PATH_PROMPTS = ["../../../../etc/passwd", "..\\..\\windows\\system32\\config", "/tmp/salon-owned.png", "CON", "name.png", "%2e%2e%2fsecret", "images/aa/../../salon.db"];

let open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of open) await o.close();
  open = [];
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

/**
 * Only the database and content-addressed images, each named by the SHA-256 of its own bytes: files in the data
 * directory on SQLite, rows of the image store on PostgreSQL (which leaves no file there).
 */
async function expectContentAddressedOnly(dataDir: string, databaseUrl: string): Promise<void> {
  const files = await filesUnder(dataDir);
  if (!databaseUrl.startsWith("file:")) {
    expect(files).toEqual([]);
    const stored = await databaseRows<{ hash: string; bytes: Buffer }>(databaseUrl, `SELECT "hash", "bytes" FROM "StoredImage"`);
    for (const image of stored) expect(createHash("sha256").update(image.bytes).digest("hex")).toBe(image.hash);
    expect(stored.length).toBeGreaterThan(0);
    return;
  }
  for (const file of files) {
    if (/^salon\.db(-wal|-shm|-journal)?$/.test(file)) continue;
    const match = /^images\/([0-9a-f]{2})\/([0-9a-f]{64})\.(png|jpg)$/.exec(file);
    expect(match, `unexpected file ${file}`).not.toBeNull();
    expect(match![2]!.slice(0, 2)).toBe(match![1]);
    expect(createHash("sha256").update(await readFile(path.join(dataDir, file))).digest("hex")).toBe(match![2]);
  }
  expect(files.some((f) => f.startsWith("images/"))).toBe(true);
}

function expectHashedUsers(bodies: Array<Record<string, unknown>>, rawIds: string[], byAuthor: Map<string, string[]>): void {
  for (const body of bodies) {
    expect(body.user).toMatch(/^[0-9a-f]{32}$/);
    for (const id of rawIds) expect(JSON.stringify(body)).not.toContain(id);
  }
  // Stable per (community, member); different for every other pair.
  const perKey = new Map<string, Set<string>>();
  for (const [key, users] of byAuthor) perKey.set(key, new Set(users));
  for (const users of perKey.values()) expect(users.size).toBe(1);
  const all = [...perKey.values()].map((s) => [...s][0]);
  expect(new Set(all).size).toBe(all.length);
}

describe("what OpenAI learns about members, and where files come from", () => {
  it("Discord: sends a salted hash as `user`, the same for a member's creations, different across members and servers, never a raw id; stores and uploads only content-addressed or numbered files", async () => {
    const h: Harness = await startHarness({ env: { USER_HASH_SALT: SALT } });
    open.push(h);
    const one = await addCommunity(h, "One", ["ana", "ben"]);
    const two = await addCommunity(h, "Two", ["zed"]);
    const [ana, ben] = one.members as [FakeUser, FakeUser];
    h.discord.addMember(two.guild.id, ana.id);
    for (const c of [one, two]) await adminCommand(h, c, "limits", [{ type: 4, name: "cooldown_seconds", value: 0 }]);

    const byAuthor = new Map<string, string[]>();
    const create = async (c: typeof one, user: FakeUser, prompt: string) => {
      const before = h.openai.imageRequests.length;
      await createPost(h, c, user, prompt);
      const body = h.openai.imageRequests[before]!.body as { user: string };
      const key = `${c.guild.id}:${user.id}`;
      byAuthor.set(key, [...(byAuthor.get(key) ?? []), body.user]);
    };
    await create(one, ana, PATH_PROMPTS[0]!);
    await create(one, ana, PATH_PROMPTS[1]!);
    await create(one, ben, PATH_PROMPTS[2]!);
    await create(two, ana, PATH_PROMPTS[3]!);
    await create(two, two.members[0]!, PATH_PROMPTS[4]!);

    const rawIds = [ana.id, ben.id, two.members[0]!.id, one.guild.id, two.guild.id, SALT];
    expectHashedUsers(h.openai.imageRequests.map((r) => r.body as Record<string, unknown>), rawIds, byAuthor);
    for (const r of h.openai.moderationRequests) for (const id of rawIds) expect(JSON.stringify(r.body)).not.toContain(id);
    // ana's id differs between the two servers: a provider can't link her across communities.
    expect(byAuthor.get(`${one.guild.id}:${ana.id}`)![0]).not.toBe(byAuthor.get(`${two.guild.id}:${ana.id}`)![0]);

    await expectContentAddressedOnly(h.dataDir, h.config.database.url);
    const uploads = h.discord.requests.flatMap((r) => r.files.map((f) => f.filename));
    expect(uploads.length).toBeGreaterThanOrEqual(5);
    for (const name of uploads) expect(name).toMatch(/^salon-(\d+|digest-\d{4}-\d\d-\d\d|digest-preview)\.(png|jpg)$/);
  }, 60_000);

  it("Slack: sends a salted hash as `user`, never a raw id; stores and uploads only content-addressed or numbered files", async () => {
    const h: SlackHarness = await startSlackHarness({ env: { USER_HASH_SALT: SALT } });
    open.push(h);
    const c = await addSlackCommunity(h, ["ana", "ben"]);
    const [ana, ben] = c.members as [FakeSlackUser, FakeSlackUser];
    const limits = await h.slack.slashCommand({ command: "/salon", text: "limits cooldown_seconds=0", userId: c.admin.id, channelId: c.gallery.id });
    await limits.waitForResponse();

    const byAuthor = new Map<string, string[]>();
    for (const [user, prompt] of [[ana, PATH_PROMPTS[5]!], [ana, PATH_PROMPTS[6]!], [ben, PATH_PROMPTS[0]!]] as const) {
      const before = h.openai.imageRequests.length;
      await createSlackPost(h, c, user, prompt);
      const key = `${h.slack.teamId}:${user.id}`;
      byAuthor.set(key, [...(byAuthor.get(key) ?? []), (h.openai.imageRequests[before]!.body as { user: string }).user]);
    }
    expectHashedUsers(h.openai.imageRequests.map((r) => r.body as Record<string, unknown>), [ana.id, ben.id, h.slack.teamId, SALT], byAuthor);

    const dataDir = h.config.dataDir;
    await expectContentAddressedOnly(dataDir, h.config.database.url);
    const names = h.slack.callsTo("files.getUploadURLExternal").map((call) => String(call.args.filename));
    expect(names).toHaveLength(3);
    for (const name of names) expect(name).toMatch(/^salon-\d+\.(png|jpg)$/);
  }, 60_000);
});
