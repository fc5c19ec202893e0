/**
 * One community day, described once and played on both platforms: the same members create the same images,
 * react with the same emoji (each platform spelling them its own way), and the next morning the scheduler's tick
 * publishes the digest. Each driver starts the whole bot (config → startSalon) against its loopback platform and a
 * loopback OpenAI, with a {@link MovableClock} set to yesterday, and reads the digest back from the message the
 * bot posted — Discord's text, or Slack's Block Kit — so the two platforms can be compared entry by entry.
 *
 * Used by `test/scenario/community-day.test.ts` and by `npm run demo [-- --platform slack]`.
 */
import { MovableClock } from "../support/movable-clock.js";
import { literal } from "../../src/discord/render.js";
import type { FakeMessage, FakeUser } from "../support/discord/types.js";
import { addCommunity, command, createPost, likeCountOf, startHarness, type Community, type Harness } from "../support/harness.js";
import { POLISH_ACTIONS } from "../../src/slack/slack-polish.js";
import { REMIX_SHORTCUT, REMIX_VIEW } from "../../src/slack/slack-remix.js";
import type { FakeSlackUser } from "../support/slack/types.js";
import { addSlackCommunity, createSlackPost, slashText, startSlackHarness, type SlackCommunity, type SlackHarness } from "../support/slack-harness.js";

export type Platform = "discord" | "slack";

/** Each emoji of the scenario as Discord sends it (Unicode) and as Slack names it (no colons). */
export const EMOJI = {
  "😍": { discord: "😍", slack: "heart_eyes" },
  "🔥": { discord: "🔥", slack: "fire" },
  "👍": { discord: "👍", slack: "+1" },
  "❤️": { discord: "❤️", slack: "heart" },
  "🦊": { discord: "🦊", slack: "fox_face" },
  "🤖": { discord: "🤖", slack: "robot_face" },
  "🌧️": { discord: "🌧️", slack: "rain_cloud" },
  "🐋": { discord: "🐋", slack: "whale2" },
} as const satisfies Record<string, Record<Platform, string>>;

export type Emoji = keyof typeof EMOJI;

/** A platform-neutral community day: who is there, who creates what, who reacts to which creation with what. */
export interface Scenario {
  community: string;
  members: readonly string[];
  /** In the order they are made (45 s apart on the clock, past the 30 s cooldown). */
  creations: ReadonlyArray<{ by: string; prompt: string }>;
  /** `on` is an index into `creations`. */
  reactions: ReadonlyArray<{ on: number; by: string; emoji: Emoji }>;
}

export const COMMUNITY_DAY: Scenario = {
  community: "Demo Salon",
  members: ["ana", "ben", "chloe", "dev", "eli"],
  creations: [
    { by: "ana", prompt: "a lighthouse at dawn, oil on canvas" },
    { by: "ben", prompt: "a fox made of autumn leaves" },
    { by: "chloe", prompt: "a tiny robot watering a bonsai" },
    { by: "dev", prompt: "a city skyline reflected in a raindrop" },
    { by: "ana", prompt: "a whale swimming through clouds" },
  ],
  reactions: [
    { on: 0, by: "ben", emoji: "😍" },
    { on: 0, by: "chloe", emoji: "🔥" },
    { on: 0, by: "dev", emoji: "👍" },
    { on: 0, by: "eli", emoji: "👍" },
    { on: 0, by: "eli", emoji: "🔥" }, // a second emoji from eli: still one like
    { on: 1, by: "ana", emoji: "🦊" },
    { on: 1, by: "chloe", emoji: "👍" },
    { on: 1, by: "dev", emoji: "👍" },
    { on: 2, by: "ana", emoji: "🤖" },
    { on: 2, by: "ben", emoji: "❤️" },
    { on: 2, by: "dev", emoji: "❤️" },
    { on: 2, by: "chloe", emoji: "👍" }, // chloe's own creation: not a like
    { on: 3, by: "eli", emoji: "🌧️" },
    { on: 4, by: "ben", emoji: "🐋" },
    { on: 4, by: "chloe", emoji: "🐋" },
    { on: 4, by: "dev", emoji: "🐋" },
  ],
};

/** The digest as a member reads it, whatever the platform. */
export interface DigestReading {
  /** The day, e.g. "25 November 2026". */
  title: string;
  entries: Array<{
    rank: number;
    prompt: string;
    /** The creator's member name (Discord mentions resolved through the fake's users). */
    creator: string;
    likes: number;
    /** Index into the scenario's creations of the post the entry links to (null when the link is not a gallery post). */
    linksTo: number | null;
  }>;
  summary: { creations: number; likers: number; topCreator: { name: string; likes: number } | null };
}

export interface PlayedDay {
  platform: Platform;
  /** The gallery posts, in scenario order. */
  posts: Array<{ by: string; prompt: string; file: string; bytes: number }>;
  /** Like counts the bot stored per creation once the reactions had been handled. */
  storedLikes: number[];
  /** `/top today` as the first member sees it, readable. */
  topToday: string;
  /** The morning the clock moved to. */
  morning: Date;
  /** Digests posted by the scheduler's first tick and by a second one. */
  firstTick: number;
  secondTick: number;
  /** Digest messages in the channel after each tick. */
  digestMessages: { afterFirst: number; afterSecond: number };
  digest: DigestReading;
  /** The digest message as posted, as readable lines. */
  digestLines: string[];
  collage: { filename: string; mimeType: string; bytes: Buffer } | null;
}

export interface PlayOptions {
  /** Narration of what happens, for the demo. */
  say?: (line: string) => void;
  /** Where the day starts; default yesterday 10:00 UTC. */
  start?: Date;
  /**
   * The demo's extra act: a member polishes a prompt before paying and picks the polished one; another
   * remixes the day's first creation, and a third likes the remix, so the digest credits its original creator.
   */
  showcase?: boolean;
}

/** Likes each creation should end with: distinct reacting members, the author excluded. */
export function expectedLikes(scenario: Scenario): number[] {
  return scenario.creations.map((creation, index) => {
    const likers = new Set(scenario.reactions.filter((r) => r.on === index && r.by !== creation.by).map((r) => r.by));
    return likers.size;
  });
}

function yesterdayMorning(): Date {
  const start = new Date(Date.now() - 86_400_000);
  start.setUTCHours(10, 0, 0, 0);
  return start;
}

function nextMorning(start: Date): Date {
  const morning = new Date(start.getTime() + 86_400_000);
  morning.setUTCHours(9, 0, 30, 0); // the default digest time is 09:00 UTC
  return morning;
}

/** Waits until `read` gives `expected` (reactions are handled asynchronously), or gives up and returns what it read. */
async function settle(read: () => Promise<number[]>, expected: number[], timeoutMs = 5_000): Promise<number[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const now = await read();
    if (JSON.stringify(now) === JSON.stringify(expected) || Date.now() > until) return now;
    await new Promise((r) => setTimeout(r, 25));
  }
}

function memberNamed<T>(members: Map<string, T>, name: string): T {
  const member = members.get(name);
  if (!member) throw new Error(`the scenario names ${name}, who is not a member`);
  return member;
}

const likeCount = (text: string) => Number(text);

// ─────────────────────────────────────────────────────────────── Discord

const DISCORD_TITLE = /^🏆 \*\*Salon digest — (.+)\*\*$/;
const DISCORD_ENTRY = /^\*\*(\d+)\.\*\* “(.*)” by <@(\d+)>(?: \(remix of [^)]+\))? — (\d+) likes? — (\S+)$/;
const DISCORD_SUMMARY = /^(\d+) creations? · (\d+) likers?(?: · top creator <@(\d+)> \((\d+) likes?\))?$/;

/** Reads Discord's digest text; `nameOf` resolves a mention's user id, `postIndex` a message link. */
export function readDiscordDigest(content: string, nameOf: (id: string) => string, postIndex: (messageId: string) => number | null): DigestReading {
  const lines = content.split("\n").filter((line) => line.trim() !== "");
  const title = DISCORD_TITLE.exec(lines[0] ?? "")?.[1];
  const summary = DISCORD_SUMMARY.exec(lines.at(-1) ?? "");
  if (!title || !summary) throw new Error(`not a Discord digest:\n${content}`);
  const entries = lines.slice(1, -1).map((line) => {
    const m = DISCORD_ENTRY.exec(line);
    if (!m) throw new Error(`not a Discord digest entry: ${line}`);
    return { rank: Number(m[1]), prompt: m[2]!, creator: nameOf(m[3]!), likes: likeCount(m[4]!), linksTo: postIndex(m[5]!.split("/").at(-1)!) };
  });
  return {
    title,
    entries,
    summary: {
      creations: Number(summary[1]),
      likers: Number(summary[2]),
      topCreator: summary[3] ? { name: nameOf(summary[3]), likes: likeCount(summary[4]!) } : null,
    },
  };
}

/** Plays the scenario on the loopback Discord. */
export async function playOnDiscord(scenario: Scenario, options: PlayOptions = {}): Promise<PlayedDay> {
  const say = options.say ?? (() => {});
  const start = options.start ?? yesterdayMorning();
  const clock = new MovableClock(start);
  const h = await startHarness({ clock, env: { RECONCILE_DAYS: "0" } });
  try {
    const c = await addCommunity(h, scenario.community, [...scenario.members]);
    const members = new Map(c.members.map((m) => [m.username, m]));
    const nameOf = (id: string) => h.discord.user(id)?.username ?? id;
    const readable = (text: string) => text.replace(/<@(\d+)>/g, (_, id: string) => `@${nameOf(id)}`);
    say(`Guild "${c.guild.name}" set up by its admin: gallery #${c.gallery.name}, digest at 09:00 UTC.\n`);

    const posts: PlayedDay["posts"] = [];
    const messageIds: string[] = [];
    for (const { by, prompt } of scenario.creations) {
      const post = await createPost(h, c, memberNamed(members, by), prompt);
      const file = post.attachments[0]!;
      posts.push({ by, prompt, file: file.filename, bytes: file.size });
      messageIds.push(post.id);
      say(`${by.padEnd(6)} /imagine "${prompt}" → posted to #${c.gallery.name} (${file.filename}, ${file.size} bytes)`);
      clock.advance(45_000); // past the 30 s cooldown
    }

    if (options.showcase) await showcaseOnDiscord(h, c, members, messageIds, clock, say, readable);

    for (const { on, by, emoji } of scenario.reactions) h.discord.react(c.gallery.id, messageIds[on]!, memberNamed(members, by).id, EMOJI[emoji].discord);
    say(`\n${scenario.reactions.length} reactions from the community (an author's own does not count).`);
    const storedLikes = await settle(() => Promise.all(messageIds.map((id) => likeCountOf(h.running, c, id))), expectedLikes(scenario));

    const first = memberNamed(members, scenario.members[0]!);
    const topToday = readable(await command(h, c, first, "top", [{ type: 3, name: "period", value: "today" }]));
    say(`\n/top period:today, as ${first.username} sees it:\n${topToday}`);

    const morning = nextMorning(start);
    clock.set(morning);
    say(`\nThe clock moves to ${morning.toISOString()}: the scheduler's tick publishes yesterday's digest.`);
    const digests = () => h.discord.messages(c.gallery.id).filter((m) => !m.deleted && m.content.includes("Salon digest"));
    const firstTick = await h.running.salon.publishDueDigests();
    const afterFirst = digests().length;
    const secondTick = await h.running.salon.publishDueDigests();
    const afterSecond = digests().length;
    const message = digests()[0];
    if (!message) throw new Error("Discord: the digest was not posted");
    const attachment = message.attachments[0];
    return {
      platform: "discord",
      posts,
      storedLikes,
      topToday,
      morning,
      firstTick,
      secondTick,
      digestMessages: { afterFirst, afterSecond },
      digest: readDiscordDigest(message.content, nameOf, (id) => (messageIds.includes(id) ? messageIds.indexOf(id) : null)),
      digestLines: readable(message.content).split("\n"),
      collage: attachment ? { filename: attachment.filename, mimeType: attachment.contentType, bytes: attachment.bytes } : null,
    };
  } finally {
    await h.close();
  }
}

/** The demo's polish and remix (see `PlayOptions.showcase`), between the day's creations and its reactions. */
async function showcaseOnDiscord(
  h: Harness,
  c: Community,
  members: Map<string, FakeUser>,
  messageIds: string[],
  clock: MovableClock,
  say: (line: string) => void,
  readable: (text: string) => string,
): Promise<void> {
  const [first, second, third] = [...members.values()].slice(-3) as [FakeUser, FakeUser, FakeUser];
  const buttons = (m: FakeMessage) => (m.components as Array<{ components: Array<{ label: string; custom_id: string }> }>).flatMap((r) => r.components);
  const click = (user: FakeUser, m: FakeMessage, customId: string) => h.discord.clickButton({ guildId: c.guild.id, channelId: c.gallery.id, userId: user.id, messageId: m.id, customId });

  const rough = "a cat reading by a window";
  const asked = h.discord.slashCommand({ guildId: c.guild.id, channelId: c.gallery.id, userId: first.id, name: "imagine", options: [{ type: 3, name: "prompt", value: rough }, { type: 5, name: "polish", value: true }] as never });
  const choice = await asked.waitFor((m) => m.components.length > 0, 10_000);
  say(`\n${first.username} /imagine "${rough}" polish:True → only ${first.username} sees:\n${choice.content.replace(/\\/g, "")}\n[${buttons(choice).map((b) => b.label).join("] [")}]`);
  click(first, choice, buttons(choice).find((b) => b.label === "Use polished")!.custom_id);
  const done = await asked.waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
  say(`${first.username} picks Use polished → ${readable(done.content)}`);
  clock.advance(45_000);

  const parent = h.discord.messages(c.gallery.id).find((m) => m.id === messageIds[0])!;
  const remixButton = buttons(parent).find((b) => b.label === "Remix")!;
  const opener = click(second, parent, remixButton.custom_id);
  const form = await opener.response();
  const prefilled = (form.data as { components: Array<{ components: Array<{ value: string }> }> }).components[0]!.components[0]!.value;
  const prompt = prefilled.replace("at dawn", "in a snowstorm");
  say(`\n${second.username} clicks Remix on "${prefilled}" → a form with its prompt filled in; submits "${prompt}"`);
  await h.discord.submitModal({ opener, values: { prompt } }).waitFor((m) => m.content.includes("Posted to the gallery"), 10_000);
  const remix = await h.discord.waitForMessage(c.gallery.id, (m) => m.embeds.some((e: { description?: string }) => e.description === literal(prompt, 4096)));
  say(`The remix's gallery post (an edit of the parent's image, nobody pinged):\n${readable(remix.content)}\n  title: ${remix.embeds[0]?.title} · alt text: ${remix.attachments[0]?.description}`);
  const fan = members.get("ben") ?? third;
  h.discord.react(c.gallery.id, remix.id, third.id, "😍");
  h.discord.react(c.gallery.id, remix.id, fan.id, "🔥");
  say(`${third.username} and ${fan.username} like the remix.`);
  clock.advance(45_000);
}

// ─────────────────────────────────────────────────────────────── Slack

type Block = { type: string; text?: { text: string }; elements?: Array<{ text?: string }>; slack_file?: { id: string }; alt_text?: string };

const unescape = (text: string) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
/** Slack mrkdwn → plain text: `<url|label>` → `label (url)`, `*bold*` → `bold`, entities decoded. */
const plain = (mrkdwn: string) => unescape(mrkdwn.replace(/<([^|>]+)\|([^>]+)>/g, "$2 ($1)").replace(/\*([^*]+)\*/g, "$1"));

const SLACK_TITLE = /^🏆 Salon digest — (.+)$/;
const SLACK_ENTRY = /^\*(\d+)\.\* “(.*)” by (.+?)(?: \(remix of [^)]+\))? — (\d+) likes? — <([^|>]+)\|view>$/;
const SLACK_SUMMARY = /^(\d+) creations? · (\d+) likers?(?: · top creator (.+) \((\d+) likes?\))?$/;

/** A Slack permalink `…/archives/C…/p1732611234123456` → the message ts `1732611234.123456`. */
export function permalinkTs(url: string): string | null {
  const digits = /\/p(\d{7,})(?:\?|$)/.exec(url)?.[1];
  return digits ? `${digits.slice(0, -6)}.${digits.slice(-6)}` : null;
}

/** Reads Slack's digest blocks (header, one section per entry, a context summary, the collage image). */
export function readSlackDigest(blocks: readonly Block[], postIndex: (ts: string) => number | null): DigestReading {
  const header = blocks.find((b) => b.type === "header")?.text?.text ?? "";
  const context = blocks.find((b) => b.type === "context")?.elements?.[0]?.text ?? "";
  const title = SLACK_TITLE.exec(header)?.[1];
  const summary = SLACK_SUMMARY.exec(context);
  if (!title || !summary) throw new Error(`not a Slack digest:\n${JSON.stringify(blocks, null, 2)}`);
  const entries = blocks
    .filter((b) => b.type === "section")
    .map((b) => {
      const text = b.text?.text ?? "";
      const m = SLACK_ENTRY.exec(text);
      if (!m) throw new Error(`not a Slack digest entry: ${text}`);
      const ts = permalinkTs(m[5]!);
      return { rank: Number(m[1]), prompt: unescape(m[2]!), creator: unescape(m[3]!), likes: likeCount(m[4]!), linksTo: ts ? postIndex(ts) : null };
    });
  return {
    title: unescape(title),
    entries,
    summary: {
      creations: Number(summary[1]),
      likers: Number(summary[2]),
      topCreator: summary[3] ? { name: unescape(summary[3]), likes: likeCount(summary[4]!) } : null,
    },
  };
}

/** Block Kit as a member would read it, one line per text line. */
export function slackBlockLines(blocks: readonly Block[]): string[] {
  const lines: string[] = [];
  for (const b of blocks) {
    if (b.type === "header") lines.push(b.text?.text ?? "", "");
    else if (b.type === "section") lines.push(plain(b.text?.text ?? ""));
    else if (b.type === "context") lines.push("", ...(b.elements ?? []).map((e) => plain(e.text ?? "")));
    else if (b.type === "image") lines.push(`[image ${b.slack_file?.id ?? ""}: ${b.alt_text ?? ""}]`);
  }
  return lines;
}

/** Plays the scenario on the loopback Slack (HTTP events on the health port, as with `SLACK_APP_TOKEN` unset). */
export async function playOnSlack(scenario: Scenario, options: PlayOptions = {}): Promise<PlayedDay> {
  const say = options.say ?? (() => {});
  const start = options.start ?? yesterdayMorning();
  const clock = new MovableClock(start);
  const h = await startSlackHarness({ clock, env: { RECONCILE_DAYS: "0" } });
  try {
    const c = await addSlackCommunity(h, [...scenario.members]);
    const members = new Map(c.members.map((m) => [m.name, m]));
    say(`Workspace "${h.slack.teamDomain}" set up by its admin (/salon setup #${c.gallery.name}): gallery #${c.gallery.name}, digest at 09:00 UTC.\n`);

    const posts: PlayedDay["posts"] = [];
    const timestamps: string[] = [];
    for (const { by, prompt } of scenario.creations) {
      const post = await createSlackPost(h, c, memberNamed(members, by), prompt);
      const file = post.files[0]!;
      posts.push({ by, prompt, file: file.name, bytes: file.bytes.length });
      timestamps.push(post.ts);
      say(`${by.padEnd(6)} /imagine ${prompt} → uploaded to #${c.gallery.name} (${file.name}, ${file.bytes.length} bytes)`);
      clock.advance(45_000); // past the 30 s cooldown
    }

    if (options.showcase) await showcaseOnSlack(h, c, members, timestamps, clock, say);

    for (const { on, by, emoji } of scenario.reactions) await h.slack.react(c.gallery.id, timestamps[on]!, memberNamed(members, by).id, EMOJI[emoji].slack);
    say(`\n${scenario.reactions.length} reactions from the community (an author's own does not count).`);
    const { communities, creations } = h.running.salon.deps;
    const community = await communities.findCommunity({ platform: "slack", externalId: h.slack.teamId });
    if (!community) throw new Error("Slack: the workspace is not stored");
    const storedLikes = await settle(
      () => Promise.all(timestamps.map(async (ts) => (await creations.findCreationByPost(community.id, c.gallery.id, ts))?.likeCount ?? -1)),
      expectedLikes(scenario),
    );

    const first = memberNamed(members, scenario.members[0]!);
    const topToday = plain(await slashText(h, "/salon", "top today", first.id, c.gallery.id));
    say(`\n/salon top today, as ${first.name} sees it:\n${topToday}`);

    const morning = nextMorning(start);
    clock.set(morning);
    say(`\nThe clock moves to ${morning.toISOString()}: the scheduler's tick publishes yesterday's digest.`);
    const digests = () => h.slack.messages(c.gallery.id).filter((m) => !m.deleted && m.source === "chat.postMessage" && m.text.includes("Salon digest"));
    const firstTick = await h.running.salon.publishDueDigests();
    const afterFirst = digests().length;
    const secondTick = await h.running.salon.publishDueDigests();
    const afterSecond = digests().length;
    const message = digests()[0];
    if (!message) throw new Error("Slack: the digest was not posted");
    const blocks = (message.blocks ?? []) as Block[];
    const fileId = blocks.find((b) => b.type === "image")?.slack_file?.id;
    const file = fileId ? h.slack.file(fileId) : undefined;
    return {
      platform: "slack",
      posts,
      storedLikes,
      topToday,
      morning,
      firstTick,
      secondTick,
      digestMessages: { afterFirst, afterSecond },
      digest: readSlackDigest(blocks, (ts) => (timestamps.includes(ts) ? timestamps.indexOf(ts) : null)),
      digestLines: slackBlockLines(blocks),
      collage: file?.uploaded ? { filename: file.name, mimeType: file.mimetype, bytes: file.bytes } : null,
    };
  } finally {
    await h.close();
  }
}

/** Plays the scenario on one platform. */
/** The demo's polish and remix on Slack (see `PlayOptions.showcase`): Block Kit buttons, the message shortcut, a modal. */
async function showcaseOnSlack(
  h: SlackHarness,
  c: SlackCommunity,
  members: Map<string, FakeSlackUser>,
  timestamps: string[],
  clock: MovableClock,
  say: (line: string) => void,
): Promise<void> {
  const [first, second, third] = [...members.values()].slice(-3) as [FakeSlackUser, FakeSlackUser, FakeSlackUser];
  type Button = { text?: { text: string }; action_id?: string };
  const buttons = (blocks: unknown[] | undefined) => ((blocks ?? []) as Array<{ elements?: Button[] }>).flatMap((b) => b.elements ?? []);
  const texts = (blocks: unknown[] | undefined) => ((blocks ?? []) as Array<{ text?: { text: string } }>).map((b) => b.text?.text).filter((t) => t !== undefined);

  const rough = "a cat reading by a window";
  await h.slack.slashCommand({ command: "/imagine", text: `${rough} --polish`, userId: first.id, channelId: c.gallery.id });
  const choice = await h.slack.waitForEphemeral(first.id, (e) => buttons(e.blocks).length > 0 && !e.replaced);
  say(`\n${first.name} /imagine ${rough} --polish → only ${first.name} sees:\n${texts(choice.blocks).map(plain).join("\n")}\n[${buttons(choice.blocks).map((b) => b.text?.text).join("] [")}]`);
  // The status goes on through the click's own response URL, over the choice.
  const pick = await h.slack.clickButton({ userId: first.id, channelId: c.gallery.id, messageTs: choice.ts, actionId: POLISH_ACTIONS.polished });
  const done = await pick.waitForResponse((r) => (r.text ?? "").includes("Posted to the gallery"), 10_000);
  say(`${first.name} picks Use polished → ${plain(done.text)}`);
  clock.advance(45_000);

  const parentTs = timestamps[0]!;
  const shortcut = await h.slack.messageShortcut({ userId: second.id, channelId: c.gallery.id, messageTs: parentTs, callbackId: REMIX_SHORTCUT });
  for (let i = 0; i < 200 && !h.slack.views.openViewOf(second.id, REMIX_VIEW); i++) await new Promise((r) => setTimeout(r, 25));
  const view = h.slack.views.openViewOf(second.id, REMIX_VIEW);
  if (!view) throw new Error("Slack: the remix form did not open");
  const prefilled = ((view.view.blocks ?? []) as Array<{ element?: { initial_value?: string } }>).map((b) => b.element?.initial_value).find((v) => v !== undefined) ?? "";
  const prompt = prefilled.replace("at dawn", "in a snowstorm");
  say(`\n${second.name} picks Remix creation on "${prefilled}" → a form with its prompt filled in; submits "${prompt}"`);
  const before = new Set(h.slack.messages(c.gallery.id).map((m) => m.ts));
  await h.slack.submitView({ userId: second.id, callbackId: REMIX_VIEW, values: { prompt } });
  await shortcut.waitForResponse((r) => (r.text ?? "").includes("Posted to the gallery"), 10_000);
  const remix = await h.slack.waitForMessage(c.gallery.id, (m) => m.files.length > 0 && !before.has(m.ts), 10_000);
  say(`The remix's gallery post (an edit of the parent's image):\n${plain(remix.text)}\n  file title: ${remix.files[0]?.title} · alt text: ${remix.files[0]?.altText}`);
  const fan = members.get("ben") ?? third;
  await h.slack.react(c.gallery.id, remix.ts, third.id, "heart_eyes");
  await h.slack.react(c.gallery.id, remix.ts, fan.id, "fire");
  say(`${third.name} and ${fan.name} like the remix.`);
  clock.advance(45_000);
}

export function playCommunityDay(platform: Platform, scenario: Scenario = COMMUNITY_DAY, options: PlayOptions = {}): Promise<PlayedDay> {
  return platform === "discord" ? playOnDiscord(scenario, options) : playOnSlack(scenario, options);
}
