/**
 * Two Salon processes on one PostgreSQL database with different DATA_DIRs, as on two hosts: the images live where
 * both read them (the database by default, or a bucket), so the second takes over a job the first stored the image of and was
 * SIGKILLed before posting, posts that image without paying OpenAI again, and renders the digest's collage from it.
 */
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PermissionFlagsBits } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import { startLoopbackS3, type LoopbackS3 } from "../support/s3/loopback-s3.js";
import { until } from "../support/salon-process.js";
import { botTestsOnPostgres, databaseRows } from "../support/test-database.js";
import { discordWorld, type DiscordWorld } from "./support/discord-world.js";

let w: DiscordWorld | undefined;
let otherHost: string | undefined;
let s3: LoopbackS3 | null = null;
afterEach(async () => {
  await w?.close();
  await s3?.close();
  s3 = null;
  if (otherHost) await rm(otherHost, { recursive: true, force: true });
  w = undefined;
});

describe.skipIf(!botTestsOnPostgres()).each(["database", "bucket"] as const)("a job taken over on another host, images in the %s", (store) => {
  it("is posted from the shared image store, with one image request, and the collage renders there too", async () => {
    s3 = store === "bucket" ? await startLoopbackS3() : null;
    w = await discordWorld({ env: s3?.env("hosts") ?? {} });
    const [ana, ben] = w.members;
    const first = await w.boot();
    await w.setUp();
    const gallery = new RegExp(`^/channels/${w.gallery.id}/messages$`);
    const held = w.discord.hold({ method: "POST", pathPattern: gallery, phase: "before" });
    const handle = w.imagine(ana!, "made on host A");
    await held.arrived;
    const [stored] = await w.creations();
    expect(stored).toMatchObject({ status: "posting", imageHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    if (s3) expect(s3.requests.filter((r) => r.method === "PUT" && r.status === 200).map((r) => r.path)).toEqual([expect.stringContaining(`/hosts/${stored!.imageHash}`)]);
    else expect(await databaseRows(w.databaseUrl, `SELECT "hash" FROM "StoredImage"`)).toEqual([{ hash: stored!.imageHash }]);

    await first.crash();
    held.release(); // Discord never saw the dropped request
    otherHost = await mkdtemp(path.join(tmpdir(), "salon-host-b-"));
    const second = await w.boot({ DATA_DIR: otherHost });

    const [posted] = await until(async () => {
      const rows = await w!.creations();
      return rows[0]?.status === "posted" && rows;
    }, "host B to post it", 30_000);
    const posts = w.postsOf("made on host A");
    expect(posts).toHaveLength(1);
    expect(posted!.galleryMessageId).toBe(posts[0]!.id);
    expect(w.openai.imageRequests).toHaveLength(1);
    await handle.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
    expect(second.logs().some((l) => l.msg === "image store chosen" && l.imageStore === store)).toBe(true);

    // The digest's collage, on host B, from the image host A made.
    w.discord.react(w.gallery.id, posts[0]!.id, ben!.id, "👍");
    await until(async () => (await databaseRows<{ likeCount: number }>(w!.databaseUrl, `SELECT "likeCount" FROM "Creation"`))[0]?.likeCount === 1, "the like");
    const preview = await w.discord
      .slashCommand({
        guildId: w.guild.id, channelId: w.gallery.id, userId: w.admin.id, name: "salon", permissions: PermissionFlagsBits.ManageGuild,
        options: [{ type: 1, name: "digest", options: [{ type: 3, name: "day", value: "today" }] }],
      })
      .waitFor((m) => m.content.includes("Preview"), 10_000);
    expect(preview.attachments).toHaveLength(1);
    // Nothing of it was ever kept in host B's own folder.
    expect((await readdir(otherHost)).filter((name) => name === "images")).toEqual([]);
  }, 90_000);
});
