/**
 * Working in-memory fakes of the core's ports (not mocks: each one behaves like the thing it stands for), and
 * `buildSalon`, which wires a real `Salon` over a real test database with them.
 */
import { createHash } from "node:crypto";
import sharp from "sharp";
import type { SalonDeps, SalonOptions } from "../../src/core/deps.js";
import { ProviderError, PublishError, UserError, type ProviderFailureKind, type PublishFailureKind } from "../../src/core/errors.js";
import { renderWords } from "../../src/core/words.js";
import type {
  Clock,
  CollageRenderer,
  GeneratedImage,
  ImageFiles,
  ImageProvider,
  JobStatus,
  Logger,
  ModerationResult,
  PostRef,
  Publisher,
  ReactionSnapshot,
  TextModel,
} from "../../src/core/ports.js";
import type { PriceTable } from "../../src/core/pricing.js";
import { Salon } from "../../src/core/salon.js";
import type { TopView } from "../../src/core/rankings.js";
import type {
  Actor,
  Community,
  CommunityRef,
  Creation,
  DigestView,
  ImageSize,
  Platform,
  Quality,
  RankedCreation,
  RankedCreator,
} from "../../src/core/types.js";
import type { LimitsInput, SetupInput } from "../../src/core/admin.js";
import type { Stores } from "../../src/core/store/stores.js";
import type { Database } from "../../src/store/database.js";
import { createTestDatabase } from "./db.js";

// ---------------------------------------------------------------------------------------------------------------
// Clock

interface Sleeper {
  due: number;
  resolve(): void;
}

/** A clock that only moves when told to. `sleep` resolves once the clock is advanced past its deadline. */
export class FakeClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];

  constructor(start: Date | string = "2026-11-25T12:00:00.000Z") {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves the clock to an instant (forward or back) and wakes every sleeper that is now due. */
  set(at: Date | string): void {
    this.current = new Date(at).getTime();
    this.wakeDue();
  }

  advance(ms: number): void {
    this.set(new Date(this.current + ms));
  }

  /** Sleeps still waiting for the clock. */
  get sleeping(): number {
    return this.sleepers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error("aborted"));
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        due: this.current + ms,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason ?? new Error("aborted"));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.sleepers.push(sleeper);
    });
  }

  private wakeDue(): void {
    const due = this.sleepers.filter((s) => s.due <= this.current);
    this.sleepers = this.sleepers.filter((s) => s.due > this.current);
    for (const s of due) s.resolve();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Images

let colourSeed = 0;

/** A real (tiny) PNG, a different colour each call, so content-addressed files never collide by accident. */
export async function tinyPng(label = `png-${++colourSeed}`): Promise<GeneratedImage> {
  const d = createHash("sha256").update(label).digest();
  const bytes = await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: d[0]!, g: d[1]!, b: d[2]! } } })
    .png()
    .toBuffer();
  return { bytes, mimeType: "image/png" };
}

export function providerError(kind: ProviderFailureKind, details: ProviderError["details"] = {}): ProviderError {
  return new ProviderError(kind, `fake provider failure: ${kind}`, details);
}

/** One scripted answer of `generate`: an image (the default), an error, optionally after a real delay. */
export type GenerateStep = "image" | ProviderError | { error?: ProviderError; delayMs?: number };

export interface GenerateRequest {
  prompt: string;
  model: string;
  size: ImageSize;
  quality: Quality;
  user: string;
}

/** Holds the next `generate` call until released: a job stays `generating` for as long as the test wants. */
export interface Hold {
  /** Resolves once a generate call is waiting on this hold. */
  started: Promise<void>;
  release(): void;
}

function abortable(promise: Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason ?? new Error("aborted"));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      },
      (error: unknown) => reject(error),
    );
  });
}

/** An image provider with scripted outcomes that counts what it was asked. */
export class FakeImageProvider implements ImageProvider {
  readonly generateRequests: GenerateRequest[] = [];
  readonly moderated: string[] = [];
  /** Prompts the moderation endpoint flagged, with the words that flagged them. */
  readonly flaggedPrompts: Array<{ prompt: string; words: string[] }> = [];
  private readonly steps: GenerateStep[] = [];
  private readonly holds: Array<{ gate: Promise<void>; onStart(): void }> = [];
  private readonly flagged = new Map<string, string[]>();

  get generateCalls(): number {
    return this.generateRequests.length;
  }
  get moderateCalls(): number {
    return this.moderated.length;
  }

  /** Queues the answers of the next generate calls; once used up, every call succeeds. */
  script(...steps: GenerateStep[]): this {
    this.steps.push(...steps);
    return this;
  }

  /** Prompts containing `word` (case-insensitive) are flagged with these categories. */
  flag(word: string, categories: string[]): this {
    this.flagged.set(word.toLowerCase(), categories);
    return this;
  }

  hold(): Hold {
    let release!: () => void;
    let onStart!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started = new Promise<void>((resolve) => (onStart = resolve));
    this.holds.push({ gate, onStart });
    return { started, release };
  }

  async generate(request: GenerateRequest & { signal?: AbortSignal }): Promise<GeneratedImage> {
    const { signal, ...recorded } = request;
    this.generateRequests.push(recorded);
    const hold = this.holds.shift();
    if (hold) {
      hold.onStart();
      await abortable(hold.gate, signal);
    }
    const step = this.steps.shift() ?? "image";
    if (step === "image") return tinyPng(`${request.prompt}#${this.generateRequests.length}`);
    if (step instanceof ProviderError) throw step;
    if (step.delayMs) await abortable(new Promise((resolve) => setTimeout(resolve, step.delayMs)), signal);
    if (step.error) throw step.error;
    return tinyPng(`${request.prompt}#${this.generateRequests.length}`);
  }

  // ---- remix (edit): scripted like generate, recorded with the input image's bytes
  readonly editRequests: Array<GenerateRequest & { image: GeneratedImage }> = [];

  async edit(request: GenerateRequest & { image: GeneratedImage; signal?: AbortSignal }): Promise<GeneratedImage> {
    const { signal, ...recorded } = request;
    this.editRequests.push(recorded);
    const step = this.steps.shift() ?? "image";
    if (step instanceof ProviderError) throw step;
    if (step !== "image" && step.delayMs) await abortable(new Promise((resolve) => setTimeout(resolve, step.delayMs)), signal);
    if (step !== "image" && step.error) throw step.error;
    return tinyPng(`edit:${request.prompt}#${this.editRequests.length}`);
  }

  async moderate(prompt: string): Promise<ModerationResult> {
    this.moderated.push(prompt);
    const lower = prompt.toLowerCase();
    const words = new Set<string>();
    for (const [word, categories] of this.flagged) if (lower.includes(word)) categories.forEach((c) => words.add(c));
    if (words.size === 0) return { flagged: false, categories: [] };
    this.flaggedPrompts.push({ prompt, words: [...words] });
    return { flagged: true, categories: [...words] };
  }

  // Image moderation (issue 12, item 4): every image passes unless its prompt contains a word of `flagImages`.
  readonly moderatedImages: Array<{ prompt: string; image: GeneratedImage }> = [];
  private readonly flaggedImages = new Map<string, string[]>();

  /** Images made from prompts containing `word` (case-insensitive) are flagged with these categories. */
  flagImages(word: string, categories: string[]): this {
    this.flaggedImages.set(word.toLowerCase(), categories);
    return this;
  }

  async moderateImage(request: { prompt: string; image: GeneratedImage }): Promise<ModerationResult> {
    this.moderatedImages.push({ prompt: request.prompt, image: request.image });
    const categories = [...this.flaggedImages].filter(([word]) => request.prompt.toLowerCase().includes(word)).flatMap(([, c]) => c);
    return { flagged: categories.length > 0, categories: [...new Set(categories)] };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Text model (TEXT_MODEL)

/** One scripted answer of the fake text model: its normal answer (the default), an error, or after a hold. */
export type TextStep = "answer" | ProviderError | { until: Promise<unknown>; error?: ProviderError };

/** A text model with scripted outcomes that records what it was asked; the default answers come from the prompt. */
export class FakeTextModel implements TextModel {
  readonly model = "gpt-5.6-luna";
  readonly polishRequests: Array<{ prompt: string; user: string }> = [];
  readonly captionRequests: Array<{ prompt: string; user: string }> = [];
  /** What one call costs, in micro-USD. */
  costMicroUsd = 150;
  private readonly steps: TextStep[] = [];

  /** Queues the outcomes of the next calls (polish and caption alike); once used up, every call answers. */
  script(...steps: TextStep[]): this {
    this.steps.push(...steps);
    return this;
  }

  async polish(request: { prompt: string; user: string; signal?: AbortSignal }): Promise<{ text: string; costMicroUsd: number }> {
    this.polishRequests.push({ prompt: request.prompt, user: request.user });
    await this.next(request.signal);
    return { text: `${request.prompt}, in soft golden light with rich detail`, costMicroUsd: this.costMicroUsd };
  }

  async caption(request: { prompt: string; user: string; signal?: AbortSignal }): Promise<{ title: string; altText: string; costMicroUsd: number }> {
    this.captionRequests.push({ prompt: request.prompt, user: request.user });
    await this.next(request.signal);
    const title = [...request.prompt].slice(0, 30).join("").trim();
    return { title: `Title: ${title}`, altText: `A picture of ${request.prompt}`.slice(0, 300), costMicroUsd: this.costMicroUsd };
  }

  private async next(signal?: AbortSignal): Promise<void> {
    const step = this.steps.shift() ?? "answer";
    if (step === "answer") return;
    if (step instanceof ProviderError) throw step;
    await abortable(step.until.then(() => undefined), signal);
    if (step.error) throw step.error;
  }
}

/** Content-addressed image files in memory. */
export class MemoryImageFiles implements ImageFiles {
  readonly images = new Map<string, GeneratedImage>();

  async put(bytes: Buffer, mimeType: GeneratedImage["mimeType"]): Promise<string> {
    const hash = createHash("sha256").update(bytes).digest("hex");
    if (!this.images.has(hash)) this.images.set(hash, { bytes: Buffer.from(bytes), mimeType });
    return hash;
  }
  async get(hash: string): Promise<GeneratedImage | null> {
    return this.images.get(hash) ?? null;
  }
  async delete(hash: string): Promise<void> {
    this.images.delete(hash);
  }
}

/** Renders a real PNG and remembers how many images each collage held, and what it was asked to draw. */
export class FakeCollage implements CollageRenderer {
  readonly renders: number[] = [];
  readonly inputs: Parameters<CollageRenderer["render"]>[0][] = [];
  async render(input: Parameters<CollageRenderer["render"]>[0]): Promise<GeneratedImage> {
    this.renders.push(input.tiles.length);
    this.inputs.push(input);
    return tinyPng(`collage-${this.renders.length}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Platform

export interface FakeMessage {
  kind: "creation" | "digest";
  communityExternalId: string;
  channelId: string;
  messageId: string;
  url: string;
  deleted: boolean;
  /** Present on creation posts. */
  creationId?: number;
  prompt?: string;
  authorUserId?: string;
  image?: GeneratedImage;
  /** Present on digest posts. */
  digest?: DigestView;
  collage?: GeneratedImage | null;
  /** `${userId} ${emoji}` → reaction, as the platform holds it. */
  reactions: Map<string, ReactionSnapshot>;
}

/** A chat platform in memory: messages, reactions, status messages and channels that can go missing. */
export class FakePublisher implements Publisher {
  readonly messages = new Map<string, FakeMessage>();
  readonly statusLog: Array<{ statusRef: string; status: JobStatus }> = [];
  readonly deletes: Array<{ channelId: string; messageId: string }> = [];
  readonly fetches: string[] = [];
  /** Every look before a repost: `creation:<id>` or `digest:<day>`. */
  readonly lookups: string[] = [];
  private readonly channelProblems = new Map<string, PublishFailureKind>();
  private readonly postHolds: Array<{ gate: Promise<void>; onStart(): void }> = [];
  private readonly postFailures: Error[] = [];
  private seq = 0;

  constructor(readonly platform: Platform = "discord") {}

  /** Every gallery post ever made (deleted ones included). */
  get posts(): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.kind === "creation");
  }
  get digests(): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.kind === "digest");
  }
  /** The states a status message went through, in order. */
  statusesOf(statusRef: string): JobStatus[] {
    return this.statusLog.filter((s) => s.statusRef === statusRef).map((s) => s.status);
  }

  /** Makes posting to a channel fail the way a platform says so; `null` heals it. */
  setChannelProblem(channelId: string, kind: PublishFailureKind | null): void {
    if (kind === null) this.channelProblems.delete(channelId);
    else this.channelProblems.set(channelId, kind);
  }

  /** The next gallery posts throw these errors, in order (a platform's rate limit, a 5xx). */
  failPosts(...errors: Error[]): void {
    this.postFailures.push(...errors);
  }

  /** Holds the next gallery post until released (the message appears when released). */
  holdPost(): Hold {
    let release!: () => void;
    let onStart!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started = new Promise<void>((resolve) => (onStart = resolve));
    this.postHolds.push({ gate, onStart });
    return { started, release };
  }

  /** A member reacts on the platform (whether or not the bot hears about it). */
  react(messageId: string, userId: string, emoji: string, isBot = false): void {
    this.message(messageId).reactions.set(`${userId} ${emoji}`, { userId, emoji, isBot });
  }
  unreact(messageId: string, userId: string, emoji: string): void {
    this.message(messageId).reactions.delete(`${userId} ${emoji}`);
  }
  /** Someone deletes the message on the platform. */
  deleteMessage(messageId: string): void {
    this.message(messageId).deleted = true;
  }

  message(messageId: string): FakeMessage {
    const m = this.messages.get(messageId);
    if (!m) throw new Error(`no fake message ${messageId}`);
    return m;
  }

  private throwIfChannelProblem(channelId: string): void {
    const problem = this.checkedProblem(channelId);
    if (problem) throw problem;
  }

  private checkedProblem(channelId: string): PublishError | null {
    const problem = this.channelProblems.get(channelId);
    return problem ? new PublishError(problem, `fake platform: ${problem} in ${channelId}`) : null;
  }

  /** Every check of a channel, by channel id. */
  readonly channelChecks: string[] = [];

  async checkChannel(_community: Community, channelId: string): Promise<PublishError | null> {
    this.channelChecks.push(channelId);
    const problem = this.checkedProblem(channelId);
    // What a platform can tell without posting: access and existence, not a one-off refusal of a post.
    return problem && (problem.kind === "missing_access" || problem.kind === "channel_not_found") ? problem : null;
  }

  private newMessage(community: Community, channelId: string, fields: Omit<FakeMessage, "communityExternalId" | "channelId" | "messageId" | "url" | "deleted" | "reactions">): FakeMessage {
    const messageId = `m${++this.seq}`;
    const message: FakeMessage = {
      ...fields,
      communityExternalId: community.externalId,
      channelId,
      messageId,
      url: `https://discord.com/channels/${community.externalId}/${channelId}/${messageId}`,
      deleted: false,
      reactions: new Map(),
    };
    this.messages.set(messageId, message);
    return message;
  }

  async postCreation(input: { community: Community; creation: Creation; image: GeneratedImage }): Promise<PostRef> {
    const channelId = input.community.galleryChannelId!;
    const hold = this.postHolds.shift();
    if (hold) {
      hold.onStart();
      await hold.gate;
    }
    this.throwIfChannelProblem(channelId);
    const failure = this.postFailures.shift();
    if (failure) throw failure;
    const m = this.newMessage(input.community, channelId, {
      kind: "creation",
      creationId: input.creation.id,
      prompt: input.creation.prompt,
      authorUserId: input.creation.authorUserId,
      image: input.image,
    });
    return { channelId, messageId: m.messageId, url: m.url };
  }

  async findCreationPost(input: { community: Community; creation: Creation; since: Date }): Promise<PostRef | null> {
    this.lookups.push(`creation:${input.creation.id}`);
    const m = this.posts.find((p) => !p.deleted && p.creationId === input.creation.id && p.channelId === input.community.galleryChannelId);
    return m ? { channelId: m.channelId, messageId: m.messageId, url: m.url } : null;
  }

  async findDigestPost(input: { community: Community; channelId: string; digest: DigestView; since: Date }): Promise<PostRef | null> {
    this.lookups.push(`digest:${input.digest.day}`);
    const m = this.digests.find((d) => !d.deleted && d.channelId === input.channelId && d.digest?.day === input.digest.day);
    return m ? { channelId: m.channelId, messageId: m.messageId, url: m.url } : null;
  }

  /** The next deletions throw these errors, in order (a missing permission, an outage). */
  failDeletes(...errors: Error[]): void {
    this.deleteFailures.push(...errors);
  }
  private readonly deleteFailures: Error[] = [];

  async deletePost(_community: Community, channelId: string, messageId: string): Promise<void> {
    const failure = this.deleteFailures.shift();
    if (failure) throw failure;
    this.deletes.push({ channelId, messageId });
    const m = this.messages.get(messageId);
    if (m) m.deleted = true;
  }

  async postDigest(input: { community: Community; channelId: string; digest: DigestView; collage: GeneratedImage | null }): Promise<PostRef> {
    this.throwIfChannelProblem(input.channelId);
    const m = this.newMessage(input.community, input.channelId, { kind: "digest", digest: input.digest, collage: input.collage });
    return { channelId: input.channelId, messageId: m.messageId, url: m.url };
  }

  /**
   * Holds the next read of a post's reactions after the platform answered: the snapshot is taken when the read starts,
   * and reaches the bot when released (a slow read, while live events go on).
   */
  holdFetch(): Hold {
    let release!: () => void;
    let onStart!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started = new Promise<void>((resolve) => (onStart = resolve));
    this.fetchHolds.push({ gate, onStart });
    return { started, release };
  }
  private readonly fetchHolds: Array<{ gate: Promise<void>; onStart(): void }> = [];

  /** Every digest edit, in order. */
  readonly digestEdits: Array<{ messageId: string; digest: DigestView; collage: GeneratedImage | null }> = [];

  async editDigest(input: { community: Community; channelId: string; messageId: string; digest: DigestView; collage: GeneratedImage | null }): Promise<void> {
    const failure = this.editFailures.shift();
    if (failure) throw failure;
    this.digestEdits.push({ messageId: input.messageId, digest: input.digest, collage: input.collage });
    const m = this.messages.get(input.messageId);
    if (m && !m.deleted) {
      m.digest = input.digest;
      m.collage = input.collage;
    }
  }
  /** The next digest edits throw these errors, in order. */
  failEdits(...errors: Error[]): void {
    this.editFailures.push(...errors);
  }
  private readonly editFailures: Error[] = [];

  async fetchReactions(_community: Community, _channelId: string, messageId: string): Promise<ReactionSnapshot[] | "deleted"> {
    this.fetches.push(messageId);
    const m = this.messages.get(messageId);
    const snapshot: ReactionSnapshot[] | "deleted" = !m || m.deleted ? "deleted" : [...m.reactions.values()].map((r) => ({ ...r }));
    const hold = this.fetchHolds.shift();
    if (hold) {
      hold.onStart();
      await hold.gate;
    }
    return snapshot;
  }

  async updateStatus(statusRef: string, status: JobStatus): Promise<void> {
    this.statusLog.push({ statusRef, status });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Logger

export interface LogEntry {
  level: "debug" | "info" | "warn" | "error";
  msg: string | undefined;
  obj: Record<string, unknown>;
}

/** Prints nothing; keeps every entry (children included) so a test can check what reached the operator. */
export class SilentLogger implements Logger {
  constructor(
    readonly entries: LogEntry[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}
  private add(level: LogEntry["level"], obj: object, msg?: string): void {
    this.entries.push({ level, msg, obj: { ...this.bindings, ...(obj as Record<string, unknown>) } });
  }
  debug(obj: object, msg?: string): void {
    this.add("debug", obj, msg);
  }
  info(obj: object, msg?: string): void {
    this.add("info", obj, msg);
  }
  warn(obj: object, msg?: string): void {
    this.add("warn", obj, msg);
  }
  error(obj: object, msg?: string): void {
    this.add("error", obj, msg);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new SilentLogger(this.entries, { ...this.bindings, ...bindings });
  }
  at(level: LogEntry["level"]): LogEntry[] {
    return this.entries.filter((e) => e.level === level);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Waiting

/** Polls (with real, short timers) until `check` holds; on each poll the fake clock may move `advanceMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  opts: { timeoutMs?: number; clock?: FakeClock; advanceMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5_000);
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? "a condition"}`);
    if (opts.clock && opts.advanceMs) opts.clock.advance(opts.advanceMs);
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Answers

/** A core sentence with its marked words (channels, members, commands) as plain text: `#id`, `@id`, `/salon setup`. */
export function said(text: string): string {
  return renderWords(text, (word) => (word.kind === "channel" ? `#${word.id}` : word.kind === "member" ? `@${word.id}` : `/${word.path}${word.example ? ` ${word.example}` : ""}`));
}

/** What a rejected call told the member, as plain text (see {@link said}). */
export async function refusalOf(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => {
      throw new Error("expected a refusal");
    },
    (e: unknown) => e,
  );
  if (!(error instanceof UserError)) throw error;
  return said(error.userMessage);
}
/** The entries of a `/top by:creations` answer (fails if the answer is by creators). */
export function rankedCreations(view: TopView): RankedCreation[] {
  if (view.by !== "creations") throw new Error(`expected a ranking of creations, got ${view.by}`);
  return view.entries;
}

/** The entries of a `/top by:creators` answer. */
export function rankedCreators(view: TopView): RankedCreator[] {
  if (view.by !== "creators") throw new Error(`expected a ranking of creators, got ${view.by}`);
  return view.entries;
}

// ---------------------------------------------------------------------------------------------------------------
// The salon under test

/** A small price table: medium square costs 4 cents, so the default 5 USD budget is 125 images. */
export const TEST_PRICES: PriceTable = {
  "gpt-image-2": {
    low: { "1024x1024": 0.01, "1024x1536": 0.015, "1536x1024": 0.015 },
    medium: { "1024x1024": 0.04, "1024x1536": 0.06, "1536x1024": 0.06 },
    high: { "1024x1024": 0.17, "1024x1536": 0.25, "1536x1024": 0.25 },
  },
};

export const DEFAULT_COMMUNITY = "guild-1";
export const GALLERY = "c-gallery";
export const DIGEST_CHANNEL = "c-digest";
export const ADMIN = "u-admin";

export interface SharedDatabase {
  db: Database;
  stores: Stores;
  url: string;
}

export interface BuildSalonOverrides {
  /** Use this database (another instance's, or a second client on its file) instead of a fresh one. */
  database?: SharedDatabase;
  clock?: FakeClock;
  provider?: FakeImageProvider;
  publisher?: FakePublisher;
  files?: MemoryImageFiles;
  options?: Partial<SalonOptions>;
  concurrency?: number;
  /** Replaces individual dependencies (e.g. a wrapper around one of the store's ports). */
  deps?: Partial<SalonDeps>;
}

export interface SetUpOptions extends Partial<SetupInput> {
  community?: string;
  limits?: LimitsInput;
}

export interface SalonHarness {
  salon: Salon;
  deps: SalonDeps;
  db: Database;
  /** The store's ports over the database (those in `deps` unless an override replaced one). */
  stores: Stores;
  url: string;
  clock: FakeClock;
  provider: FakeImageProvider;
  publisher: FakePublisher;
  files: MemoryImageFiles;
  collage: FakeCollage;
  logger: SilentLogger;
  options: SalonOptions;
  ref(community?: string): CommunityRef;
  actor(userId: string, opts?: { admin?: boolean; community?: string }): Actor;
  /** `/salon setup` by an admin (gallery `c-gallery` unless told), then `/salon limits` when given. */
  setUp(opts?: SetUpOptions): Promise<Community>;
  community(externalId?: string): Promise<Community>;
  /** Starts the workers (once). */
  startQueue(): Promise<void>;
  /** Waits until no creation is queued, generating or posting; the clock moves `advanceMs` per poll. */
  drain(opts?: { advanceMs?: number; timeoutMs?: number }): Promise<void>;
  /** `/imagine` by `userId`, then runs the queue until the creation is posted; returns it. */
  createPosted(userId: string, prompt: string, opts?: { at?: Date | string; community?: string }): Promise<Creation>;
  creation(id: number): Promise<Creation>;
  /** Stops the workers and, when the database is this harness's own, closes and removes it. */
  cleanup(): Promise<void>;
}

export async function buildSalon(overrides: BuildSalonOverrides = {}): Promise<SalonHarness> {
  const own = overrides.database ? null : await createTestDatabase();
  const database: SharedDatabase = overrides.database ?? own!;
  const clock = overrides.clock ?? new FakeClock();
  const provider = overrides.provider ?? new FakeImageProvider();
  const publisher = overrides.publisher ?? new FakePublisher("discord");
  const files = overrides.files ?? new MemoryImageFiles();
  const collage = new FakeCollage();
  const logger = new SilentLogger();
  const options: SalonOptions = {
    imageModel: "gpt-image-2",
    prices: TEST_PRICES,
    reconcileDays: 7,
    maxAttempts: 3,
    retryBaseMs: 1,
    instanceId: "instance-a",
    userHashSalt: "test-salt",
    ...overrides.options,
  };
  const deps: SalonDeps = {
    ...database.stores,
    provider,
    files,
    collage,
    clock,
    logger,
    publishers: { discord: publisher },
    options,
    ...overrides.deps,
  };
  const salon = new Salon(deps, overrides.concurrency ?? 1);
  let started = false;
  let statusSeq = 0;

  const ref = (community = DEFAULT_COMMUNITY): CommunityRef => ({ platform: "discord", externalId: community });
  const actor = (userId: string, opts: { admin?: boolean; community?: string } = {}): Actor => ({
    community: ref(opts.community),
    userId,
    isAdmin: opts.admin ?? false,
  });

  const activeCount = () => database.db.prisma.creation.count({ where: { status: { in: ["queued", "generating", "posting"] } } });

  const harness: SalonHarness = {
    salon,
    deps,
    db: database.db,
    stores: database.stores,
    url: database.url,
    clock,
    provider,
    publisher,
    files,
    collage,
    logger,
    options,
    ref,
    actor,
    async setUp(opts = {}) {
      const admin = actor(ADMIN, { admin: true, community: opts.community });
      await salon.setup(admin, {
        galleryChannelId: opts.galleryChannelId ?? GALLERY,
        digestChannelId: opts.digestChannelId,
        digestTime: opts.digestTime,
        timezone: opts.timezone,
      });
      if (opts.limits) await salon.limits(admin, opts.limits);
      return harness.community(opts.community);
    },
    async community(externalId = DEFAULT_COMMUNITY) {
      const c = await database.stores.communities.findCommunity(ref(externalId));
      if (!c) throw new Error(`community ${externalId} is not set up`);
      return c;
    },
    async startQueue() {
      if (started) return;
      started = true;
      await salon.queue.start();
    },
    async drain(opts = {}) {
      await harness.startQueue();
      await waitFor(async () => (await activeCount()) === 0, {
        clock,
        advanceMs: opts.advanceMs ?? 0,
        timeoutMs: opts.timeoutMs ?? 5_000,
        what: "the queue to drain",
      });
    },
    async createPosted(userId, prompt, opts = {}) {
      if (opts.at) clock.set(opts.at);
      const { creation } = await salon.imagine(actor(userId, { community: opts.community }), { prompt, statusRef: `status-${++statusSeq}` });
      await harness.drain();
      const posted = await harness.creation(creation.id);
      if (posted.status !== "posted") throw new Error(`creation ${creation.id} ended ${posted.status}: ${posted.error}`);
      return posted;
    },
    async creation(id) {
      const c = await database.stores.creations.getCreation(id);
      if (!c) throw new Error(`no creation ${id}`);
      return c;
    },
    async cleanup() {
      if (started) await salon.queue.stop(1_000);
      started = false;
      if (own) await own.cleanup();
    },
  };
  return harness;
}
