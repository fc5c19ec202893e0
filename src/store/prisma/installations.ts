/** The {@link InstallationStore} over Prisma. */
import type { InstallationStore, RemovedInstallation, SealedInstallation } from "../../core/store/installations.js";
import type { PrismaClient } from "../generated/client.js";
import { upsertRacing } from "./retry.js";

export class PrismaInstallationStore implements InstallationStore {
  constructor(private readonly prisma: PrismaClient) {}

  async saveInstallation(installation: SealedInstallation): Promise<void> {
    const { teamId, installedAt, ...rest } = installation;
    await upsertRacing(() => this.prisma.slackInstallation.upsert({ where: { teamId }, create: installation, update: rest }));
  }

  async findInstallation(teamId: string): Promise<SealedInstallation | null> {
    return this.prisma.slackInstallation.findUnique({ where: { teamId } });
  }

  async resealToken(teamId: string, previous: string, next: string): Promise<void> {
    await this.prisma.slackInstallation.updateMany({ where: { teamId, botTokenSealed: previous }, data: { botTokenSealed: next } });
  }

  async removeInstallation(teamId: string, error: string, now: Date): Promise<RemovedInstallation> {
    return this.prisma.$transaction(async (tx) => {
      const removed = (await tx.slackInstallation.deleteMany({ where: { teamId } })).count > 0;
      const community = await tx.community.findUnique({ where: { platform_externalId: { platform: "slack", externalId: teamId } } });
      if (!community) return { removed, failedCreations: [] };
      await tx.community.update({ where: { id: community.id }, data: { galleryChannelId: null, digestChannelId: null } });
      const queued = await tx.creation.findMany({ where: { communityId: community.id, status: "queued" }, select: { id: true, statusRef: true } });
      const failedCreations: RemovedInstallation["failedCreations"] = [];
      // One by one: a worker may claim one meanwhile (PostgreSQL), and only those still queued are failed here.
      for (const creation of queued) {
        const moved = await tx.creation.updateMany({ where: { id: creation.id, status: "queued" }, data: { status: "failed", error, finishedAt: now } });
        if (moved.count > 0) failedCreations.push(creation);
      }
      return { removed, failedCreations };
    });
  }
}
