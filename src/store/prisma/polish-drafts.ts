/** The {@link PolishDraftStore} over Prisma: `/imagine polish`'s drafts and the text model's spend. */
import type { NewPolishDraft, PolishDraft, PolishDraftState, PolishDraftStore } from "../../core/store/polish-drafts.js";
import type { Aspect, Quality } from "../../core/types.js";
import type { PrismaClient } from "../generated/client.js";

type Row = { id: number; communityId: number; userId: string; original: string; polished: string | null; aspect: string | null; quality: string | null; state: string; createdAt: Date };

const toDraft = (row: Row): PolishDraft => ({
  ...row,
  aspect: row.aspect as Aspect | null,
  quality: row.quality as Quality | null,
  state: row.state as PolishDraftState,
});

export class PrismaPolishDraftStore implements PolishDraftStore {
  constructor(private readonly prisma: PrismaClient) {}

  async createDraft(draft: NewPolishDraft, forgetBefore: Date): Promise<PolishDraft> {
    await this.prisma.polishDraft.deleteMany({ where: { communityId: draft.communityId, createdAt: { lt: forgetBefore } } });
    return toDraft(await this.prisma.polishDraft.create({ data: { ...draft, state: "pending" } }));
  }

  async getDraft(communityId: number, id: number): Promise<PolishDraft | null> {
    const row = await this.prisma.polishDraft.findFirst({ where: { id, communityId } });
    return row && toDraft(row);
  }

  async moveDraft(id: number, from: PolishDraftState, to: PolishDraftState): Promise<boolean> {
    const moved = await this.prisma.polishDraft.updateMany({ where: { id, state: from }, data: { state: to } });
    return moved.count === 1;
  }

  async addTextSpend(communityId: number, day: string, microUsd: number): Promise<void> {
    // One statement (SQLite and PostgreSQL both take it): two polishes of the same day can't lose either's spend.
    await this.prisma.$executeRaw`
      INSERT INTO "TextSpend" ("communityId", "day", "microUsd") VALUES (${communityId}, ${day}, ${microUsd})
      ON CONFLICT ("communityId", "day") DO UPDATE SET "microUsd" = "TextSpend"."microUsd" + excluded."microUsd"`;
  }

  async textSpend(communityId: number, day: string): Promise<number> {
    const row = await this.prisma.textSpend.findUnique({ where: { communityId_day: { communityId, day } } });
    return row?.microUsd ?? 0;
  }

  async memberDrafts(communityId: number, userId: string): Promise<PolishDraft[]> {
    return (await this.prisma.polishDraft.findMany({ where: { communityId, userId }, orderBy: { id: "asc" } })).map(toDraft);
  }

  async forgetMember(communityId: number, userId: string): Promise<number> {
    return (await this.prisma.polishDraft.deleteMany({ where: { communityId, userId } })).count;
  }
}
