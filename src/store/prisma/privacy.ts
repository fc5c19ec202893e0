/** The {@link PrivacyStore} over Prisma: one member's data, exported or forgotten, with every like count kept right. */
import type { ForgetResult, MemberExport, PrivacyStore } from "../../core/store/privacy.js";
import type { PrismaClient } from "../generated/client.js";
import { toCreation } from "../mappers.js";
import type { PrismaLikeStore } from "./likes.js";

/** What an export tells of each creation, in this order. */
const EXPORTED = ["id", "prompt", "aspect", "quality", "size", "model", "status", "costMicroUsd", "createdAt", "postedAt", "galleryUrl", "likeCount", "imageHash"] as const satisfies ReadonlyArray<keyof MemberExport["creations"][number]>;

export class PrismaPrivacyStore implements PrivacyStore {
  constructor(
    private readonly prisma: PrismaClient,
    /** Recounts go through the likes' own recounts, so they stay in order with the reaction writes. */
    private readonly likes: PrismaLikeStore,
  ) {}

  async exportMember(communityId: number, userId: string): Promise<MemberExport> {
    const member = await this.prisma.member.findUnique({
      where: { communityId_userId: { communityId, userId } },
      include: {
        creations: { orderBy: { id: "asc" } },
        reactions: { include: { creation: { select: { galleryUrl: true } } }, orderBy: [{ creationId: "asc" }, { emoji: "asc" }] },
        forgottenReactions: { include: { creation: { select: { galleryUrl: true } } }, orderBy: [{ creationId: "asc" }, { emoji: "asc" }] },
      },
    });
    return {
      userId,
      blocked: member?.blocked ?? false,
      accountCreatedAt: member?.accountCreatedAt ?? null,
      joinedAt: member?.joinedAt ?? null,
      creations: (member?.creations ?? []).map((row) => {
        const creation = toCreation({ ...row, member: { userId } });
        return Object.fromEntries(EXPORTED.map((field) => [field, creation[field]])) as MemberExport["creations"][number];
      }),
      reactions: (member?.reactions ?? []).map((r) => ({ creationId: r.creationId, emoji: r.emoji, galleryUrl: r.creation.galleryUrl, reactedAt: r.reactedAt })),
      forgottenReactions: (member?.forgottenReactions ?? []).map((r) => ({ creationId: r.creationId, emoji: r.emoji, galleryUrl: r.creation.galleryUrl })),
    };
  }

  async forgetMember(communityId: number, userId: string): Promise<ForgetResult> {
    const member = await this.prisma.member.findUnique({ where: { communityId_userId: { communityId, userId } } });
    if (!member) return { imageHashes: [], posts: [], reactionsLeft: 0 };
    const reactedTo = await this.likes.creationsReactedBy(communityId, userId);
    // In id order: the posts and images to remove come back the same on every database.
    const creations = await this.prisma.creation.findMany({ where: { memberId: member.id }, orderBy: { id: "asc" } });
    await this.prisma.$transaction([
      // Their reactions on others' posts stay on the platform: remember not to read them back.
      this.prisma.$executeRaw`
        INSERT INTO "ForgottenReaction" ("creationId", "memberId", "emoji")
        SELECT r."creationId", r."memberId", r."emoji" FROM "Reaction" r JOIN "Creation" c ON c."id" = r."creationId"
        WHERE r."memberId" = ${member.id} AND c."memberId" <> ${member.id}
        ON CONFLICT DO NOTHING`,
      this.prisma.reaction.deleteMany({ where: { memberId: member.id } }),
      this.prisma.reaction.deleteMany({ where: { creation: { memberId: member.id } } }),
      // Rows stay (with no prompt, image or post) so the day's spend stays what was really spent.
      this.prisma.creation.updateMany({
        where: { memberId: member.id },
        data: { prompt: "", title: null, altText: null, imageHash: null, galleryUrl: null, statusRef: null, likeCount: 0, error: null },
      }),
      this.prisma.creation.updateMany({
        where: { memberId: member.id, status: { in: ["posted", "posting", "generating", "queued"] } },
        data: { status: "deleted" },
      }),
      // What they made so far is "a former member's" where it is still shown (digests, once edited).
      this.prisma.member.update({ where: { id: member.id }, data: { forgottenAt: new Date() } }),
    ]);
    for (const id of reactedTo) await this.likes.recountLikes(id);
    const hashes = creations.map((c) => c.imageHash).filter((h): h is string => h !== null);
    const stillUsed = await this.prisma.creation.findMany({ where: { imageHash: { in: hashes } }, select: { imageHash: true } });
    const used = new Set(stillUsed.map((c) => c.imageHash));
    return {
      reactionsLeft: await this.prisma.forgottenReaction.count({ where: { memberId: member.id } }),
      imageHashes: [...new Set(hashes)].filter((h) => !used.has(h)),
      posts: creations
        .filter((c) => c.galleryChannelId && c.galleryMessageId)
        .map((c) => ({ channelId: c.galleryChannelId!, messageId: c.galleryMessageId! })),
    };
  }
}
