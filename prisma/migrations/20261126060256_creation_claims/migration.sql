-- AlterTable
ALTER TABLE "Creation" ADD COLUMN "claimedBy" TEXT;
ALTER TABLE "Creation" ADD COLUMN "claimedUntil" DATETIME;
