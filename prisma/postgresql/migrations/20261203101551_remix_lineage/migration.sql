-- AlterTable
ALTER TABLE "Creation" ADD COLUMN     "depth" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "parentId" INTEGER,
ADD COLUMN     "rootId" INTEGER;

-- AlterTable
ALTER TABLE "Member" ADD COLUMN     "remixesAllowed" BOOLEAN NOT NULL DEFAULT true;
