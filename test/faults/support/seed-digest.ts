/**
 * A database (SQLite or PostgreSQL URL), migrated as `npm start` migrates it, holding one set-up community with liked creations posted
 * yesterday (UTC) and a digest time already past today: the bot posts that digest at its first tick.
 */
import { openDatabase } from "../../../src/store/database.js";
import { createPrismaStores } from "../../../src/store/prisma/stores.js";

/**
 * `messageIds` and `likeCounts` (by author): the gallery posts as the platform has them, for tests whose start-up
 * reconciliation re-reads them; by default ids no platform knows and 5, 4, 3… likes.
 */
export async function seedDueDigest(
  databaseUrl: string,
  community: { platform: "discord" | "slack"; externalId: string; channelId: string; authors: string[]; messageIds?: string[]; likeCounts?: number[] },
): Promise<{ day: string }> {
  const db = await openDatabase(databaseUrl);
  try {
    const { communities } = createPrismaStores(db.prisma, db.dialect);
    const stored = await communities.ensureCommunity({ platform: community.platform, externalId: community.externalId });
    await communities.updateCommunity(stored.id, { galleryChannelId: community.channelId, digestTime: "00:00", timezone: "UTC" });
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    for (const [i, userId] of community.authors.entries()) {
      const member = await db.prisma.member.create({ data: { communityId: stored.id, userId } });
      const postedAt = new Date(`${day}T1${i}:00:00Z`);
      await db.prisma.creation.create({
        data: postedCreation({ communityId: stored.id, memberId: member.id, prompt: `yesterday's favourite ${i + 1}`, postedAt, channelId: community.channelId, messageId: community.messageIds?.[i] ?? `9${i}`, likeCount: community.likeCounts?.[i] ?? 5 - i }),
      });
    }
    return { day };
  } finally {
    await db.close();
  }
}

/** A creation's row as the bot leaves it once posted (medium square gpt-image-2), liked `likeCount` times. */
export function postedCreation(c: { communityId: number; memberId: number; prompt: string; postedAt: Date; channelId: string; messageId: string; likeCount: number }) {
  return {
    communityId: c.communityId,
    memberId: c.memberId,
    prompt: c.prompt,
    aspect: "square",
    quality: "medium",
    size: "1024x1024",
    model: "gpt-image-2",
    status: "posted",
    costMicroUsd: 42_000,
    day: c.postedAt.toISOString().slice(0, 10),
    createdAt: c.postedAt,
    postedAt: c.postedAt,
    galleryChannelId: c.channelId,
    galleryMessageId: c.messageId,
    galleryUrl: `https://example.invalid/posts/${c.channelId}/${c.messageId}`,
    likeCount: c.likeCount,
  };
}
