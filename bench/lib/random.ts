/** A small seeded PRNG (mulberry32), so every run builds the same data and plays the same events. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller). */
export function normal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const DISCORD_EPOCH = 1420070400000n;

/** A Discord snowflake for an instant (the increment keeps ids of the same millisecond distinct). */
export function snowflake(ms: number, increment: number): string {
  return (((BigInt(Math.floor(ms)) - DISCORD_EPOCH) << 22n) | BigInt(increment & 0x3fffff)).toString();
}
