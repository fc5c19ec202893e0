/**
 * The bursts' first images: the first requests sent (one from each of as many members as there are workers) are taken
 * by the workers before the rest of the burst is sent, so that no member holds two of those places (sent together with
 * the rest, the first jobs stored were whoever's came first, sometimes two or three of one member's, whose next turn
 * then came among the others' first ones). They are held until the whole burst is queued and every job can be taken: the fairness checks need
 * a queue, and how long a burst's inserts take on a shared machine is no part of what the load tests assert. A job
 * whose "Queued" status is not yet said can't be taken (its `notBefore`): released while some were still waiting for
 * that, the workers went past those members' first jobs to others' thirds (the Discord fairness check once saw 48 of
 * 50 members before the first third).
 */
import { snapshotCommunity } from "../isolation/community-snapshot.js";
import type { FakeOpenAI } from "../support/openai/fake-openai.js";

export interface HeldImages {
  /** Resolves once all the held image requests have reached OpenAI: the workers are all busy. */
  taken(): Promise<void>;
  /** Lets the held images come back once `total` creations of the community are stored and can be taken (or after 60 s). */
  releaseWhenQueued(databaseUrl: string, platform: "discord" | "slack", externalId: string, total: number): Promise<void>;
}

/** Scripts the next `count` image requests to wait for {@link HeldImages.releaseWhenQueued}. */
export function holdFirstImages(openai: FakeOpenAI, count: number): HeldImages {
  let release!: () => void;
  const back = new Promise<void>((resolve) => (release = resolve));
  openai.scriptImages(...Array.from({ length: count }, () => ({ until: back })));
  return {
    async taken() {
      const giveUpAt = Date.now() + 30_000;
      while (openai.imageRequests.length < count && Date.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 10));
      if (openai.imageRequests.length < count) throw new Error(`only ${openai.imageRequests.length} of the ${count} held image requests came`);
    },
    async releaseWhenQueued(databaseUrl, platform, externalId, total) {
      const giveUpAt = Date.now() + 60_000;
      const ready = async () => {
        const { creations } = await snapshotCommunity(databaseUrl, platform, externalId);
        return creations.length >= total && creations.every((c) => c.status !== "queued" || c.notBefore === null);
      };
      while (!(await ready()) && Date.now() < giveUpAt) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      release();
    },
  };
}
