-- CreateIndex
CREATE INDEX "Member_blocked_idx" ON "Member"("blocked");
