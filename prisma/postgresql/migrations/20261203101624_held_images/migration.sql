-- AlterTable
ALTER TABLE "Creation" ADD COLUMN     "heldUntil" TIMESTAMP(3),
ADD COLUMN     "imageChecked" BOOLEAN NOT NULL DEFAULT false;
