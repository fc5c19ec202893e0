/**
 * `npm run demo`: the real bot (discord.js, openai SDK, Prisma, the digest code) against a loopback Discord and a
 * loopback OpenAI, with no account and no network. A small community plays one day — members create and react —
 * then the clock moves to the next morning and the digest is published. The digest is printed and its collage is
 * written to demo-output/.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { MovableClock } from "../support/movable-clock.js";
import { addCommunity, command, createPost, startHarness } from "../support/harness.js";

const started = performance.now();
const say = (line: string) => console.log(line);
const yesterday = new Date(Date.now() - 86_400_000);
yesterday.setUTCHours(10, 0, 0, 0);
const clock = new MovableClock(yesterday);

say("Starting Salon against a loopback Discord and a loopback OpenAI…");
const h = await startHarness({ clock, env: { RECONCILE_DAYS: "0" } });
try {
  const c = await addCommunity(h, "Demo Salon", ["ana", "ben", "chloe", "dev", "eli"]);
  const [ana, ben, chloe, dev, eli] = c.members as [typeof c.members[0], typeof c.members[0], typeof c.members[0], typeof c.members[0], typeof c.members[0]];
  const name = new Map(c.members.map((m) => [m.id, m.username]));
  say(`Guild "${c.guild.name}" set up by its admin: gallery #${c.gallery.name}, digest at 09:00 UTC.\n`);

  const plays: Array<[typeof ana, string]> = [
    [ana, "a lighthouse at dawn, oil on canvas"],
    [ben, "a fox made of autumn leaves"],
    [chloe, "a tiny robot watering a bonsai"],
    [dev, "a city skyline reflected in a raindrop"],
    [ana, "a whale swimming through clouds"],
  ];
  const posts = [];
  for (const [member, prompt] of plays) {
    const post = await createPost(h, c, member, prompt);
    posts.push(post);
    say(`${member.username.padEnd(6)} /imagine "${prompt}" → posted to #gallery (${post.attachments[0]!.filename}, ${post.attachments[0]!.size} bytes)`);
    clock.advance(45_000); // past the 30 s cooldown
  }

  const reactions: Array<[number, typeof ana, string]> = [
    [0, ben, "😍"], [0, chloe, "🔥"], [0, dev, "👍"], [0, eli, "👍"], [0, eli, "🔥"],
    [1, ana, "🦊"], [1, chloe, "👍"], [1, dev, "👍"],
    [2, ana, "🤖"], [2, ben, "❤️"], [2, dev, "❤️"], [2, chloe, "👍"], // chloe's own reaction: not a like
    [3, eli, "🌧️"],
    [4, ben, "🐋"], [4, chloe, "🐋"], [4, dev, "🐋"],
  ];
  for (const [index, member, emoji] of reactions) h.discord.react(c.gallery.id, posts[index]!.id, member.id, emoji);
  say(`\n${reactions.length} reactions from the community (one is an author's own: it does not count).`);
  await new Promise((r) => setTimeout(r, 500));

  say(`\n/top period:today, as ana sees it:\n${await command(h, c, ana, "top", [{ type: 3, name: "period", value: "today" }])}`);

  const morning = new Date(yesterday.getTime() + 86_400_000);
  morning.setUTCHours(9, 0, 30, 0);
  clock.set(morning);
  say(`\nThe clock moves to ${morning.toISOString()}: the scheduler's tick publishes yesterday's digest.`);
  const posted = await h.running.salon.publishDueDigests();
  const again = await h.running.salon.publishDueDigests();
  const digest = h.discord.messages(c.gallery.id).find((m) => m.content.includes("Salon digest"));
  if (!digest) throw new Error("the digest was not posted");
  const collage = digest.attachments[0];
  const outDir = path.resolve("demo-output");
  await mkdir(outDir, { recursive: true });
  if (collage) await writeFile(path.join(outDir, collage.filename), collage.bytes);
  const readable = digest.content.replace(/<@(\d+)>/g, (_, id: string) => `@${name.get(id) ?? id}`);
  say(`\n──── #${c.gallery.name} ────\n${readable}\n────────────────`);
  say(`Digests posted by the first tick: ${posted}; by a second tick: ${again} (exactly once).`);
  if (collage) say(`Collage: ${path.join(outDir, collage.filename)} (${collage.width}×${collage.height}, ${collage.contentType})`);
  say(`\nDemo finished in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
} finally {
  await h.close();
}
