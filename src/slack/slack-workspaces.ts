/**
 * Which bot token serves a workspace. In single-workspace mode (SLACK_BOT_TOKEN) one set of clients serves every
 * request; in multi-workspace mode each workspace's token is its installation's, read from the database and opened
 * with the token key, and its clients are kept while that installation stays the same. A workspace that is not
 * installed (never, or no more) gets a {@link PublishError} `missing_access` that says to reinstall.
 */
import type { Logger as SdkLogger } from "@slack/web-api";
import { PublishError } from "../core/errors.js";
import type { Clock, Logger } from "../core/ports.js";
import type { InstallationStore, SealedInstallation } from "../core/store/installations.js";
import { createSlackClients, type SlackClients } from "./slack-clients.js";
import { SlackDirectory } from "./slack-directory.js";
import { SlackWorkspacePublisher } from "./slack-publisher.js";

export type { SlackWorkspacePublisher };
import type { TokenCipher } from "./token-cipher.js";

/** One workspace's side of the Web API. */
export interface SlackWorkspace {
  readonly clients: SlackClients;
  readonly directory: SlackDirectory;
  readonly publisher: SlackWorkspacePublisher;
}

export interface SlackWorkspaces {
  /** The workspace's clients; a PublishError `missing_access` when Salon is not installed there. */
  forTeam(teamId: string): Promise<SlackWorkspace>;
  /** Drops what this process keeps for the workspace (its token is gone). */
  forget(teamId: string): void;
}

/** What building a workspace's side needs. */
export interface WorkspaceParts {
  apiUrl: string;
  adminUserIds: readonly string[];
  clock: Clock;
  logger: Logger;
  sdkLogger: SdkLogger;
  /** Called with each pair of clients made (the rate-limit metric listens to them). */
  watch: (clients: SlackClients) => void;
}

export function buildWorkspace(token: string | undefined, parts: WorkspaceParts): SlackWorkspace {
  const clients = createSlackClients(token, parts.apiUrl, parts.sdkLogger);
  parts.watch(clients);
  const directory = new SlackDirectory(clients.client, parts.adminUserIds, parts.clock);
  return { clients, directory, publisher: new SlackWorkspacePublisher(clients, directory, parts.clock, parts.logger) };
}

export function notInstalled(teamId: string): PublishError {
  return new PublishError("missing_access", `Salon is not installed in Slack workspace ${teamId}`, {
    fix: "Salon is not installed in this Slack workspace any more. Install it again (the install link of this deployment), invite it to the channels, then run `/salon setup`.",
  });
}

/** SLACK_BOT_TOKEN: one workspace, one token (Slack sends this app's events from its own workspace only). */
export class SingleWorkspace implements SlackWorkspaces {
  constructor(readonly workspace: SlackWorkspace) {}

  async forTeam(): Promise<SlackWorkspace> {
    return this.workspace;
  }

  forget(): void {}
}

/** Every installed workspace, each with the token of its installation. */
export class InstalledWorkspaces implements SlackWorkspaces {
  /** By team id, with the sealed token they were built from: a reinstall (a new token) builds them anew. */
  private readonly built = new Map<string, { sealed: string; workspace: SlackWorkspace }>();

  constructor(
    private readonly store: InstallationStore,
    private readonly cipher: TokenCipher,
    private readonly parts: WorkspaceParts,
  ) {}

  /** The installation and its bot token, opened; null when the workspace has none. Re-seals a token under an old key. */
  async token(teamId: string): Promise<{ token: string; sealed: string; installation: SealedInstallation } | null> {
    const row = await this.store.findInstallation(teamId);
    if (!row) return null;
    const token = this.cipher.open(teamId, row.botTokenSealed);
    if (this.cipher.needsResealing(row.botTokenSealed)) {
      await this.store.resealToken(teamId, row.botTokenSealed, this.cipher.seal(teamId, token));
      this.parts.logger.info({ teamId }, "sealed a Slack token again with the current SLACK_TOKEN_KEY");
    }
    return { token, sealed: row.botTokenSealed, installation: row };
  }

  async forTeam(teamId: string): Promise<SlackWorkspace> {
    const found = await this.token(teamId);
    if (!found) {
      this.built.delete(teamId);
      throw notInstalled(teamId);
    }
    const known = this.built.get(teamId);
    if (known && known.sealed === found.sealed) return known.workspace;
    const workspace = buildWorkspace(found.token, this.parts);
    this.built.set(teamId, { sealed: found.sealed, workspace });
    return workspace;
  }

  forget(teamId: string): void {
    this.built.delete(teamId);
  }
}
