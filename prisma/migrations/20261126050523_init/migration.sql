-- CreateTable
CREATE TABLE "Community" (
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
    "problem" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Member" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "communityId" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,
    "blocked" BOOLEAN NOT NULL DEFAULT false,
    "lastServed" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Member_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "Community" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Creation" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "notBefore" DATETIME,
    "error" TEXT,
    "imageHash" TEXT,
    "galleryChannelId" TEXT,
    "galleryMessageId" TEXT,
    "galleryUrl" TEXT,
    "postedAt" DATETIME,
    "likeCount" INTEGER NOT NULL DEFAULT 0,
    "statusRef" TEXT,
    CONSTRAINT "Creation_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "Community" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Creation_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Reaction" (
    "creationId" INTEGER NOT NULL,
    "memberId" INTEGER NOT NULL,
    "emoji" TEXT NOT NULL,

    PRIMARY KEY ("creationId", "memberId", "emoji"),
    CONSTRAINT "Reaction_creationId_fkey" FOREIGN KEY ("creationId") REFERENCES "Creation" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Reaction_memberId_fkey" FOREIGN KEY ("memberId") REFERENCES "Member" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Digest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "communityId" INTEGER NOT NULL,
    "day" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "claimedBy" TEXT,
    "claimedAt" DATETIME,
    "channelId" TEXT,
    "messageId" TEXT,
    "postedAt" DATETIME,
    "entries" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "Digest_communityId_fkey" FOREIGN KEY ("communityId") REFERENCES "Community" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Community_platform_externalId_key" ON "Community"("platform", "externalId");

-- CreateIndex
CREATE UNIQUE INDEX "Member_communityId_userId_key" ON "Member"("communityId", "userId");

-- CreateIndex
CREATE INDEX "Creation_status_notBefore_idx" ON "Creation"("status", "notBefore");

-- CreateIndex
CREATE INDEX "Creation_communityId_memberId_day_idx" ON "Creation"("communityId", "memberId", "day");

-- CreateIndex
CREATE INDEX "Creation_communityId_day_idx" ON "Creation"("communityId", "day");

-- CreateIndex
CREATE INDEX "Creation_communityId_status_postedAt_idx" ON "Creation"("communityId", "status", "postedAt");

-- CreateIndex
CREATE INDEX "Creation_communityId_status_likeCount_idx" ON "Creation"("communityId", "status", "likeCount");

-- CreateIndex
CREATE UNIQUE INDEX "Creation_communityId_galleryChannelId_galleryMessageId_key" ON "Creation"("communityId", "galleryChannelId", "galleryMessageId");

-- CreateIndex
CREATE INDEX "Reaction_memberId_idx" ON "Reaction"("memberId");

-- CreateIndex
CREATE UNIQUE INDEX "Digest_communityId_day_key" ON "Digest"("communityId", "day");
