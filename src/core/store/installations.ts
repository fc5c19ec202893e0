/**
 * The Slack installations port: the workspaces that installed Salon through Slack's OAuth flow, each with its bot token
 * as the adapter sealed it (the store never sees a plaintext token). Scoped by workspace (team id).
 */

/** One workspace's installation as stored. */
export interface SealedInstallation {
  teamId: string;
  enterpriseId: string | null;
  appId: string | null;
  botId: string | null;
  botUserId: string;
  /** The bot token, sealed by the adapter (`src/slack/token-cipher.ts`). */
  botTokenSealed: string;
  /** The bot scopes Slack granted, comma-separated. */
  botScopes: string;
  installerUserId: string | null;
  installedAt: Date;
  updatedAt: Date;
}

/** What removing a workspace changed: the queued creations it failed, whose members are told. */
export interface RemovedInstallation {
  /** False when there was no installation (already removed by another event or process). */
  removed: boolean;
  failedCreations: Array<{ id: number; statusRef: string | null }>;
}

export interface InstallationStore {
  /** Stores a (re)installation; a reinstall replaces the token and scopes, and keeps `installedAt`. */
  saveInstallation(installation: SealedInstallation): Promise<void>;
  findInstallation(teamId: string): Promise<SealedInstallation | null>;
  /** Replaces the sealed token only if it is still `previous` (key rotation, racing processes). */
  resealToken(teamId: string, previous: string, next: string): Promise<void>;
  /**
   * The app left the workspace (uninstalled, or its bot token revoked), in one transaction: the installation is deleted,
   * the community's gallery and digest channels are unset (so no digest is due and `/imagine` asks for
   * `/salon setup` after a reinstall, when the bot must be invited again anyway), and its queued creations fail with
   * `error` before any image is paid for (quota and budget come back, as for every failed creation).
   */
  removeInstallation(teamId: string, error: string, now: Date): Promise<RemovedInstallation>;
}
