/**
 * The bursts' first images, held until the whole burst is queued: the fairness checks need a queue, and how long a
 * burst's inserts take on a shared machine is no part of what the load tests assert.
 */
import { snapshotCommunity } from "../isolation/community-snapshot.js";
import type { FakeOpenAI } from "../support/openai/fake-openai.js";

export interface HeldImages {
  /** Lets the held images come back once `total` creations of the community are stored (or after 60 s). */
  releaseWhenQueued(databaseUrl: string, platform: "discord" | "slack", externalId: string, total: number): Promise<void>;
}

/** Scripts the next `count` image requests to wait for {@link HeldImages.releaseWhenQueued}. */
export function holdFirstImages(openai: FakeOpenAI, count: number): HeldImages {
  let release!: () => void;
  const back = new Promise<void>((resolve) => (release = resolve));
  openai.scriptImages(...Array.from({ length: count }, () => ({ until: back })));
  return {
    async releaseWhenQueued(databaseUrl, platform, externalId, total) {
      const giveUpAt = Date.now() + 60_000;
      while (snapshotCommunity(databaseUrl, platform, externalId).creations.length < total && Date.now() < giveUpAt) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      release();
    },
  };
}
