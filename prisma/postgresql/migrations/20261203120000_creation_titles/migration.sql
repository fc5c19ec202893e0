-- AlterTable
ALTER TABLE "Creation" ADD COLUMN     "altText" TEXT,
ADD COLUMN     "title" TEXT;
