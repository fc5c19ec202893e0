-- PostgreSQL's first migration: the schema SQLite's migrations reach through 20261201213512_edges_spend_removals_digest_entries
-- (written by `npm run db:migration` from the derived schema), plus the creator-totals trigger below, ported by hand.

-- CreateTable
CREATE TABLE "Community" (
    "id" SERIAL NOT NULL,
    "platform" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "galleryChannelId" TEXT,
    "digestChannelId" TEXT,
    "digestTime" TEXT NOT NULL DEFAULT '09:00',
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "perMemberDaily" INTEGER NOT NULL DEFAULT 10,
    "budgetMicroUsd" INTEGER NOT NULL DEFAULT 5000000,
    "cooldownSeconds" INTEGER NOT NULL DEFAULT 30,
    "digestSize" INTEGER NOT NULL DEFAULT 5,
    "maxPromptLength" INTEGER NOT NULL DEFAULT 1000,
    "likeEmoji" TEXT,
    "allowSelfLikes" BOOLEAN NOT NULL DEFAULT false,
    "minAccountAgeDays" INTEGER NOT NULL DEFAULT 0,
    "minMemberAgeDays" INTEGER NOT NULL DEFAULT 0,
    "problem" TEXT,
    "digestProblem" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Community_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Member" (
    "id" SERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,
    "blocked" BOOLEAN NOT NULL DEFAULT false,
    "lastServed" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "accountCreatedAt" TIMESTAMP(3),
    "joinedAt" TIMESTAMP(3),
    "likesReceived" INTEGER NOT NULL DEFAULT 0,
    "likedPosts" INTEGER NOT NULL DEFAULT 0,
    "firstLikedPostAt" TIMESTAMP(3),
    "forgottenAt" TIMESTAMP(3),

    CONSTRAINT "Member_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Creation" (
    "id" SERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "prompt" TEXT NOT NULL,
    "aspect" TEXT NOT NULL,
    "quality" TEXT NOT NULL,
    "size" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "costMicroUsd" INTEGER NOT NULL,
    "day" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "notBefore" TIMESTAMP(3),
    "error" TEXT,
    "imageHash" TEXT,
    "galleryChannelId" TEXT,
    "galleryMessageId" TEXT,
    "galleryUrl" TEXT,
    "postedAt" TIMESTAMP(3),
    "likeCount" INTEGER NOT NULL DEFAULT 0,
    "statusRef" TEXT,
    "claimedBy" TEXT,
    "claimedUntil" TIMESTAMP(3),
    "spentMicroUsd" INTEGER NOT NULL DEFAULT 0,
    "rateLimitedWaits" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Creation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Reaction" (
    "creationId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "emoji" TEXT NOT NULL,
    "reactedAt" TIMESTAMP(3),

    CONSTRAINT "Reaction_pkey" PRIMARY KEY ("creationId","memberId","emoji")
);

-- CreateTable
CREATE TABLE "ForgottenReaction" (
    "creationId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "emoji" TEXT NOT NULL,

    CONSTRAINT "ForgottenReaction_pkey" PRIMARY KEY ("creationId","memberId","emoji")
);

-- CreateTable
CREATE TABLE "ReactionRemoval" (
    "creationId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "emoji" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReactionRemoval_pkey" PRIMARY KEY ("creationId","memberId","emoji")
);

-- CreateTable
CREATE TABLE "Digest" (
    "id" SERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "day" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "claimedBy" TEXT,
    "claimedAt" TIMESTAMP(3),
    "channelId" TEXT,
    "messageId" TEXT,
    "postedAt" TIMESTAMP(3),
    "entries" INTEGER NOT NULL DEFAULT 0,
    "summary" TEXT,

    CONSTRAINT "Digest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DigestEntry" (
    "digestId" INTEGER NOT NULL,
    "rank" INTEGER NOT NULL,
    "creationId" INTEGER NOT NULL,
    "likeCount" INTEGER NOT NULL,

    CONSTRAINT "DigestEntry_pkey" PRIMARY KEY ("digestId","rank")
);

-- CreateTable
CREATE TABLE "InboundEvent" (
    "key" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "InboundEvent_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "Community_platform_externalId_key" ON "Community"("platform", "externalId");

-- CreateIndex
CREATE INDEX "Member_communityId_likesReceived_idx" ON "Member"("communityId", "likesReceived");

-- CreateIndex
CREATE INDEX "Member_blocked_idx" ON "Member"("blocked");

-- CreateIndex
CREATE UNIQUE INDEX "Member_communityId_userId_key" ON "Member"("communityId", "userId");

-- CreateIndex
CREATE INDEX "Creation_status_notBefore_idx" ON "Creation"("status", "notBefore");

-- CreateIndex
CREATE INDEX "Creation_communityId_memberId_day_idx" ON "Creation"("communityId", "memberId", "day");

-- CreateIndex
CREATE INDEX "Creation_communityId_day_idx" ON "Creation"("communityId", "day");

-- CreateIndex
CREATE INDEX "Creation_communityId_status_postedAt_memberId_likeCount_idx" ON "Creation"("communityId", "status", "postedAt", "memberId", "likeCount");

-- CreateIndex
CREATE INDEX "Creation_communityId_status_likeCount_idx" ON "Creation"("communityId", "status", "likeCount");

-- CreateIndex
CREATE INDEX "Creation_communityId_memberId_status_likeCount_postedAt_idx" ON "Creation"("communityId", "memberId", "status", "likeCount" DESC, "postedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Creation_communityId_galleryChannelId_galleryMessageId_key" ON "Creation"("communityId", "galleryChannelId", "galleryMessageId");

-- CreateIndex
CREATE INDEX "Reaction_memberId_idx" ON "Reaction"("memberId");

-- CreateIndex
CREATE INDEX "ForgottenReaction_memberId_idx" ON "ForgottenReaction"("memberId");

-- CreateIndex
CREATE INDEX "ReactionRemoval_at_idx" ON "ReactionRemoval"("at");

-- CreateIndex
CREATE UNIQUE INDEX "Digest_communityId_day_key" ON "Digest"("communityId", "day");

-- CreateIndex
CREATE INDEX "DigestEntry_creationId_idx" ON "DigestEntry"("creationId");

-- CreateIndex
CREATE INDEX "InboundEvent_at_idx" ON "InboundEvent"("at");

-- AddForeignKey
ALTER TABLE "Member" ADD CONSTRAINT "Member_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "Community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Creation" ADD CONSTRAINT "Creation_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "Community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Creation" ADD CONSTRAINT "Creation_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Reaction" ADD CONSTRAINT "Reaction_creationId_fkey" FOREIGN KEY ("creationId") REFERENCES "Creation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Reaction" ADD CONSTRAINT "Reaction_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ForgottenReaction" ADD CONSTRAINT "ForgottenReaction_creationId_fkey" FOREIGN KEY ("creationId") REFERENCES "Creation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ForgottenReaction" ADD CONSTRAINT "ForgottenReaction_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ReactionRemoval" ADD CONSTRAINT "ReactionRemoval_creationId_fkey" FOREIGN KEY ("creationId") REFERENCES "Creation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Digest" ADD CONSTRAINT "Digest_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "Community"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DigestEntry" ADD CONSTRAINT "DigestEntry_digestId_fkey" FOREIGN KEY ("digestId") REFERENCES "Digest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DigestEntry" ADD CONSTRAINT "DigestEntry_creationId_fkey" FOREIGN KEY ("creationId") REFERENCES "Creation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Creator totals (hand-written: Prisma does not model triggers), as SQLite's migration `creator_totals` keeps them.
-- Member's likesReceived, likedPosts and firstLikedPostAt summarise the member's "liked posts": creations with status
-- 'posted', likeCount > 0 and a postedAt. One row trigger keeps them equal to a recomputation after every insert,
-- update and delete of a creation, whichever code path made it. PostgreSQL fires AFTER ROW triggers once the
-- statement is done, so a recomputation (the MIN below) sees every row the statement changed: the totals come out
-- the same in whatever order the rows' triggers run.
CREATE FUNCTION "Creation_creatorTotals"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was_liked boolean := TG_OP <> 'INSERT' AND OLD."status" = 'posted' AND OLD."likeCount" > 0 AND OLD."postedAt" IS NOT NULL;
  is_liked boolean := TG_OP <> 'DELETE' AND NEW."status" = 'posted' AND NEW."likeCount" > 0 AND NEW."postedAt" IS NOT NULL;
BEGIN
  IF was_liked AND is_liked AND OLD."memberId" = NEW."memberId" AND OLD."postedAt" = NEW."postedAt" THEN
    -- Likes changed on a post that stays liked (the common case: a reaction).
    IF OLD."likeCount" <> NEW."likeCount" THEN
      UPDATE "Member" SET "likesReceived" = "likesReceived" + NEW."likeCount" - OLD."likeCount" WHERE "id" = NEW."memberId";
    END IF;
  ELSIF was_liked AND is_liked THEN
    -- A liked post changed author or post time (the app never does this; kept exact anyway).
    UPDATE "Member" SET "likesReceived" = "likesReceived" - OLD."likeCount", "likedPosts" = "likedPosts" - 1 WHERE "id" = OLD."memberId";
    UPDATE "Member" SET "likesReceived" = "likesReceived" + NEW."likeCount", "likedPosts" = "likedPosts" + 1 WHERE "id" = NEW."memberId";
    UPDATE "Member" SET "firstLikedPostAt" = (
      SELECT MIN(c."postedAt") FROM "Creation" c
      WHERE c."communityId" = "Member"."communityId" AND c."memberId" = "Member"."id" AND c."status" = 'posted' AND c."likeCount" > 0 AND c."postedAt" IS NOT NULL
    ) WHERE "id" IN (OLD."memberId", NEW."memberId");
  ELSIF is_liked THEN
    -- A post became liked (its first like, or it was posted or inserted with likes).
    UPDATE "Member" SET
      "likesReceived" = "likesReceived" + NEW."likeCount",
      "likedPosts" = "likedPosts" + 1,
      "firstLikedPostAt" = CASE WHEN "firstLikedPostAt" IS NULL OR NEW."postedAt" < "firstLikedPostAt" THEN NEW."postedAt" ELSE "firstLikedPostAt" END
    WHERE "id" = NEW."memberId";
  ELSIF was_liked THEN
    -- A post stopped being liked (its last like went, it was deleted, its author forgotten).
    UPDATE "Member" SET
      "likesReceived" = "likesReceived" - OLD."likeCount",
      "likedPosts" = "likedPosts" - 1,
      "firstLikedPostAt" = CASE WHEN "firstLikedPostAt" < OLD."postedAt" THEN "firstLikedPostAt" ELSE (
        SELECT MIN(c."postedAt") FROM "Creation" c
        WHERE c."communityId" = "Member"."communityId" AND c."memberId" = "Member"."id" AND c."status" = 'posted' AND c."likeCount" > 0 AND c."postedAt" IS NOT NULL
      ) END
    WHERE "id" = OLD."memberId";
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Creation_creatorTotals"
AFTER INSERT OR DELETE OR UPDATE OF "likeCount", "status", "postedAt", "memberId" ON "Creation"
FOR EACH ROW EXECUTE FUNCTION "Creation_creatorTotals"();
