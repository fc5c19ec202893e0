/**
 * The like count of a creation as SQL, one expression for every recount (and the age rule the day's likers share):
 * distinct members, not blocked, not the author unless the community allows self-likes, with an allowed emoji when
 * the community restricts them, and old enough when it sets minimum ages.
 */
import type { Dialect } from "../dialects/dialect.js";
import { Prisma } from "../generated/client.js";

/**
 * The like count of the creation `c` as an SQL expression, by its community's rules. The community's age rules choose
 * between two counts in the statement itself: SQLite runs only the branch taken, so a community without them counts
 * from the reactions' index alone (naming `reactedAt` anywhere in the count would make SQLite read every reaction's
 * row), and a rule another process has just set applies at once.
 */
export function likeCountOf(dialect: Dialect, c: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`CASE WHEN (SELECT "minAccountAgeDays" > 0 OR "minMemberAgeDays" > 0 FROM "Community" WHERE "id" = ${c}."communityId")
    THEN ${countLikes(dialect, c, true)} ELSE ${countLikes(dialect, c, false)} END`;
}

/**
 * Distinct members, not blocked, not the author unless the community allows self-likes, with an allowed emoji when the
 * community restricts them, and, when `ageRules`, old enough. The blocked members are one indexed lookup per statement
 * (usually empty) rather than a join per reaction.
 */
function countLikes(dialect: Dialect, c: Prisma.Sql, ageRules: boolean): Prisma.Sql {
  return Prisma.sql`(
    SELECT COUNT(DISTINCT r."memberId")
      FROM "Reaction" r JOIN "Community" k ON k."id" = ${c}."communityId"
     WHERE r."creationId" = ${c}."id"
       AND r."memberId" NOT IN (SELECT "id" FROM "Member" WHERE ${dialect.isTrue(Prisma.raw('"blocked"'))})
       AND (k."allowSelfLikes" OR r."memberId" <> ${c}."memberId")
       AND (k."likeEmoji" IS NULL OR r."emoji" IN (${dialect.jsonStrings(Prisma.raw('k."likeEmoji"'))}))
       ${ageRules ? Prisma.sql`AND ${oldEnough(dialect, Prisma.raw("r"), c, Prisma.raw('k."minAccountAgeDays"'), Prisma.raw('k."minMemberAgeDays"'))}` : Prisma.empty})`;
}

/**
 * The minimum-age rules (`Community.minAccountAgeDays`, `minMemberAgeDays`), as a condition on a reaction `r` of a
 * creation `c`: true when the reaction counts. A reaction counts unless, when it was seen (or, for rows from before
 * that was recorded, when the post was made), the member's account or membership was younger than the minimum; a date
 * the platform never told counts as old enough. Used only where some minimum is set.
 */
export function oldEnough(dialect: Dialect, r: Prisma.Sql, c: Prisma.Sql, minAccountDays: Prisma.Sql | number, minMemberDays: Prisma.Sql | number): Prisma.Sql {
  const when = Prisma.sql`COALESCE(${r}."reactedAt", ${c}."postedAt")`;
  return Prisma.sql`NOT EXISTS (
    SELECT 1 FROM "Member" m WHERE m."id" = ${r}."memberId" AND (
      (${minAccountDays} > 0 AND ${dialect.lessThanDaysAfter(when, Prisma.raw('m."accountCreatedAt"'), minAccountDays)})
      OR (${minMemberDays} > 0 AND ${dialect.lessThanDaysAfter(when, Prisma.raw('m."joinedAt"'), minMemberDays)})))`;
}
