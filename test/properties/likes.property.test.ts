/**
 * Likes resist farming (model-based): for any sequence of reaction events (adds, removals, duplicates, remove-all,
 * remove-emoji, bots' and authors' reactions) interleaved with blocks, unblocks and `/privacy forget`, every count the
 * bot shows equals a simple model: a like is a distinct member, not a bot, not the author, not blocked, with at least
 * one stored reaction on a post that still stands. Runs the real core over a real SQLite store (core fakes).
 *
 * Not covered: minimum account age and membership age for a like to count (needs a schema change owned elsewhere).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReactionEvent } from "../../src/core/likes.js";
import type { Creation } from "../../src/core/types.js";
import { buildSalon, type SalonHarness } from "../support/core-fakes.js";

const MEMBERS = ["u-ana", "u-ben", "u-chloe", "u-dev", "u-eve"];
const BOTS = ["b-salon", "b-other"];
const AUTHORS = ["u-ana", "u-ben", "u-chloe"]; // post i is by AUTHORS[i]
const EMOJI = ["👍", "🔥", "party:1180000000000000001"];
const GALLERY = "c-gallery";

type Action =
  | { kind: "add" | "remove"; user: string; post: number; emoji: string }
  | { kind: "bot"; user: string; post: number; emoji: string; remove: boolean }
  | { kind: "author"; post: number; emoji: string; remove: boolean }
  | { kind: "duplicate" }
  | { kind: "remove_all"; post: number }
  | { kind: "remove_emoji"; post: number; emoji: string }
  | { kind: "block" | "unblock" | "forget"; user: string };

const post = fc.integer({ min: 0, max: AUTHORS.length - 1 });
const emoji = fc.constantFrom(...EMOJI);
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant("add" as const), user: fc.constantFrom(...MEMBERS), post, emoji }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("remove" as const), user: fc.constantFrom(...MEMBERS), post, emoji }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("bot" as const), user: fc.constantFrom(...BOTS), post, emoji, remove: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("author" as const), post, emoji, remove: fc.boolean() }) },
  { weight: 4, arbitrary: fc.constant({ kind: "duplicate" as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("remove_all" as const), post }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("remove_emoji" as const), post, emoji }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("block" as const, "unblock" as const), user: fc.constantFrom(...MEMBERS) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("forget" as const), user: fc.constantFrom(...MEMBERS) }) },
);

/** What the bot should believe: stored reactions per post, who is blocked, which posts stand. */
class Model {
  readonly reactions = AUTHORS.map(() => new Set<string>());
  readonly blocked = new Set<string>();
  readonly standing = AUTHORS.map(() => true);

  apply(e: ReactionEvent, post: number): void {
    if (!this.standing[post]) return;
    const set = this.reactions[post]!;
    if (e.kind === "remove_all") {
      set.clear();
    } else if (e.kind === "remove_emoji") {
      for (const key of [...set]) if (key.endsWith(` ${e.emoji}`)) set.delete(key);
    } else if (!e.isBot) {
      if (e.kind === "add") set.add(`${e.userId} ${e.emoji}`);
      else set.delete(`${e.userId} ${e.emoji}`);
    }
  }
  forget(user: string): void {
    for (const set of this.reactions) for (const key of [...set]) if (key.startsWith(`${user} `)) set.delete(key);
    AUTHORS.forEach((author, i) => {
      if (author === user) {
        this.standing[i] = false;
        this.reactions[i]!.clear();
      }
    });
  }
  likers(post: number): Set<string> {
    if (!this.standing[post]) return new Set();
    const users = [...this.reactions[post]!].map((key) => key.split(" ")[0]!);
    return new Set(users.filter((u) => u !== AUTHORS[post] && !this.blocked.has(u)));
  }
}

let h: SalonHarness;
let run = 0;
beforeAll(async () => {
  h = await buildSalon();
});
afterAll(async () => {
  await h.cleanup();
});

/** A fresh community with one standing gallery post per author (written straight to the store: no queue needed). */
async function freshCommunity(): Promise<{ ref: string; posts: Creation[] }> {
  const ref = `guild-prop-${++run}`;
  const community = await h.setUp({ community: ref, limits: { cooldownSeconds: 0 } });
  const posts: Creation[] = [];
  for (const [i, author] of AUTHORS.entries()) {
    const created = await h.stores.creations.insertCreationWithinLimits(
      { communityId: community.id, userId: author, prompt: `post ${i}`, aspect: "square", quality: "medium", size: "1024x1024", model: "gpt-image-2", costMicroUsd: 0, day: "2026-11-25", now: h.clock.now(), statusRef: null },
      { perMemberDaily: 100, budgetMicroUsd: 1_000_000_000, cooldownMs: 0 },
    );
    if (typeof created === "string") throw new Error(created);
    await h.stores.creations.transitionCreation(created.id, ["queued"], { status: "posted", galleryChannelId: GALLERY, galleryMessageId: `${ref}-m${i}`, galleryUrl: `https://x/${ref}/${i}`, postedAt: h.clock.now() });
    posts.push(await h.creation(created.id));
  }
  return { ref, posts };
}

describe("likes resist farming (model-based)", () => {
  it("every like count equals the distinct non-bot, non-author, non-blocked members with a stored reaction, whatever the events, blocks and forgets", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 40 }), async (actions) => {
        const { ref, posts } = await freshCommunity();
        const community = await h.community(ref);
        const admin = h.actor("u-admin", { admin: true, community: ref });
        const model = new Model();
        let last = null as { event: ReactionEvent; post: number } | null;
        const send = async (event: ReactionEvent, postIndex: number) => {
          model.apply(event, postIndex);
          last = { event, post: postIndex };
          await h.salon.reaction(event);
        };
        const at = (i: number) => ({ community: h.ref(ref), channelId: GALLERY, messageId: posts[i]!.galleryMessageId! });

        for (const a of actions) {
          switch (a.kind) {
            case "add":
            case "remove":
              await send({ ...at(a.post), kind: a.kind, userId: a.user, emoji: a.emoji, isBot: false }, a.post);
              break;
            case "bot":
              await send({ ...at(a.post), kind: a.remove ? "remove" : "add", userId: a.user, emoji: a.emoji, isBot: true }, a.post);
              break;
            case "author":
              await send({ ...at(a.post), kind: a.remove ? "remove" : "add", userId: AUTHORS[a.post]!, emoji: a.emoji, isBot: false }, a.post);
              break;
            case "duplicate":
              if (last) await send(last.event, last.post);
              break;
            case "remove_all":
              await send({ ...at(a.post), kind: "remove_all" }, a.post);
              break;
            case "remove_emoji":
              await send({ ...at(a.post), kind: "remove_emoji", emoji: a.emoji }, a.post);
              break;
            case "block":
            case "unblock":
              await (a.kind === "block" ? h.salon.block(admin, a.user) : h.salon.unblock(admin, a.user));
              if (a.kind === "block") model.blocked.add(a.user);
              else model.blocked.delete(a.user);
              break;
            case "forget":
              await h.salon.forget(h.actor(a.user, { community: ref }));
              model.forget(a.user);
              break;
          }
        }

        // Every count the bot shows, against the model.
        for (const [i, p] of posts.entries()) {
          const stored = await h.creation(p.id);
          expect(stored.status, `post ${i}`).toBe(model.standing[i] ? "posted" : "deleted");
          expect(stored.likeCount, `likes of post ${i}`).toBe(model.likers(i).size);
        }
        const allLikers = new Set(posts.flatMap((_, i) => [...model.likers(i)]));
        const day = { from: new Date(h.clock.now().getTime() - 86_400_000), to: new Date(h.clock.now().getTime() + 1) };
        expect(await h.stores.rankings.windowStats(community.id, day.from, day.to)).toEqual({ creations: model.standing.filter(Boolean).length, likers: allLikers.size });
        const creators = await h.stores.rankings.topCreators(community.id, null, null, 100);
        const expectedCreators = AUTHORS.map((author, i) => ({ author, likes: model.likers(i).size })).filter((c) => c.likes > 0);
        expect(Object.fromEntries(creators.map((c) => [c.userId, c.likeCount]))).toEqual(Object.fromEntries(expectedCreators.map((c) => [c.author, c.likes])));
        for (const [i, author] of AUTHORS.entries()) {
          expect((await h.salon.profile(h.actor(author, { community: ref }))).likesReceived, `profile of ${author}`).toBe(model.likers(i).size);
        }
        // Nothing of bots is ever stored; nothing of a forgotten member is left.
        for (const bot of BOTS) expect((await h.stores.privacy.exportMember(community.id, bot)).reactions).toEqual([]);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
