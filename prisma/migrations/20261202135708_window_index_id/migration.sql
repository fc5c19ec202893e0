-- DropIndex
DROP INDEX "Creation_communityId_status_postedAt_memberId_likeCount_idx";

-- CreateIndex
CREATE INDEX "Creation_communityId_status_postedAt_memberId_likeCount_id_idx" ON "Creation"("communityId", "status", "postedAt", "memberId", "likeCount", "id");
