/**
 * The bot scopes Salon asks for when a workspace installs it through `/slack/install` (the manifests in `commands/`
 * list the same; test/operations/slack-manifest.test.ts keeps them equal to what src/slack calls).
 */
export const SLACK_BOT_SCOPES = [
  "channels:history",
  "chat:write",
  "commands",
  "files:read",
  "files:write",
  "groups:history",
  "im:write",
  "reactions:read",
  "users:read",
] as const;
