-- CreateTable
CREATE TABLE "PolishDraft" (
    "id" SERIAL NOT NULL,
    "communityId" INTEGER NOT NULL,
    "userId" TEXT NOT NULL,
    "original" TEXT NOT NULL,
    "polished" TEXT,
    "aspect" TEXT,
    "quality" TEXT,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PolishDraft_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TextSpend" (
    "communityId" INTEGER NOT NULL,
    "day" TEXT NOT NULL,
    "microUsd" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "TextSpend_pkey" PRIMARY KEY ("communityId","day")
);

-- CreateIndex
CREATE INDEX "PolishDraft_communityId_userId_idx" ON "PolishDraft"("communityId", "userId");

-- CreateIndex
CREATE INDEX "PolishDraft_createdAt_idx" ON "PolishDraft"("createdAt");
