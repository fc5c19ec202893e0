/** Rows of the generated client → the core's plain types. */
import type { Community, Creation } from "../core/types.js";
import type * as db from "./generated/client.js";

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
  };
}
