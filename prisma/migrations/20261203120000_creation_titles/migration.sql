-- Added in place (ALTER TABLE ... ADD COLUMN), not by rebuilding the table as Prisma's diff would: a rebuild drops the
-- creator-totals triggers on "Creation" (migration `creator_totals`).
ALTER TABLE "Creation" ADD COLUMN "title" TEXT;
ALTER TABLE "Creation" ADD COLUMN "altText" TEXT;
