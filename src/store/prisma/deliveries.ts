/** The {@link DeliveryStore} over Prisma: a delivery is its key's row; the primary key makes "first" race-free. */
import type { DeliveryStore } from "../../core/store/deliveries.js";
import type { Dialect } from "../dialects/dialect.js";
import type { PrismaClient } from "../generated/client.js";
import { isUniqueViolation, retrying } from "./retry.js";

export class PrismaDeliveryStore implements DeliveryStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly dialect: Dialect,
  ) {}

  async firstDelivery(keys: string[], now: Date): Promise<boolean> {
    try {
      // One transaction: when any key was seen, none is recorded anew.
      await retrying(this.dialect, () => this.prisma.$transaction(keys.map((key) => this.prisma.inboundEvent.create({ data: { key, at: now } }))));
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async releaseDelivery(keys: string[]): Promise<void> {
    await this.prisma.inboundEvent.deleteMany({ where: { key: { in: keys } } });
  }

  async pruneDeliveries(before: Date): Promise<number> {
    return (await this.prisma.inboundEvent.deleteMany({ where: { at: { lt: before } } })).count;
  }
}
