/**
 * Wires Salon from a validated {@link Config}: database (migrated), OpenAI, the platforms, the generation workers,
 * the digest scheduler and the health endpoint. `src/main.ts` calls it with the environment; tests and the demo
 * call it with their own config pointing at loopback servers.
 *
 * `config.roles` chooses what runs here. Every role gets the platforms' REST publishers (a gateway's status
 * messages, a worker's posts and status edits, a scheduler's digests and re-reads all go through them, with the
 * stored interaction tokens and the bot token); only `gateway` connects to the platforms to receive events, and it
 * runs the start-up reconciliation, which covers the events its connection missed while it was down. `worker` runs
 * the generation workers, `scheduler` the digest and maintenance ticks. The processes share nothing but the
 * database: claims in it make any mix of them one Salon.
 */
import { mkdir } from "node:fs/promises";
import type { WebClientEvent } from "@slack/web-api";
import type { Config, Role } from "./config/config.js";
import { loadPriceTable } from "./config/prices.js";
import { BUILT_IN_EDIT_INPUT_PRICES } from "./config/edit-prices.js";
import { releaseAbandonedClaims } from "./core/claims.js";
import type { SalonDeps } from "./core/deps.js";
import type { Clock, Logger, Publisher } from "./core/ports.js";
import { withImageRate } from "./core/image-rate.js";
import { Salon } from "./core/salon.js";
import { createDiscordPublisher, DiscordBot, onRateLimitedResponse } from "./discord/discord-bot.js";
import { holdsGuild } from "./discord/shards.js";
import { startHealthServer } from "./health/health-server.js";
import { meteredProvider } from "./metrics/metered-provider.js";
import { createSalonMetrics, oldestQueuedAgeSeconds, registerShardMetrics } from "./metrics/salon-metrics.js";
import { createCollageRenderer } from "./images/collage.js";
import { openImageStore } from "./images/open-image-store.js";
import { createOpenAIImageProvider, createOpenAITextModel, type OpenAITextModel } from "./openai/index.js";
import type { SlackBot } from "./slack/slack-bot.js";
import { startDigestScheduler } from "./scheduler/digest-scheduler.js";
import { setUpGraphileJobs } from "./jobs/graphile-jobs.js";
import { openDatabase } from "./store/database.js";
import { PrismaIdentifySlots } from "./store/prisma/identify-slots.js";
import { createPrismaStores } from "./store/prisma/stores.js";
import { PrismaInstallationStore } from "./store/prisma/installations.js";
import { storesWithErrors, withStoreErrors } from "./store/store-errors.js";
import { isInstanceGone, newInstanceId } from "./runtime/instance.js";
import { reportModelCheck } from "./runtime/report-model-check.js";
import { systemClock } from "./runtime/system-clock.js";
import { userHashSalt } from "./runtime/user-hash-salt.js";

export interface RunningSalon {
  salon: Salon;
  discord: DiscordBot | null;
  slack: SlackBot | null;
  /** The port `/healthz` listens on (useful when the config asked for port 0). */
  port: number;
  /** Resolves when start-up reconciliation has finished. */
  reconciled: Promise<void>;
  /** Stops taking work, lets running jobs finish (or return to the queue), closes everything. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger: Logger;
  clock?: Clock;
  /** Run the per-minute digest scheduler (tests that drive digests themselves turn it off). */
  scheduler?: boolean;
  /** Run the per-minute maintenance (periodic reconciliation, pruning); as `scheduler` when not given. */
  maintenance?: boolean;
  /** node-cron expression (with seconds) of the maintenance tick; every minute by default (tests tick faster). */
  maintenanceSchedule?: string;
  /** node-cron expression (with seconds) of the digest tick; every minute by default (tests tick faster). */
  digestSchedule?: string;
  /** How long running jobs get to finish on stop before returning to the queue. */
  drainMs?: number;
  /** Overrides of the retry policy (tests use short backoffs). */
  retry?: { maxAttempts?: number; retryBaseMs?: number };
}

export async function startSalon(config: Config, options: StartOptions): Promise<RunningSalon> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const runs = (role: Role) => config.roles.includes(role);
  await mkdir(config.dataDir, { recursive: true });
  const db = await openDatabase(config.database.url, { poolSize: config.database.poolSize });
  if (db.applied.length > 0) logger.info({ migrations: db.applied }, "applied database migrations");

  // On PostgreSQL the jobs run on graphile-worker, written in the creations' own transactions.
  const jobs = db.dialect.provider === "postgresql" ? await setUpGraphileJobs({ databaseUrl: config.database.url, prisma: db.prisma, clock, logger, concurrency: config.generationConcurrency }) : null;
  const stores = storesWithErrors(createPrismaStores(db.prisma, db.dialect, jobs?.creationJobs));
  const metrics = createSalonMetrics(() => stores.creations.queueStats(), () => clock.now(), config.roles);
  const imageStore = await openImageStore(config, db.prisma, clock, logger);
  const metered = meteredProvider(createOpenAIImageProvider({
    apiKey: config.openai.apiKey,
    ...(config.openai.baseUrl ? { baseURL: config.openai.baseUrl } : {}),
    timeoutMs: config.openai.timeoutMs,
    logger: logger.child({ component: "openai" }),
  }), metrics);
  // IMAGE_RATE_PER_MINUTE: one limit for every process, counted in the database. Outside it, the image store's gate:
  // no image is asked for (nor a slot of the limit taken) while the store could not keep it.
  const provider = imageStore.gate(config.openai.imageRate ? withImageRate(metered, { creations: stores.creations, clock }, config.openai.imageRate) : metered);
  const text = textModelFor(config, logger);
  const publishers: Partial<Record<"discord" | "slack", Publisher>> = {};
  if (config.discord) publishers.discord = createDiscordPublisher(config.discord, logger.child({ platform: "discord" }), clock, () => metrics.platformRateLimited("discord"));
  // Bolt and the Slack Web API client (~14 MiB resident) are loaded only when Slack is configured.
  const slackAdapter = config.slack ? await import("./slack/slack-bot.js") : null;
  const slackWeb =
    config.slack && slackAdapter
      ? slackAdapter.createSlackWeb(config.slack, clock, logger.child({ platform: "slack" }), {
          installations: withStoreErrors(new PrismaInstallationStore(db.prisma)),
          // The WebClient emits "rate_limited" (WebClientEvent.RATE_LIMITED) on each 429 it meets, rejected or waited out.
          watch: (clients) => {
            for (const client of [clients.client, clients.postClient]) client.on(SLACK_RATE_LIMITED, () => metrics.platformRateLimited("slack"));
          },
        })
      : null;
  if (slackWeb) publishers.slack = slackWeb.publisher;

  const deps: SalonDeps = {
    ...stores,
    provider,
    ...(text ? { text } : {}),
    metrics,
    files: imageStore.images,
    collage: createCollageRenderer(),
    clock,
    logger,
    publishers,
    options: {
      imageModel: config.openai.imageModel,
      prices: await loadPriceTable(config.pricesFile),
      remix: { editInputPrices: BUILT_IN_EDIT_INPUT_PRICES, maxDepth: config.remixMaxDepth },
      reconcileDays: config.reconcileDays,
      maxAttempts: options.retry?.maxAttempts ?? 4,
      retryBaseMs: options.retry?.retryBaseMs ?? 2_000,
      instanceId: newInstanceId(),
      isInstanceGone,
      userHashSalt: await userHashSalt(config.userHashSalt, config.dataDir),
      previewImages: config.openai.previewImages,
      holdsCommunity: (c) => c.platform !== "discord" || holdsGuild(config.discord?.shards, c.externalId),
    },
  };
  const salon = new Salon(deps, config.generationConcurrency, jobs?.engine({ creations: stores.creations, publishers, owner: deps.options.instanceId, isOwnerGone: isInstanceGone }));

  // The bot keeps running with a bad IMAGE_MODEL: likes, rankings and digests don't need it, and each /imagine then
  // fails as "unavailable" with a refund. The operator learns it here, at start-up, with what to do.
  void reportModelCheck(provider, "IMAGE_MODEL", config.openai.imageModel, logger, clock);
  // Without a usable TEXT_MODEL, polish is unavailable and titles and alt text fall back to the prompt.
  if (text) void reportModelCheck(text, "TEXT_MODEL", text.model, logger, clock);

  // A bucket that can't be used is the operator's to fix; creations wait for it meanwhile (resilient-images.ts).
  imageStore.check().then(
    (problem) => {
      if (problem) logger.error({ imageStore: imageStore.kind }, `IMAGE_STORE_URL problem: ${problem}; creations wait until the bucket answers`);
    },
    (error: unknown) => logger.warn({ err: error }, "could not check the image store"),
  );
  logger.info({ imageStore: imageStore.kind }, "image store chosen");

  const discord = runs("gateway") && config.discord ? new DiscordBot(config.discord, salon, logger, new PrismaIdentifySlots(db.prisma)) : null;
  if (discord) onRateLimitedResponse(discord.client.rest, () => metrics.platformRateLimited("discord"));
  if (discord) registerShardMetrics(metrics.registry, () => discord.shards());
  const slack = runs("gateway") && config.slack && slackAdapter && slackWeb ? new slackAdapter.SlackBot(config.slack, slackWeb, salon, logger) : null;
  const slackHttp = slack?.httpHandler;
  const health = await startHealthServer({
    port: config.port,
    logger,
    status: () => ({ ...(discord ? { discord: { ready: discord.ready, shards: discord.shards() } } : {}), ...(slack ? { slack: { ready: slack.ready } } : {}) }),
    ...(slackHttp ? { fallback: slackHttp } : {}),
    metrics: metrics.registry,
    oldestQueuedAgeSeconds: async () => oldestQueuedAgeSeconds(await stores.creations.queueStats(), clock.now()),
    queueDegradedSeconds: config.queueDegradedSeconds,
    roles: config.roles,
  });

  await Promise.all([discord?.start(), slack?.start()]);
  // The workers' start ends the claims a stopped process left; a scheduler without workers ends them itself (a
  // digest claim of this host's previous life is then taken over at once, not after its lease).
  if (runs("worker")) await salon.queue.start();
  else if (runs("scheduler")) await releaseAbandonedClaims(deps);
  // Shutdown aborts this: start-up reconciliation stops between posts.
  const shuttingDown = new AbortController();
  const started = clock.now().getTime();
  // Started before the digest scheduler: a catch-up digest waits for its community's corrected counts.
  const reconciled = (runs("gateway") && config.reconcileDays > 0 ? salon.reconcileAll(undefined, shuttingDown.signal) : Promise.resolve(null)).then(
    (result) => {
      if (result) logger.info({ ...result, ms: clock.now().getTime() - started }, "reconciled recent likes with the platforms");
    },
    (error: unknown) => logger.error({ err: error }, "start-up reconciliation failed"),
  );
  const scheduling = runs("scheduler") && options.scheduler !== false;
  const scheduler = scheduling
    ? startDigestScheduler({ tick: (signal) => salon.publishDueDigests(signal), logger, ...(options.digestSchedule ? { schedule: options.digestSchedule } : {}) })
    : null;
  // The catch-up digests that waited for their community's corrected counts go out as soon as reconciliation is done.
  if (scheduler && runs("gateway") && config.reconcileDays > 0) void reconciled.then(() => scheduler.tickNow());
  const maintenance =
    !runs("scheduler") || (options.maintenance ?? options.scheduler) === false
      ? null
      : startDigestScheduler({
          name: "maintenance",
          runAtStart: false,
          tick: (signal) => salon.maintain(config.reconcileEveryMinutes, signal),
          logger,
          ...(options.maintenanceSchedule ? { schedule: options.maintenanceSchedule } : {}),
        });
  logger.info({ port: health.port, roles: config.roles, discord: Boolean(discord), slack: slack ? config.slack!.mode : false }, "salon started");

  let stopping: Promise<void> | undefined;
  return {
    salon,
    discord,
    slack,
    port: health.port,
    reconciled,
    stop: () =>
      (stopping ??= (async () => {
        // Everything stops at once, each within its bound, so the process is closed within PRODUCT.md's 10 s: 5 s for
        // running jobs (1 s more for a post already on its way); 2 s for a digest or a reconciliation to reach a safe
        // point. What is left unfinished keeps its claim, and the next start takes it over. (With 7 s for the jobs, a
        // loaded CI machine once took 13.7 s from the signal to the exit: the rest of the 10 s is the margin.)
        shuttingDown.abort(new Error("shutting down"));
        await Promise.all([
          scheduler?.stop(STOP_GRACE_MS),
          maintenance?.stop(STOP_GRACE_MS),
          salon.queue.stop(options.drainMs ?? DRAIN_MS),
          within(reconciled, STOP_GRACE_MS),
        ]);
        await discord?.stop();
        await slack?.stop();
        await health.close();
        await jobs?.close();
        await db.close();
        imageStore.close();
        logger.info({}, "salon stopped");
      })()),
  };
}

/** `WebClientEvent.RATE_LIMITED`, named without loading the Slack SDK where Slack is not configured. */
const SLACK_RATE_LIMITED = "rate_limited" as WebClientEvent.RATE_LIMITED;

/** How long shutdown waits for running jobs to finish before they go back to the queue. */
const DRAIN_MS = 5_000;

/** How long shutdown waits for a digest or a reconciliation to stop at a safe point. */
const STOP_GRACE_MS = 2_000;

/** Waits for `work`, but not longer than `ms`. */
async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** The text model of TEXT_MODEL, or none when it is `off`. */
function textModelFor(config: Config, logger: Logger): OpenAITextModel | undefined {
  const model = config.openai.textModel;
  if (!model) return undefined;
  return createOpenAITextModel({
    apiKey: config.openai.apiKey,
    ...(config.openai.baseUrl ? { baseURL: config.openai.baseUrl } : {}),
    model,
    logger: logger.child({ component: "openai", model }),
  });
}
