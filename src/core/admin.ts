/** The `/salon` admin commands. Every one checks the actor's admin right and touches only the actor's community. */
import type { SalonDeps } from "./deps.js";
import { UserError } from "./errors.js";
import { usd } from "./format.js";
import { recheckChannels } from "./channel-problems.js";
import { HELD_IMAGE_DAYS, HELD_IMAGE_MS } from "./image-check.js";
import { requireSetUp } from "./imagine.js";
import { reconcileCommunity, type ReconcileDeps, type ReconcileResult } from "./likes.js";
import { parseBudgetUsd, parseDigestTime, parseTimeZone, parseWholeNumber } from "./settings-input.js";
import { localDay } from "./time.js";
import { channel, command, member } from "./words.js";
import type { Actor, Community } from "./types.js";

export function requireAdmin(actor: Actor): void {
  if (!actor.isAdmin) throw new UserError("not_admin", "Only community admins can use this command.");
}

export interface SetupInput {
  galleryChannelId: string;
  digestChannelId?: string | undefined;
  digestTime?: string | undefined;
  timezone?: string | undefined;
}

export async function setup(deps: Pick<SalonDeps, "communities" | "publishers" | "logger">, actor: Actor, input: SetupInput): Promise<string> {
  requireAdmin(actor);
  // Parse everything before writing anything: bad input changes nothing.
  const digestTime = input.digestTime === undefined ? undefined : parseDigestTime(input.digestTime);
  const timezone = input.timezone === undefined ? undefined : parseTimeZone(input.timezone);
  const community = await deps.communities.ensureCommunity(actor.community);
  const updated = await deps.communities.updateCommunity(community.id, {
    galleryChannelId: input.galleryChannelId,
    ...(input.digestChannelId === undefined ? {} : { digestChannelId: input.digestChannelId }),
    ...(digestTime === undefined ? {} : { digestTime }),
    ...(timezone === undefined ? {} : { timezone }),
    problem: null,
    digestProblem: null,
  });
  // New channels, new chances: check them now, so the admin hears of a missing permission before a member does.
  const checked = await recheckChannels(deps, updated, { onlyKnownProblems: false });
  const lines = [`Salon is set up. ${describeChannels(checked)}`, ...problemLines(checked)];
  if (!checked.problem) lines.push(`Members can now use \`${command("imagine")}\`.`);
  return lines.join("\n");
}

function problemLines(c: Community): string[] {
  return [...(c.problem ? [`⚠️ Problem: ${c.problem}`] : []), ...(c.digestProblem ? [`⚠️ Digest problem: ${c.digestProblem}`] : [])];
}

function describeChannels(c: Community): string {
  const digest = c.digestChannelId ?? c.galleryChannelId;
  return `Gallery: ${channel(c.galleryChannelId!)}. Digest: ${channel(digest!)} at ${c.digestTime} (${c.timezone}).`;
}

export async function settings(deps: Pick<SalonDeps, "communities" | "creations" | "publishers" | "logger" | "clock" | "options">, actor: Actor): Promise<string> {
  requireAdmin(actor);
  // A problem an admin fixed on the platform (a permission granted) is found fixed here, and `/imagine` works again.
  const c = await recheckChannels(deps, await requireSetUp(deps, actor), { onlyKnownProblems: true });
  const today = localDay(deps.clock.now(), c.timezone);
  const { spendTodayMicroUsd } = await deps.creations.usage(c.id, actor.userId, today);
  const lines = [
    describeChannels(c),
    `Limits: ${c.perMemberDaily} creations per member per day, ${c.cooldownSeconds} s cooldown, prompts up to ${c.maxPromptLength} characters.`,
    `Budget today: ${usd(spendTodayMicroUsd)} spent of ${usd(c.budgetMicroUsd)}, ${usd(Math.max(0, c.budgetMicroUsd - spendTodayMicroUsd))} left.`,
    `Image model: ${deps.options.imageModel}. Digest: top ${c.digestSize}.`,
    await heldLine(deps, c),
    `Likes: ${c.likeEmoji ? c.likeEmoji.join(" ") : "any emoji"}${c.allowSelfLikes ? ", self-likes count" : ", self-likes don't count"}${ageRules(c) ? `, ${ageRules(c)}` : ""}.`,
  ];
  lines.push(...problemLines(c));
  return lines.join("\n");
}

/** How many images the safety check held back over the days their files are kept for the operator. */
async function heldLine(deps: Pick<SalonDeps, "creations" | "clock">, c: Community): Promise<string> {
  const held = await deps.creations.countHeld(c.id, new Date(deps.clock.now().getTime() - HELD_IMAGE_MS));
  return `Held back by the image safety check in the last ${HELD_IMAGE_DAYS} days: ${held} ${held === 1 ? "image" : "images"} (not posted, refunded; kept ${HELD_IMAGE_DAYS} days for the operator, then deleted).`;
}

/**
 * Who likes count from under the minimum-age rules, "" when there are none: "only from members whose account is at
 * least 7 days old and who joined at least 3 days before reacting".
 */
function ageRules(c: Community): string {
  const days = (n: number) => `${n} ${n === 1 ? "day" : "days"}`;
  const rules = [
    ...(c.minAccountAgeDays > 0 ? [`whose account is at least ${days(c.minAccountAgeDays)} old`] : []),
    ...(c.minMemberAgeDays > 0 ? [`who joined at least ${days(c.minMemberAgeDays)} before reacting`] : []),
  ];
  return rules.length === 0 ? "" : `only from members ${rules.join(" and ")}`;
}

/** The longest minimum age an admin can set, in days (ten years). */
export const MAX_MIN_AGE_DAYS = 3650;

export interface LimitsInput {
  perMemberDaily?: number | string | undefined;
  budgetUsdDaily?: number | string | undefined;
  cooldownSeconds?: number | string | undefined;
  minAccountAgeDays?: number | string | undefined;
  minMemberAgeDays?: number | string | undefined;
}

export async function limits(deps: Pick<SalonDeps, "communities" | "likes">, actor: Actor, input: LimitsInput): Promise<string> {
  requireAdmin(actor);
  const c = await requireSetUp(deps, actor);
  const patch = {
    ...(input.perMemberDaily === undefined ? {} : { perMemberDaily: parseWholeNumber(input.perMemberDaily, "per_member_daily", 0, 1000) }),
    ...(input.budgetUsdDaily === undefined ? {} : { budgetMicroUsd: parseBudgetUsd(input.budgetUsdDaily) }),
    ...(input.cooldownSeconds === undefined ? {} : { cooldownSeconds: parseWholeNumber(input.cooldownSeconds, "cooldown_seconds", 0, 86_400) }),
    ...(input.minAccountAgeDays === undefined ? {} : { minAccountAgeDays: parseWholeNumber(input.minAccountAgeDays, "min_account_age_days", 0, MAX_MIN_AGE_DAYS) }),
    ...(input.minMemberAgeDays === undefined ? {} : { minMemberAgeDays: parseWholeNumber(input.minMemberAgeDays, "min_member_age_days", 0, MAX_MIN_AGE_DAYS) }),
  };
  const updated = Object.keys(patch).length === 0 ? c : await deps.communities.updateCommunity(c.id, patch);
  const lines = [`Limits: ${updated.perMemberDaily} creations per member per day, ${usd(updated.budgetMicroUsd)} per day for the community, ${updated.cooldownSeconds} s cooldown.`];
  // A rule about which likes count applies to every like already there: recount now, so every ranking agrees.
  if (updated.minAccountAgeDays !== c.minAccountAgeDays || updated.minMemberAgeDays !== c.minMemberAgeDays) {
    const changed = await deps.likes.recountCommunity(c.id);
    lines.push(`Likes count ${ageRules(updated) || "from every member"}: ${changed} like ${changed === 1 ? "count" : "counts"} changed.`);
  } else if (ageRules(updated)) {
    lines.push(`Likes count ${ageRules(updated)}.`);
  }
  return lines.join("\n");
}

export async function setBlocked(deps: Pick<SalonDeps, "communities" | "likes">, actor: Actor, userId: string, blocked: boolean): Promise<string> {
  requireAdmin(actor);
  const c = await requireSetUp(deps, actor);
  if (blocked && userId === actor.userId) throw new UserError("block_self", "You can't block yourself.");
  await deps.communities.setBlocked(c.id, userId, blocked);
  await deps.likes.recountMember(c.id, userId);
  return blocked
    ? `${member(userId)} is blocked: they can't create, and their reactions no longer count as likes.`
    : `${member(userId)} is unblocked.`;
}

export async function recount(deps: ReconcileDeps, actor: Actor): Promise<ReconcileResult> {
  requireAdmin(actor);
  return reconcileCommunity(deps, await requireSetUp(deps, actor));
}
