/** Rows of the generated client → the core's plain types, and the core's patches → the client's inputs. */
import type { CreationPatch } from "../core/store/creations.js";
import type { Community, Creation } from "../core/types.js";
import type * as db from "./generated/client.js";

/** What a creation row is read with: its author's user id, for {@link toCreation}. */
export const withAuthor = { member: { select: { userId: true } } } as const;

/** A patch as Prisma writes it: a spend is added to what the creation already spent. */
export function creationData(patch: CreationPatch): db.Prisma.CreationUpdateManyMutationInput {
  const { spend, ...rest } = patch;
  return spend === undefined ? rest : { ...rest, spentMicroUsd: { increment: spend } };
}

export function toCommunity(row: db.Community): Community {
  return {
    id: row.id,
    platform: row.platform as Community["platform"],
    externalId: row.externalId,
    galleryChannelId: row.galleryChannelId,
    digestChannelId: row.digestChannelId,
    digestTime: row.digestTime,
    timezone: row.timezone,
    perMemberDaily: row.perMemberDaily,
    budgetMicroUsd: row.budgetMicroUsd,
    cooldownSeconds: row.cooldownSeconds,
    digestSize: row.digestSize,
    maxPromptLength: row.maxPromptLength,
    likeEmoji: row.likeEmoji === null ? null : (JSON.parse(row.likeEmoji) as string[]),
    allowSelfLikes: row.allowSelfLikes,
    minAccountAgeDays: row.minAccountAgeDays,
    minMemberAgeDays: row.minMemberAgeDays,
    problem: row.problem,
    digestProblem: row.digestProblem,
  };
}

export function toCreation(row: db.Creation & { member: { userId: string } }): Creation {
  return {
    id: row.id,
    communityId: row.communityId,
    authorUserId: row.member.userId,
    prompt: row.prompt,
    aspect: row.aspect as Creation["aspect"],
    quality: row.quality as Creation["quality"],
    size: row.size as Creation["size"],
    model: row.model,
    status: row.status as Creation["status"],
    costMicroUsd: row.costMicroUsd,
    day: row.day,
    createdAt: row.createdAt,
    imageHash: row.imageHash,
    galleryChannelId: row.galleryChannelId,
    galleryMessageId: row.galleryMessageId,
    galleryUrl: row.galleryUrl,
    postedAt: row.postedAt,
    likeCount: row.likeCount,
    error: row.error,
    attempts: row.attempts,
    rateLimitedWaits: row.rateLimitedWaits,
    statusRef: row.statusRef,
    imageChecked: row.imageChecked,
    heldUntil: row.heldUntil,
    parentId: row.parentId,
    rootId: row.rootId,
    depth: row.depth,
    title: row.title,
    altText: row.altText,
  };
}
