-- CreateTable
CREATE TABLE "ImageRequest" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ImageRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ImageRequest_at_idx" ON "ImageRequest"("at");
