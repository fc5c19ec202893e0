-- CreateTable
CREATE TABLE "InboundEvent" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "at" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "InboundEvent_at_idx" ON "InboundEvent"("at");
