/**
 * The {@link IdentifySlots} over Prisma: one row per identify bucket, holding when it last started a session. Taking
 * the slot is one conditional update (or, for a bucket never used, one insert whose primary key settles a race), so two
 * processes asking at once never both get it.
 */
import type { IdentifySlots } from "../../discord/identify-throttler.js";
import type { PrismaClient } from "../generated/client.js";
import { isUniqueViolation } from "./retry.js";

export class PrismaIdentifySlots implements IdentifySlots {
  constructor(private readonly prisma: PrismaClient) {}

  async take(bucket: number, now: Date, windowMs: number): Promise<number> {
    const freeBefore = new Date(now.getTime() - windowMs);
    const taken = await this.prisma.gatewayIdentify.updateMany({ where: { bucket, identifiedAt: { lte: freeBefore } }, data: { identifiedAt: now } });
    if (taken.count === 1) return 0;
    const row = await this.prisma.gatewayIdentify.findUnique({ where: { bucket } });
    if (row) return Math.max(1, row.identifiedAt.getTime() + windowMs - now.getTime());
    try {
      await this.prisma.gatewayIdentify.create({ data: { bucket, identifiedAt: now } });
      return 0;
    } catch (error) {
      // Another process took this new bucket first: its window starts now.
      if (isUniqueViolation(error)) return windowMs;
      throw error;
    }
  }
}
