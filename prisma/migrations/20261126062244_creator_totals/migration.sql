-- DropIndex
DROP INDEX "Creation_communityId_status_postedAt_idx";

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Member" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "communityId" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,
    "blocked" BOOLEAN NOT NULL DEFAULT false,
    "lastServed" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "likesReceived" INTEGER NOT NULL DEFAULT 0,
    "likedPosts" INTEGER NOT NULL DEFAULT 0,
    "firstLikedPostAt" DATETIME,
    CONSTRAINT "Member_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "Community" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Member" ("blocked", "communityId", "createdAt", "id", "lastServed", "userId") SELECT "blocked", "communityId", "createdAt", "id", "lastServed", "userId" FROM "Member";
DROP TABLE "Member";
ALTER TABLE "new_Member" RENAME TO "Member";
CREATE INDEX "Member_communityId_likesReceived_idx" ON "Member"("communityId", "likesReceived");
CREATE UNIQUE INDEX "Member_communityId_userId_key" ON "Member"("communityId", "userId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Creation_communityId_status_postedAt_memberId_likeCount_idx" ON "Creation"("communityId", "status", "postedAt", "memberId", "likeCount");

-- CreateIndex
CREATE INDEX "Creation_communityId_memberId_status_likeCount_postedAt_idx" ON "Creation"("communityId", "memberId", "status", "likeCount" DESC, "postedAt");

-- Creator totals (hand-written: Prisma does not model triggers). Member's likesReceived, likedPosts and
-- firstLikedPostAt summarise the member's "liked posts": creations with status 'posted', likeCount > 0 and a
-- postedAt. The triggers keep them equal to a recomputation after every insert, update and delete of a creation,
-- whichever code path made it (recounts, deletions, /privacy forget, reconciliation). A later migration that
-- rebuilds the Creation table ("RedefineTables") drops these triggers: copy them into it.

-- Likes changed on a post that stays liked (the common case: a reaction).
CREATE TRIGGER "Creation_creatorTotals_likes" AFTER UPDATE OF "likeCount", "status", "postedAt", "memberId" ON "Creation"
WHEN OLD."status" = 'posted' AND OLD."likeCount" > 0 AND OLD."postedAt" IS NOT NULL
 AND NEW."status" = 'posted' AND NEW."likeCount" > 0 AND NEW."postedAt" IS NOT NULL
 AND OLD."memberId" = NEW."memberId" AND OLD."postedAt" = NEW."postedAt" AND OLD."likeCount" <> NEW."likeCount"
BEGIN
  UPDATE "Member" SET "likesReceived" = "likesReceived" + NEW."likeCount" - OLD."likeCount" WHERE "id" = NEW."memberId";
END;

-- A post became liked (its first like, or it was posted with likes).
CREATE TRIGGER "Creation_creatorTotals_gain" AFTER UPDATE OF "likeCount", "status", "postedAt", "memberId" ON "Creation"
WHEN NOT (OLD."status" = 'posted' AND OLD."likeCount" > 0 AND OLD."postedAt" IS NOT NULL)
 AND NEW."status" = 'posted' AND NEW."likeCount" > 0 AND NEW."postedAt" IS NOT NULL
BEGIN
  UPDATE "Member" SET
    "likesReceived" = "likesReceived" + NEW."likeCount",
    "likedPosts" = "likedPosts" + 1,
    "firstLikedPostAt" = CASE WHEN "firstLikedPostAt" IS NULL OR NEW."postedAt" < "firstLikedPostAt" THEN NEW."postedAt" ELSE "firstLikedPostAt" END
  WHERE "id" = NEW."memberId";
END;

-- A post stopped being liked (its last like went, it was deleted, its author forgotten).
CREATE TRIGGER "Creation_creatorTotals_loss" AFTER UPDATE OF "likeCount", "status", "postedAt", "memberId" ON "Creation"
WHEN OLD."status" = 'posted' AND OLD."likeCount" > 0 AND OLD."postedAt" IS NOT NULL
 AND NOT (NEW."status" = 'posted' AND NEW."likeCount" > 0 AND NEW."postedAt" IS NOT NULL)
BEGIN
  UPDATE "Member" SET
    "likesReceived" = "likesReceived" - OLD."likeCount",
    "likedPosts" = "likedPosts" - 1,
    "firstLikedPostAt" = CASE WHEN "firstLikedPostAt" < OLD."postedAt" THEN "firstLikedPostAt" ELSE (
      SELECT MIN(c."postedAt") FROM "Creation" c
      WHERE c."communityId" = "Member"."communityId" AND c."memberId" = "Member"."id" AND c."status" = 'posted' AND c."likeCount" > 0 AND c."postedAt" IS NOT NULL
    ) END
  WHERE "id" = OLD."memberId";
END;

-- A liked post changed author or post time (the app never does this; kept exact anyway).
CREATE TRIGGER "Creation_creatorTotals_move" AFTER UPDATE OF "likeCount", "status", "postedAt", "memberId" ON "Creation"
WHEN OLD."status" = 'posted' AND OLD."likeCount" > 0 AND OLD."postedAt" IS NOT NULL
 AND NEW."status" = 'posted' AND NEW."likeCount" > 0 AND NEW."postedAt" IS NOT NULL
 AND (OLD."memberId" <> NEW."memberId" OR OLD."postedAt" <> NEW."postedAt")
BEGIN
  UPDATE "Member" SET "likesReceived" = "likesReceived" - OLD."likeCount", "likedPosts" = "likedPosts" - 1 WHERE "id" = OLD."memberId";
  UPDATE "Member" SET "likesReceived" = "likesReceived" + NEW."likeCount", "likedPosts" = "likedPosts" + 1 WHERE "id" = NEW."memberId";
  UPDATE "Member" SET "firstLikedPostAt" = (
    SELECT MIN(c."postedAt") FROM "Creation" c
    WHERE c."communityId" = "Member"."communityId" AND c."memberId" = "Member"."id" AND c."status" = 'posted' AND c."likeCount" > 0 AND c."postedAt" IS NOT NULL
  ) WHERE "id" IN (OLD."memberId", NEW."memberId");
END;

CREATE TRIGGER "Creation_creatorTotals_insert" AFTER INSERT ON "Creation"
WHEN NEW."status" = 'posted' AND NEW."likeCount" > 0 AND NEW."postedAt" IS NOT NULL
BEGIN
  UPDATE "Member" SET
    "likesReceived" = "likesReceived" + NEW."likeCount",
    "likedPosts" = "likedPosts" + 1,
    "firstLikedPostAt" = CASE WHEN "firstLikedPostAt" IS NULL OR NEW."postedAt" < "firstLikedPostAt" THEN NEW."postedAt" ELSE "firstLikedPostAt" END
  WHERE "id" = NEW."memberId";
END;

CREATE TRIGGER "Creation_creatorTotals_delete" AFTER DELETE ON "Creation"
WHEN OLD."status" = 'posted' AND OLD."likeCount" > 0 AND OLD."postedAt" IS NOT NULL
BEGIN
  UPDATE "Member" SET
    "likesReceived" = "likesReceived" - OLD."likeCount",
    "likedPosts" = "likedPosts" - 1,
    "firstLikedPostAt" = CASE WHEN "firstLikedPostAt" < OLD."postedAt" THEN "firstLikedPostAt" ELSE (
      SELECT MIN(c."postedAt") FROM "Creation" c
      WHERE c."communityId" = "Member"."communityId" AND c."memberId" = "Member"."id" AND c."status" = 'posted' AND c."likeCount" > 0 AND c."postedAt" IS NOT NULL
    ) END
  WHERE "id" = OLD."memberId";
END;

-- Existing data: compute the totals once.
UPDATE "Member" SET
  "likesReceived" = COALESCE((SELECT SUM(c."likeCount") FROM "Creation" c WHERE c."communityId" = "Member"."communityId" AND c."memberId" = "Member"."id" AND c."status" = 'posted' AND c."likeCount" > 0 AND c."postedAt" IS NOT NULL), 0),
  "likedPosts" = (SELECT COUNT(*) FROM "Creation" c WHERE c."communityId" = "Member"."communityId" AND c."memberId" = "Member"."id" AND c."status" = 'posted' AND c."likeCount" > 0 AND c."postedAt" IS NOT NULL),
  "firstLikedPostAt" = (SELECT MIN(c."postedAt") FROM "Creation" c WHERE c."communityId" = "Member"."communityId" AND c."memberId" = "Member"."id" AND c."status" = 'posted' AND c."likeCount" > 0 AND c."postedAt" IS NOT NULL);
