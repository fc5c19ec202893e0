/**
 * Generation throughput: the loopback OpenAI answers every image request after a fixed delay d; with concurrency C the
 * ideal is C ÷ d images per second. N = 6·C members each run `/imagine` at once; throughput is measured where the
 * workers' slots turn over, from the image requests' arrivals at the loopback OpenAI: (N − C) ÷ (time from the C-th
 * request to the N-th). The baseline is a bare pool of C workers calling the `openai` SDK against the same loopback.
 *
 * Fairness: one member sends 50 creations at once; once they are queued, another member asks for one. Measured: how
 * many of the first member's jobs start between the second member's request and its start (goal: at most one slot).
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { BenchContext, Platform } from "../lib/context.js";
import { salonEnv, startChild, startPlatform } from "../lib/context.js";
import { figure, type Figure } from "../lib/figures.js";
import type { Child } from "../lib/rpc.js";
import { round } from "../lib/stats.js";

/** A bench guild: its gallery, admin and members. */
export interface World {
  guildId: string;
  galleryId: string;
  adminId: string;
  memberIds: string[];
}
export type ImageRequest = { prompt: string; user: string; at: number };

async function startSalon(ctx: BenchContext, label: string, concurrency: number, members: number): Promise<{ platform: Platform; bot: Child; world: World }> {
  const platform = await startPlatform(ctx, `${label}-platform`);
  const dir = path.join(ctx.workDir, label);
  await mkdir(dir, { recursive: true });
  const bot = await startChild(ctx, "bots/salon-bot.ts", label);
  const world = await platform.host.call<World>("community", { name: label, members });
  await bot.call("start", { env: salonEnv(platform, dir, { GENERATION_CONCURRENCY: String(concurrency) }) });
  await platform.host.call("waitForIdentify");
  const admin = { guildId: world.guildId, channelId: world.galleryId, userId: world.adminId, admin: true, name: "salon" };
  await platform.host.call("command", { ...admin, options: [{ type: 1, name: "setup", options: [{ type: 7, name: "gallery", value: world.galleryId }] }] });
  await platform.host.call("command", {
    ...admin,
    options: [{ type: 1, name: "limits", options: [{ type: 4, name: "per_member_daily", value: 100 }, { type: 4, name: "cooldown_seconds", value: 0 }, { type: 10, name: "budget_usd_daily", value: 1000 }] }],
  });
  return { platform, bot, world };
}

/** (N − C) ÷ (C-th request → N-th request), in images per second. */
function turnover(requests: ImageRequest[], concurrency: number): number {
  const at = requests.map((r) => r.at).sort((a, b) => a - b);
  return (at.length - concurrency) / ((at.at(-1)! - at[concurrency - 1]!) / 1000);
}

async function salonThroughput(ctx: BenchContext, concurrency: number, delayMs: number, jobs: number) {
  const { platform, bot, world } = await startSalon(ctx, `throughput-salon-c${concurrency}`, concurrency, jobs);
  try {
    await platform.host.call("setImageDelay", { ms: delayMs });
    await platform.host.call("burst", {
      guildId: world.guildId,
      channelId: world.galleryId,
      userIds: world.memberIds,
      name: "imagine",
      options: [{ type: 3, name: "prompt", value: "a lighthouse at dawn" }],
    });
    await platform.host.call("waitForPosts", { channelId: world.galleryId, count: jobs, timeoutMs: 120_000 }, 130_000);
    const requests = await platform.host.call<ImageRequest[]>("imageRequests");
    if (requests.length !== jobs) throw new Error(`${requests.length} image requests for ${jobs} jobs`);
    return turnover(requests, concurrency);
  } finally {
    await bot.kill();
    await platform.host.kill();
  }
}

async function sdkThroughput(ctx: BenchContext, concurrency: number, delayMs: number, jobs: number) {
  const platform = await startPlatform(ctx, `throughput-sdk-c${concurrency}-platform`);
  const pool = await startChild(ctx, "bots/bare-bot.ts", `throughput-sdk-c${concurrency}`);
  try {
    await platform.host.call("setImageDelay", { ms: delayMs });
    await pool.call("imagePool", { baseURL: platform.openaiBaseURL, apiKey: platform.openaiKey, concurrency, jobs }, 120_000);
    return turnover(await platform.host.call<ImageRequest[]>("imageRequests"), concurrency);
  } finally {
    await pool.kill();
    await platform.host.kill();
  }
}

async function fairness(ctx: BenchContext, concurrency: number, delayMs: number) {
  const { platform, bot, world } = await startSalon(ctx, "fairness-salon", concurrency, 2);
  try {
    await platform.host.call("setImageDelay", { ms: delayMs });
    const [busy, single] = world.memberIds as [string, string];
    const base = { guildId: world.guildId, channelId: world.galleryId };
    // All 50 in the same instant, as a member with a 0 s cooldown may send them: none may be refused.
    const { tokens } = await platform.host.call<{ tokens: string[] }>("burst", {
      ...base,
      userIds: Array.from({ length: 50 }, () => busy),
      name: "imagine",
      options: [{ type: 3, name: "prompt", value: "one of fifty" }],
    });
    for (let i = 0; ; i++) {
      const replies = await platform.host.call<string[]>("originals", { tokens });
      const refused = replies.filter((reply) => reply !== "" && !/Queued|Generating|Posted/.test(reply));
      if (refused.length > 0) throw new Error(`${refused.length} of 50 creations sent at once were refused: ${refused[0]}`);
      if (replies.every((reply) => reply !== "")) break;
      if (i > 200) throw new Error("the 50 creations were not all answered within 10 s");
      await new Promise((r) => setTimeout(r, 50));
    }
    const asked = await platform.host.call<{ content: string; at: number }>("commandAt", { ...base, userId: single, name: "imagine", options: [{ type: 3, name: "prompt", value: "just one" }] });
    let requests: ImageRequest[] = [];
    for (let i = 0; !requests.some((r) => r.prompt === "just one"); i++) {
      if (i > 400) throw new Error("the single creation did not start within 20 s");
      await new Promise((r) => setTimeout(r, 50));
      requests = await platform.host.call<ImageRequest[]>("imageRequests");
    }
    const startedAt = requests.find((r) => r.prompt === "just one")!.at;
    const busyBefore = requests.filter((r) => r.prompt === "one of fifty" && r.at <= asked.at).length;
    const overtook = requests.filter((r) => r.prompt === "one of fifty" && r.at > asked.at && r.at < startedAt).length;
    return {
      overtook,
      fifoAhead: 50 - busyBefore,
      shownPosition: Number(/position (\d+)/.exec(asked.content)?.[1] ?? Number.NaN),
      waitMs: startedAt - asked.at,
    };
  } finally {
    await bot.kill();
    await platform.host.kill();
  }
}

export async function run(ctx: BenchContext) {
  const delayMs = 1000;
  const figures: Figure[] = [];
  const facts: Record<string, unknown> = { imageDelayMs: delayMs };
  for (const concurrency of ctx.quick ? [4] : [4, 8]) {
    const jobs = 6 * concurrency;
    const ideal = concurrency / (delayMs / 1000);
    const salon = await salonThroughput(ctx, concurrency, delayMs, jobs);
    const sdk = await sdkThroughput(ctx, concurrency, delayMs, jobs);
    figures.push(
      figure({
        name: `throughput.c${concurrency}`,
        value: round(salon, 2),
        unit: "images/s",
        baseline: round(sdk, 2),
        baselineIs: `bare pool of ${concurrency} openai SDK workers`,
        goal: `≥ 95 % of C ÷ d = ${round(0.95 * ideal, 2)}/s`,
        met: salon >= 0.95 * ideal,
        higherIsBetter: true,
        note: `${round((100 * salon) / ideal, 1)} % of C ÷ d`,
      }),
    );
    facts[`c${concurrency}`] = { jobs, ideal, salonPercentOfIdeal: round((100 * salon) / ideal, 1), sdkPercentOfIdeal: round((100 * sdk) / ideal, 1) };
  }
  const fair = await fairness(ctx, 2, 500);
  figures.push(
    figure({
      name: "fairness.slots_behind",
      value: fair.overtook,
      unit: "jobs",
      baseline: fair.fifoAhead,
      baselineIs: "a first-in-first-out queue (jobs of the busy member still waiting, computed)",
      ratio: null,
      goal: "≤ 1",
      met: fair.overtook <= 1,
    }),
  );
  facts.fairness = { concurrency: 2, imageDelayMs: 500, queuedByBusyMember: 50, ...fair, waitMs: round(fair.waitMs, 0) };
  return { figures, facts };
}
