/** `/top` and `/profile`. Ranking everywhere: likes, most first; ties go to the earlier post. */
import type { SalonDeps } from "./deps.js";
import { requireSetUp } from "./imagine.js";
import { addDays, localDay, periodStart } from "./time.js";
import type { Actor, ProfileView, RankedCreation, RankedCreator, TopBy, TopPeriod } from "./types.js";

export const TOP_LIMIT = 10;

export type TopView =
  | { by: "creations"; period: TopPeriod; entries: RankedCreation[] }
  | { by: "creators"; period: TopPeriod; entries: RankedCreator[] };

export async function top(deps: Pick<SalonDeps, "communities" | "rankings" | "clock">, actor: Actor, period: TopPeriod = "week", by: TopBy = "creations"): Promise<TopView> {
  const community = await requireSetUp(deps, actor);
  const from = periodStart(period, deps.clock.now(), community.timezone);
  if (by === "creators") return { by, period, entries: await deps.rankings.topCreators(community.id, from, null, TOP_LIMIT) };
  return { by, period, entries: await deps.rankings.topCreations(community.id, from, null, TOP_LIMIT) };
}

export async function profile(deps: Pick<SalonDeps, "communities" | "rankings" | "clock">, actor: Actor, userId: string = actor.userId): Promise<ProfileView> {
  const community = await requireSetUp(deps, actor);
  const now = deps.clock.now();
  const [creations, remixesReceived] = await Promise.all([deps.rankings.memberCreations(community.id, userId), deps.rankings.remixesReceived(community.id, userId)]);
  const best = creations
    .filter((c) => c.likeCount > 0)
    .sort((a, b) => b.likeCount - a.likeCount || a.postedAt!.getTime() - b.postedAt!.getTime())[0];
  const week = await deps.rankings.topCreators(community.id, periodStart("week", now, community.timezone), null, 10_000);
  const weekRank = week.find((c) => c.userId === userId)?.rank ?? null;

  const days = new Set(creations.map((c) => localDay(c.postedAt!, community.timezone)));
  let day = localDay(now, community.timezone);
  if (!days.has(day)) day = addDays(day, -1); // a streak still counts until today is over
  let streakDays = 0;
  while (days.has(day)) {
    streakDays++;
    day = addDays(day, -1);
  }
  return {
    userId,
    creations: creations.length,
    likesReceived: creations.reduce((sum, c) => sum + c.likeCount, 0),
    best: best ? { url: best.galleryUrl ?? "", prompt: best.prompt, title: best.title, likeCount: best.likeCount } : null,
    weekRank,
    streakDays,
    remixesMade: creations.filter((c) => c.parentId !== null).length,
    remixesReceived,
  };
}
