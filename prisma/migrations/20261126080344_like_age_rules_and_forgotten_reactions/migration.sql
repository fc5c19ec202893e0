-- AlterTable
ALTER TABLE "Member" ADD COLUMN "accountCreatedAt" DATETIME;
ALTER TABLE "Member" ADD COLUMN "joinedAt" DATETIME;

-- AlterTable
ALTER TABLE "Reaction" ADD COLUMN "reactedAt" DATETIME;

-- CreateTable
CREATE TABLE "ForgottenReaction" (
    "creationId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "emoji" TEXT NOT NULL,

    PRIMARY KEY ("creationId", "memberId", "emoji"),
    CONSTRAINT "ForgottenReaction_creationId_fkey" FOREIGN KEY ("creationId") REFERENCES "Creation" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "ForgottenReaction_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Community" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_Community" ("allowSelfLikes", "budgetMicroUsd", "cooldownSeconds", "createdAt", "digestChannelId", "digestSize", "digestTime", "externalId", "galleryChannelId", "id", "likeEmoji", "maxPromptLength", "perMemberDaily", "platform", "problem", "timezone") SELECT "allowSelfLikes", "budgetMicroUsd", "cooldownSeconds", "createdAt", "digestChannelId", "digestSize", "digestTime", "externalId", "galleryChannelId", "id", "likeEmoji", "maxPromptLength", "perMemberDaily", "platform", "problem", "timezone" FROM "Community";
DROP TABLE "Community";
ALTER TABLE "new_Community" RENAME TO "Community";
CREATE UNIQUE INDEX "Community_platform_externalId_key" ON "Community"("platform", "externalId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ForgottenReaction_memberId_idx" ON "ForgottenReaction"("memberId");
