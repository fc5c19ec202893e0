-- AlterTable
ALTER TABLE "Community" ADD COLUMN "digestProblem" TEXT;

-- AlterTable
ALTER TABLE "Digest" ADD COLUMN "summary" TEXT;

-- AlterTable
ALTER TABLE "Member" ADD COLUMN "forgottenAt" DATETIME;

-- CreateTable
CREATE TABLE "ReactionRemoval" (
    "creationId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "emoji" TEXT NOT NULL,
    "at" DATETIME NOT NULL,

    PRIMARY KEY ("creationId", "memberId", "emoji"),
    CONSTRAINT "ReactionRemoval_creationId_fkey" FOREIGN KEY ("creationId") REFERENCES "Creation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "DigestEntry" (
    "digestId" INTEGER NOT NULL,
    "rank" INTEGER NOT NULL,
    "creationId" INTEGER NOT NULL,
    "likeCount" INTEGER NOT NULL,

    PRIMARY KEY ("digestId", "rank"),
    CONSTRAINT "DigestEntry_digestId_fkey" FOREIGN KEY ("digestId") REFERENCES "Digest" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "DigestEntry_creationId_fkey" FOREIGN KEY ("creationId") REFERENCES "Creation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- AlterTable (by hand: Prisma would rebuild the table, which drops the creator-totals triggers on it)
ALTER TABLE "Creation" ADD COLUMN "spentMicroUsd" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Creation" ADD COLUMN "rateLimitedWaits" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "ReactionRemoval_at_idx" ON "ReactionRemoval"("at");

-- CreateIndex
CREATE INDEX "DigestEntry_creationId_idx" ON "DigestEntry"("creationId");

-- Backfill: an image already made was paid for: posting or posted, posted once (deleted since), or stored before a post
-- that failed.
UPDATE "Creation" SET "spentMicroUsd" = "costMicroUsd"
WHERE "status" IN ('posting', 'posted') OR "imageHash" IS NOT NULL OR "galleryMessageId" IS NOT NULL;
