/**
 * `commands/slack-manifest.json` creates Salon's Slack app: these tests keep it equal to what `src/slack` does.
 * The commands, shortcut and events are read from the adapter's source; every Web API method it calls must be
 * covered by a scope, and no scope may be listed that nothing uses. The scope of each method and event comes
 * from Slack's reference (docs.slack.dev/reference/methods/…, …/events/…, …/scopes/…).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DELETE_SHORTCUT } from "../../src/slack/slack-render.js";
import { REMIX_SHORTCUT } from "../../src/slack/slack-remix.js";
import { SLACK_BOT_SCOPES } from "../../src/slack/slack-scopes.js";
import { MovableClock } from "../support/movable-clock.js";
import { addSlackCommunity, createSlackPost, slashText, startSlackHarness } from "../support/slack-harness.js";

interface Manifest {
  _metadata: { major_version: number };
  display_information: { name: string };
  features: {
    bot_user?: { display_name: string };
    slash_commands: Array<{ command: string; description: string; usage_hint?: string; should_escape?: boolean; url?: string }>;
    shortcuts: Array<{ name: string; type: string; callback_id: string; description: string }>;
  };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[]; request_url?: string };
    interactivity: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled: boolean;
  };
}

const root = path.resolve(import.meta.dirname, "../..");
const manifest = JSON.parse(readFileSync(path.join(root, "commands/slack-manifest.json"), "utf8")) as Manifest;
const slackDir = path.join(root, "src/slack");
const source = readdirSync(slackDir)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => readFileSync(path.join(slackDir, f), "utf8"))
  .join("\n");

const all = (pattern: RegExp) => [...new Set([...source.matchAll(pattern)].map((m) => m[1]!))].sort();
const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/**
 * Bot-token scope of each Web API method (null: none needed). SDK wrappers are listed with the scope of the methods
 * they call (`files.uploadV2` = `files.getUploadURLExternal` + upload + `files.completeUploadExternal`).
 */
const METHOD_SCOPES: Record<string, string | null> = {
  "auth.test": null,
  "chat.postMessage": "chat:write",
  "chat.delete": "chat:write",
  "chat.postEphemeral": "chat:write",
  "chat.update": "chat:write",
  "chat.getPermalink": null,
  "conversations.open": "im:write", // a 1:1 DM; mpim:write would be for group DMs
  "conversations.history": "channels:history", // groups:history in a private channel (already asked for by message.groups)
  "files.uploadV2": "files:write",
  "files.getUploadURLExternal": "files:write",
  "files.completeUploadExternal": "files:write",
  "files.info": "files:read",
  "files.delete": "files:write",
  "reactions.get": "reactions:read",
  "users.info": "users:read",
  "views.open": null, // a modal, opened with an interaction's trigger_id
};

/** Which Events API subscriptions deliver the events the adapter handles (`app.event("…")`). */
const privateChannels = /shares\.private/.test(source); // the publisher finds gallery posts in private channels too
const EVENT_SUBSCRIPTIONS: Record<string, string[]> = {
  reaction_added: ["reaction_added"],
  reaction_removed: ["reaction_removed"],
  team_join: ["team_join"],
  // `message` (Salon only reads its `message_deleted` subtype) arrives per conversation type.
  message: ["message.channels", ...(privateChannels ? ["message.groups"] : [])],
  // Sent when a workspace removes the app or revokes its token; no scope (docs.slack.dev/reference/events/…).
  app_uninstalled: ["app_uninstalled"],
  tokens_revoked: ["tokens_revoked"],
};

/** Scope each subscription requires. */
const EVENT_SCOPES: Record<string, string | null> = {
  app_uninstalled: null,
  tokens_revoked: null,
  reaction_added: "reactions:read",
  reaction_removed: "reactions:read",
  team_join: "users:read",
  "message.channels": "channels:history",
  "message.groups": "groups:history",
};

const registeredCommands = all(/app\.command\(\s*"(\/[a-z0-9_-]+)"/g);
// Any Web API client: \`client.files.info(\`, \`postClient.chat.postMessage(\`.
const calledMethods = all(/[cC]lient\.([a-z]+\.[A-Za-z0-9]+)\(/g);
const handledEvents = all(/app\.event\(\s*"([a-z_]+)"/g);

describe("commands/slack-manifest.json", () => {
  it("is a version 1 manifest for an app named Salon with a bot user", () => {
    expect(manifest._metadata.major_version).toBe(1);
    expect(manifest.display_information.name).toBe("Salon");
    expect(manifest.features.bot_user?.display_name).toBe("Salon");
  });

  it("declares exactly the slash commands src/slack registers, escaped, with descriptions and usage hints", () => {
    expect(registeredCommands).toEqual(["/imagine", "/salon"]);
    expect(manifest.features.slash_commands.map((c) => c.command).sort()).toEqual(registeredCommands);
    for (const command of manifest.features.slash_commands) {
      // Escaping on: channels and users arrive as <#C…|name> and <@U…>, which the adapter parses.
      expect(command.should_escape, command.command).toBe(true);
      expect(command.description.length, command.command).toBeGreaterThan(0);
      expect(command.usage_hint?.length ?? 0, command.command).toBeGreaterThan(0);
    }
  });

  it("declares the message shortcuts the adapter listens for", () => {
    expect(source).toMatch(/app\.shortcut\(\s*DELETE_SHORTCUT/);
    expect(source).toMatch(/app\.shortcut\(\s*REMIX_SHORTCUT/);
    expect(manifest.features.shortcuts).toEqual([
      { name: "Delete creation", type: "message", callback_id: DELETE_SHORTCUT, description: expect.any(String) as string },
      { name: "Remix creation", type: "message", callback_id: REMIX_SHORTCUT, description: expect.any(String) as string },
    ]);
  });

  it("turns interactivity on, since the adapter handles a button and a shortcut", () => {
    expect(source).toMatch(/app\.action\(/);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  it("uses Socket Mode, so it needs no request URL (the README says how to switch to HTTP)", () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.request_url).toBeUndefined();
    expect(manifest.settings.interactivity.request_url).toBeUndefined();
    for (const command of manifest.features.slash_commands) expect(command.url, command.command).toBeUndefined();
  });

  it("has an HTTP twin for many workspaces (commands/slack-manifest-http.json): the same app, with request URLs and the OAuth redirect URL", () => {
    const http = JSON.parse(readFileSync(path.join(root, "commands/slack-manifest-http.json"), "utf8")) as Manifest & { oauth_config: { redirect_urls?: string[] } };
    const events = "https://salon.example.com/slack/events";
    expect(http.settings.socket_mode_enabled).toBe(false);
    expect(http.settings.event_subscriptions.request_url).toBe(events);
    expect(http.settings.interactivity.request_url).toBe(events);
    expect(http.oauth_config.redirect_urls).toEqual(["https://salon.example.com/slack/oauth_redirect"]);
    for (const command of http.features.slash_commands) expect(command.url).toBe(events);
    const strip = (m: Manifest) => JSON.parse(JSON.stringify(m, (key, value: unknown) => (["url", "request_url", "redirect_urls", "socket_mode_enabled"].includes(key) ? undefined : value))) as unknown;
    expect(strip(http)).toEqual(strip(manifest));
  });

  it("knows the scope of every Web API method the adapter calls", () => {
    expect(calledMethods.length).toBeGreaterThan(5); // the scan found the calls
    const unknown = calledMethods.filter((m) => !(m in METHOD_SCOPES));
    expect(unknown, "add these methods to METHOD_SCOPES with the scope from docs.slack.dev/reference/methods").toEqual([]);
  });

  it("subscribes to the events the adapter handles, and to nothing else", () => {
    expect(handledEvents).toEqual(["app_uninstalled", "message", "reaction_added", "reaction_removed", "team_join", "tokens_revoked"]);
    const unknown = handledEvents.filter((e) => !(e in EVENT_SUBSCRIPTIONS));
    expect(unknown, "add these events to EVENT_SUBSCRIPTIONS").toEqual([]);
    expect(sorted(manifest.settings.event_subscriptions.bot_events)).toEqual(sorted(handledEvents.flatMap((e) => EVENT_SUBSCRIPTIONS[e]!)));
  });

  it("asks for exactly the scopes the methods, events and commands need: none missing, none unused", () => {
    const needed = sorted([
      ...calledMethods.map((m) => METHOD_SCOPES[m]).filter((s): s is string => typeof s === "string"),
      ...manifest.settings.event_subscriptions.bot_events.map((e) => EVENT_SCOPES[e]).filter((s): s is string => typeof s === "string"),
      // slash commands and shortcuts
      ...(manifest.features.slash_commands.length + manifest.features.shortcuts.length > 0 ? ["commands"] : []),
    ]);
    expect(sorted(manifest.oauth_config.scopes.bot)).toEqual(needed);
    // What `/slack/install` asks for in multi-workspace mode.
    expect(sorted(SLACK_BOT_SCOPES)).toEqual(needed);
    expect(manifest.oauth_config.scopes.user ?? []).toEqual([]);
  });

  it("covers every Web API method the running bot calls on the wire (SDK wrappers included)", async () => {
    const start = new Date(Date.now() - 86_400_000);
    start.setUTCHours(10, 0, 0, 0);
    const clock = new MovableClock(start);
    const h = await startSlackHarness({ clock, env: { RECONCILE_DAYS: "7" } });
    try {
      const c = await addSlackCommunity(h, ["ana", "ben"]);
      const [ana, ben] = c.members as [(typeof c.members)[0], (typeof c.members)[0]];
      const kept = await createSlackPost(h, c, ana, "a lighthouse at dawn");
      clock.advance(45_000);
      const deleted = await createSlackPost(h, c, ana, "a fox made of leaves");
      await h.slack.react(c.gallery.id, kept.ts, ben.id, "+1");
      expect(await slashText(h, "/salon", "recount", c.admin.id, c.gallery.id)).toMatch(/^Re-read the likes/);
      expect(await slashText(h, "/salon", "privacy export", ben.id, c.gallery.id)).toMatch(/direct message/);
      const shortcut = await h.slack.messageShortcut({ userId: ana.id, channelId: c.gallery.id, messageTs: deleted.ts, callbackId: DELETE_SHORTCUT });
      await shortcut.waitForResponse((r) => r.text.startsWith("Deleted"));
      const morning = new Date(start.getTime() + 86_400_000);
      morning.setUTCHours(9, 0, 30, 0); // the default digest time, 09:00 UTC
      clock.set(morning);
      expect(await h.running.salon.publishDueDigests()).toBe(1);

      const wire = sorted(h.slack.calls.filter((call) => call.tokenType === "bot").map((call) => call.method));
      expect(wire).toEqual(expect.arrayContaining(["files.getUploadURLExternal", "files.completeUploadExternal", "chat.postMessage", "reactions.get", "conversations.open", "files.delete"]));
      const unknown = wire.filter((m) => !(m in METHOD_SCOPES));
      expect(unknown, "add these methods to METHOD_SCOPES").toEqual([]);
      const granted = new Set(manifest.oauth_config.scopes.bot);
      const uncovered = wire.filter((m) => METHOD_SCOPES[m] && !granted.has(METHOD_SCOPES[m]!));
      expect(uncovered, "methods called without their scope in the manifest").toEqual([]);
      expect(h.slack.calls.filter((call) => !call.ok).map((call) => `${call.method}: ${call.error}`)).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
