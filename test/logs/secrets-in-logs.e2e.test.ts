/**
 * Secrets never reach a log line. Each platform plays a representative session through the loopback servers at
 * LOG_LEVEL=debug (creating, liking, rankings, privacy, admin commands) plus the failures most likely to carry a
 * secret into a log: OpenAI errors whose message echoes the API key, Discord and Slack errors whose bodies echo the
 * bot token, a request with a bad Slack signature, a Socket Mode reconnect. Then every captured line is scanned for
 * every configured secret (`secretValues(config)`: tokens, signing secret, app token, OpenAI key, hash salt), in full
 * and in any 16-character piece, and for the raw member ids in what OpenAI received as `user`.
 */
import { afterEach, describe, expect, it } from "vitest";
import { secretValues, type Config } from "../../src/config/config.js";
import type { FakeUser, InteractionHandle } from "../support/discord/types.js";
import { addCommunity, adminCommand, command, createPost, eventually, imagine, likeCountOf, startHarness, type Harness } from "../support/harness.js";
import type { FakeSlackUser } from "../support/slack/types.js";
import { addSlackCommunity, createSlackPost, salonText, slackLikeCountOf, startSlackHarness, type SlackHarness } from "../support/slack-harness.js";

const SALT = "operator-salt-7d1e2b9a44";
const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

let open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const o of open) await o.close();
  open = [];
});

/** Every 16-character piece of a secret (a leak of part of a token is a leak). Public parts are left out. */
function pieces(secret: string, publicParts: string[] = []): string[] {
  const out = new Set<string>();
  for (let i = 0; i + 16 <= secret.length; i++) {
    const piece = secret.slice(i, i + 16);
    if (publicParts.some((p) => p.includes(piece)) || /^(.)\1+$/.test(piece)) continue;
    out.add(piece);
  }
  return [...out];
}

/** The lines holding any secret or piece of one, with the secret's name (never the secret itself). */
function leaks(logText: string, secrets: Record<string, string>, publicParts: string[] = []): string[] {
  const found: string[] = [];
  const lines = logText.split("\n");
  for (const [name, secret] of Object.entries(secrets)) {
    const forms = [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString("base64"), ...pieces(secret, publicParts)];
    lines.forEach((line, i) => {
      if (forms.some((form) => line.includes(form))) found.push(`${name} in log line ${i + 1}`);
    });
  }
  return found;
}

function namedSecrets(config: Config, extra: Record<string, string>): Record<string, string> {
  const named: Record<string, string> = { ...extra };
  secretValues(config).forEach((value, i) => (named[`secretValues[${i}]`] = value));
  return named;
}

describe("no secret reaches a log line", () => {
  it("on Discord: a session with OpenAI and Discord failures that echo the key and the token", async () => {
    const h: Harness = await startHarness({ env: { USER_HASH_SALT: SALT } });
    open.push(h);
    const c = await addCommunity(h, "Secret Keepers");
    const [ana, ben, chloe] = c.members as [FakeUser, FakeUser, FakeUser];
    await adminCommand(h, c, "limits", [{ type: 4, name: "cooldown_seconds", value: 0 }]);
    const key = h.openai.apiKey;
    const token = h.discord.botToken;
    const handles: InteractionHandle[] = [];
    const outcome = async (handle: InteractionHandle) => (await handle.waitFor((m) => /^(✅|⚠️|Something went wrong)/.test(m.content), 15_000)).content;

    // An ordinary session.
    const post = await createPost(h, c, ana, "a secret-free lighthouse");
    h.discord.react(c.gallery.id, post.id, ben.id, "👍");
    h.discord.react(c.gallery.id, post.id, chloe.id, "🔥");
    h.discord.unreact(c.gallery.id, post.id, chloe.id, "🔥");
    await eventually(async () => expect(await likeCountOf(h.running, c, post.id)).toBe(1));
    await command(h, c, ben, "top", [{ type: 3, name: "period", value: "all" }]);
    await command(h, c, ben, "profile", [{ type: 6, name: "member", value: ana.id }]);
    await adminCommand(h, c, "settings");
    await adminCommand(h, c, "digest", [{ type: 3, name: "day", value: "today" }]);
    await adminCommand(h, c, "recount");
    await command(h, c, ana, "privacy", [{ type: 1, name: "export" }]);

    // OpenAI echoes the key: a wrong-key 401, a 500, a failing moderation.
    h.openai.scriptImages({ status: 401, error: { message: `Incorrect API key provided: ${key}.`, code: "invalid_api_key", type: "invalid_request_error" } });
    handles.push(imagine(h, c, ben, "the key echoes back"));
    expect(await outcome(handles.at(-1)!)).toContain("unavailable");
    h.openai.scriptImages(...Array.from({ length: 3 }, () => ({ status: 500, error: { message: `upstream failed for key ${key}`, type: "server_error" } })));
    handles.push(imagine(h, c, ben, "the server echoes the key"));
    expect(await outcome(handles.at(-1)!)).toContain("kept failing");
    // Moderation fails as often as the harness retries it (3 attempts): the member hears "unavailable".
    h.openai.scriptModerations(...Array.from({ length: 3 }, () => ({ status: 500, error: { message: `moderation down (${key})`, type: "server_error" } })));
    expect(await command(h, c, chloe, "imagine", [{ type: 3, name: "prompt", value: "moderation fails" }])).toContain("unavailable");

    // Discord echoes the token: the gallery post refused, the status edit refused, a 5xx storm on posting.
    h.discord.fail({ method: "POST", pathPattern: /^\/channels\/\d+\/messages$/, status: 400, body: { message: `Invalid Form Body (token ${token})`, code: 50035 } });
    handles.push(imagine(h, c, chloe, "the post is refused"));
    expect(await outcome(handles.at(-1)!)).toContain("couldn't be posted");
    h.discord.fail({ method: "PATCH", pathPattern: /^\/webhooks\//, status: 401, body: { message: `401: Unauthorized ${token}`, code: 0 }, times: 2 });
    await createPost(h, c, ana, "status edits are refused");
    h.discord.fail({ method: "POST", pathPattern: /^\/channels\/\d+\/messages$/, status: 502, body: { message: `bad gateway ${token}`, code: 0 }, times: 4 });
    await createPost(h, c, ben, "posting retried after a 5xx storm");
    await settle(500);

    const text = h.logText();
    expect(text.length).toBeGreaterThan(1000);
    expect(text).toContain("[redacted]"); // the echoes did reach the logger, and were redacted
    const publicIdPart = token.split(".")[0]!; // base64 of the bot's public user id
    expect(leaks(text, namedSecrets(h.config, { discordToken: token, openaiKey: key, salt: SALT }), [publicIdPart])).toEqual([]);

    // OpenAI's `user` is a hash, never a raw member or server id.
    for (const r of h.openai.imageRequests) {
      expect(r.body.user).toMatch(/^[0-9a-f]{32}$/);
      for (const id of [ana.id, ben.id, chloe.id, c.guild.id]) expect(String(r.body.user)).not.toContain(id);
    }
  }, 90_000);

  it("on Discord: the interaction token (a 15-minute credential) of a command whose defer or reply fails is not logged", async () => {
    const h: Harness = await startHarness();
    open.push(h);
    const c = await addCommunity(h, "Token Keepers", ["ana"]);
    const [ana] = c.members as [FakeUser];
    h.discord.fail({ method: "POST", pathPattern: /^\/interactions\/\d+\/[^/]+\/callback$/, status: 400, body: { message: "Invalid Form Body", code: 50035 } });
    const refusedDefer = h.discord.slashCommand({ guildId: c.guild.id, channelId: c.gallery.id, userId: ana.id, name: "top" });
    h.discord.fail({ method: "PATCH", pathPattern: /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/, status: 400, body: { message: "Invalid Form Body", code: 50035 } });
    const refusedEdit = h.discord.slashCommand({ guildId: c.guild.id, channelId: c.gallery.id, userId: ana.id, name: "profile" });
    await eventually(() => expect(h.logText()).toContain("could not edit the interaction reply"), 10_000);
    await eventually(() => expect(h.logText()).toContain("could not defer the interaction"), 10_000);
    const text = h.logText();
    expect(leaks(text, { deferToken: refusedDefer.token, editToken: refusedEdit.token })).toEqual([]);
  }, 60_000);

  // discord.js errors carry the webhook URL, and so the interaction token: DiscordPublisher.updateStatus logs a scrubbed reason.
  it("on Discord: the interaction token of a creation whose status edit fails is not logged", async () => {
    const h: Harness = await startHarness();
    open.push(h);
    const c = await addCommunity(h, "Token Keepers", ["ana"]);
    h.discord.fail({ method: "PATCH", pathPattern: /^\/webhooks\//, status: 401, body: { message: "401: Unauthorized", code: 0 }, times: 2 });
    await createPost(h, c, c.members[0]!, "status edits are refused");
    const tokens = [...new Set(h.discord.requests.map((r) => /^\/webhooks\/\d+\/([^/]+)\//.exec(r.path)?.[1]).filter((t): t is string => Boolean(t)))];
    expect(tokens.length).toBeGreaterThan(0);
    expect(leaks(h.logText(), Object.fromEntries(tokens.map((t, i) => [`interactionToken${i}`, t])))).toEqual([]);
  }, 60_000);

  it("on Slack over HTTP: a session with Slack errors echoing the bot token, OpenAI errors echoing the key and a forged request", async () => {
    const h: SlackHarness = await startSlackHarness({ env: { USER_HASH_SALT: SALT } });
    open.push(h);
    const c = await addSlackCommunity(h);
    const [ana, ben, chloe] = c.members as [FakeSlackUser, FakeSlackUser, FakeSlackUser];
    await salonText(h, c, c.admin, "limits cooldown_seconds=0");
    const key = h.openai.apiKey;
    const token = h.slack.botToken;
    const imagineText = async (user: FakeSlackUser, prompt: string) => {
      const handle = await h.slack.slashCommand({ command: "/imagine", text: prompt, userId: user.id, channelId: c.gallery.id });
      return (await handle.waitForResponse((r) => /^(✅|⚠️|Something went wrong)/.test(r.text), 20_000)).text;
    };

    const post = await createSlackPost(h, c, ana, "a secret-free harbour");
    await h.slack.react(c.gallery.id, post.ts, ben.id, "+1");
    await h.slack.react(c.gallery.id, post.ts, chloe.id, "fire");
    await h.slack.unreact(c.gallery.id, post.ts, chloe.id, "fire");
    await eventually(async () => expect(await slackLikeCountOf(h, c, post.ts)).toBe(1));
    for (const text of ["top all", `profile ${h.slack.userRef(ana.id)}`, "privacy export", "help"]) await salonText(h, c, ben, text);
    for (const text of ["settings", "digest today", "recount"]) await salonText(h, c, c.admin, text);

    h.openai.scriptImages({ status: 401, error: { message: `Incorrect API key provided: ${key}.`, code: "invalid_api_key", type: "invalid_request_error" } });
    expect(await imagineText(ben, "the key echoes back")).toContain("unavailable");
    h.openai.scriptModerations(...Array.from({ length: 3 }, () => ({ status: 500, error: { message: `moderation down (${key})`, type: "server_error" } })));
    expect(await salonText(h, c, chloe, "nonsense")).toContain("I don't know");
    const modFail = await h.slack.slashCommand({ command: "/imagine", text: "moderation fails", userId: chloe.id, channelId: c.gallery.id });
    expect((await modFail.waitForResponse()).text).toContain("unavailable");

    h.slack.fail({ method: "files.completeUploadExternal", error: `invalid_auth_${token}` });
    expect(await imagineText(chloe, "the upload is refused")).toContain("couldn't be posted");
    h.slack.fail({ method: "chat.getPermalink", error: `token_revoked_${token}` });
    expect(await imagineText(ana, "no permalink")).toContain("Posted");
    const forged = await h.slack.slashCommand({ command: "/salon", text: "settings", userId: c.admin.id, channelId: c.gallery.id, signature: "bad" });
    expect(forged.status).toBe(401);
    await settle(500);

    const text = h.logText();
    expect(text).toContain("[redacted]");
    expect(leaks(text, namedSecrets(h.config, { slackBotToken: token, signingSecret: h.slack.signingSecret, openaiKey: key, salt: SALT }))).toEqual([]);
    for (const r of h.openai.imageRequests) for (const id of [ana.id, ben.id, chloe.id, h.slack.teamId]) expect(String(r.body.user)).not.toContain(id);
  }, 90_000);

  it("on Slack in Socket Mode: the app-level token stays out of the logs, reconnects included", async () => {
    const h: SlackHarness = await startSlackHarness({ mode: "socket", env: { USER_HASH_SALT: SALT } });
    open.push(h);
    const c = await addSlackCommunity(h, ["ana"]);
    await createSlackPost(h, c, c.members[0]!, "over the socket");
    h.slack.disconnectSockets();
    // The SDK reconnects after its delay; until then a delivery has nowhere to go (status 0).
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      await settle(250);
      if (h.slack.socketConnections === 0) continue;
      const handle = await h.slack.slashCommand({ command: "/salon", text: "top all", userId: c.members[0]!.id, channelId: c.gallery.id });
      status = handle.status;
      if (status === 200) expect((await handle.waitForResponse()).text).toBeTruthy();
    }
    expect(status).toBe(200);
    const text = h.logText();
    expect(leaks(text, namedSecrets(h.config, { slackAppToken: h.slack.appToken, slackBotToken: h.slack.botToken, signingSecret: h.slack.signingSecret, salt: SALT }))).toEqual([]);
  }, 60_000);
});
