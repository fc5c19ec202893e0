-- Remix lineage and the member's remix permission. Written as ALTER TABLE ADD COLUMN rather than Prisma's table
-- rebuild: rebuilding Creation would drop the creator_totals triggers on it.
ALTER TABLE "Creation" ADD COLUMN "parentId" INTEGER;
ALTER TABLE "Creation" ADD COLUMN "rootId" INTEGER;
ALTER TABLE "Creation" ADD COLUMN "depth" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Member" ADD COLUMN "remixesAllowed" BOOLEAN NOT NULL DEFAULT true;
