/**
 * Slack's OAuth installations, two ways in: Bolt's {@link BoltInstallationStore} (Bolt stores an install from
 * `/slack/oauth_redirect` and reads it back to authorize each incoming request), and the events that end one,
 * `app_uninstalled` and `tokens_revoked`, which remove the token and stop the workspace's work.
 */
import type { App, Installation, InstallationQuery, InstallationStore as BoltInstallationStore } from "@slack/bolt";
import type { Clock, Logger } from "../core/ports.js";
import type { InstallationStore } from "../core/store/installations.js";
import type { InstalledWorkspaces, SlackWorkspaces } from "./slack-workspaces.js";
import type { SlackPublisher } from "./slack-routing-publisher.js";
import type { TokenCipher } from "./token-cipher.js";

/** The reason a creation queued when its workspace removed Salon fails with, as its member reads it. */
export const UNINSTALLED_REASON = "Salon was removed from this Slack workspace, so your image was not made. Nothing was charged to your quota.";

/** Org-wide installs (Enterprise Grid) would serve many workspaces under one token; Salon keys tokens by workspace. */
const ORG_WIDE_REFUSED = "Salon is installed per workspace: org-wide installs are not supported. Install it from each workspace instead.";

/** Bolt's installation store over Salon's database; tokens are sealed before they are written. */
export function boltInstallationStore(store: InstallationStore, cipher: TokenCipher, workspaces: InstalledWorkspaces, clock: Clock): BoltInstallationStore {
  return {
    async storeInstallation(installation: Installation): Promise<void> {
      const teamId = installation.team?.id;
      if (installation.isEnterpriseInstall || !teamId) throw new Error(ORG_WIDE_REFUSED);
      if (!installation.bot) throw new Error("Slack's answer to the install carries no bot token: the app must ask for bot scopes");
      const now = clock.now();
      await store.saveInstallation({
        teamId,
        enterpriseId: installation.enterprise?.id ?? null,
        appId: installation.appId ?? null,
        botId: installation.bot.id ?? null,
        botUserId: installation.bot.userId,
        botTokenSealed: cipher.seal(teamId, installation.bot.token),
        botScopes: installation.bot.scopes.join(","),
        installerUserId: installation.user.id ?? null,
        installedAt: now,
        updatedAt: now,
      });
      workspaces.forget(teamId);
    },

    async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<"v2", false>> {
      if (query.isEnterpriseInstall || !query.teamId) throw new Error(ORG_WIDE_REFUSED);
      const teamId = query.teamId;
      const opened = await workspaces.token(teamId);
      if (!opened) throw new Error(`Salon is not installed in Slack workspace ${teamId}`);
      const row = opened.installation;
      return {
        team: { id: teamId },
        enterprise: row.enterpriseId ? { id: row.enterpriseId } : undefined,
        user: { id: row.installerUserId ?? "", token: undefined, scopes: undefined },
        bot: { token: opened.token, scopes: row.botScopes.split(","), id: row.botId ?? "", userId: row.botUserId },
        ...(row.appId ? { appId: row.appId } : {}),
        tokenType: "bot",
        isEnterpriseInstall: false,
        authVersion: "v2",
      };
    },

    async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
      if (query.teamId) await store.removeInstallation(query.teamId, UNINSTALLED_REASON, clock.now());
    },
  };
}

export interface UninstallContext {
  store: InstallationStore;
  workspaces: SlackWorkspaces;
  publisher: SlackPublisher;
  clock: Clock;
  logger: Logger;
}

/**
 * `app_uninstalled` (the app was removed) and `tokens_revoked` with a bot token (the bot's token is dead): the
 * workspace's installation goes, its queued creations fail before anything is paid for, its digests stop (no digest
 * channel any more). Both are idempotent, so Slack's retries and the second of the two events change nothing.
 * Other workspaces are not touched. Bolt runs these two without authorizing (the token is already gone).
 */
export function attachUninstallHandlers(app: App, ctx: UninstallContext): void {
  const leave = async (teamId: string, event: string) => {
    const log = ctx.logger.child({ event, teamId });
    try {
      ctx.workspaces.forget(teamId);
      const { removed, failedCreations } = await ctx.store.removeInstallation(teamId, UNINSTALLED_REASON, ctx.clock.now());
      log.info({ removed, failedCreations: failedCreations.length }, "Salon left a Slack workspace");
      for (const creation of failedCreations) {
        if (creation.statusRef) await ctx.publisher.updateStatus(creation.statusRef, { state: "failed", creationId: creation.id, reason: UNINSTALLED_REASON });
      }
    } catch (error) {
      log.error({ err: error }, "could not remove the workspace's installation");
    }
  };
  app.event("app_uninstalled", async ({ body }) => leave((body as { team_id: string }).team_id, "app_uninstalled"));
  app.event("tokens_revoked", async ({ event, body }) => {
    // A revoked user token alone (Salon asks for none) leaves the bot working.
    if ((event.tokens.bot ?? []).length > 0) await leave((body as { team_id: string }).team_id, "tokens_revoked");
  });
}
