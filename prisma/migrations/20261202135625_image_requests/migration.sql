-- CreateTable
CREATE TABLE "ImageRequest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "ImageRequest_at_idx" ON "ImageRequest"("at");
