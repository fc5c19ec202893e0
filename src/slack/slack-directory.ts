/**
 * Who a Slack user is (name, bot, admin), from `users.info`, cached for a while: names change rarely. The cache is
 * bounded in size and in age, so a workspace that sees many members over months does not grow the process with them.
 * Also who Salon itself is (`auth.test`), learnt once.
 */
import type { WebClient } from "@slack/web-api";
import type { Clock } from "../core/ports.js";

interface Entry {
  name: string;
  isBot: boolean;
  isAdmin: boolean;
  at: number;
}

export interface DirectoryLimits {
  /** Members kept at most; those learnt from Slack longest ago go first. */
  maxEntries: number;
  /** How long what Slack said about a member is trusted. */
  ttlMs: number;
}

const DEFAULT_LIMITS: DirectoryLimits = { maxEntries: 5_000, ttlMs: 10 * 60_000 };

export class SlackDirectory {
  /** In order of last look-up from Slack, oldest first (a refreshed entry moves to the end). */
  private readonly cache = new Map<string, Entry>();
  private readonly limits: DirectoryLimits;
  private botUserId: string | undefined;
  private identifying: Promise<string> | undefined;

  constructor(
    private readonly client: WebClient,
    private readonly adminUserIds: readonly string[],
    private readonly clock: Clock,
    limits: Partial<DirectoryLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Members known right now. */
  get size(): number {
    return this.cache.size;
  }

  private async lookup(userId: string): Promise<Entry> {
    const now = this.clock.now().getTime();
    const cached = this.cache.get(userId);
    if (cached && now - cached.at < this.limits.ttlMs) return cached;
    const { user } = await this.client.users.info({ user: userId });
    const entry: Entry = {
      name: user?.profile?.display_name || user?.profile?.real_name || user?.real_name || user?.name || userId,
      isBot: Boolean(user?.is_bot) || user?.id === "USLACKBOT",
      isAdmin: Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner),
      at: now,
    };
    this.cache.delete(userId);
    this.cache.set(userId, entry);
    this.prune(now);
    return entry;
  }

  /** Drops what is too old, then the oldest past the size limit. Entries are in age order, so both come first. */
  private prune(now: number): void {
    for (const [userId, entry] of this.cache) {
      if (this.cache.size <= this.limits.maxEntries && now - entry.at < this.limits.ttlMs) break;
      this.cache.delete(userId);
    }
  }

  /** A display name to show instead of a mention (a mention would ping). */
  readonly nameOf = async (userId: string): Promise<string> => (await this.lookup(userId).catch(() => null))?.name ?? "a member";

  /** Learns the bot's own user id from Slack (`auth.test`); at start-up, where a bad token is reported. */
  async identify(): Promise<string> {
    this.identifying ??= this.client.auth.test().then(
      (result) => {
        if (!result.user_id) throw new Error("auth.test returned no user_id");
        this.botUserId = result.user_id;
        return result.user_id;
      },
      (error: unknown) => {
        this.identifying = undefined; // asked again next time
        throw error;
      },
    );
    return this.identifying;
  }

  /** The bot's own user id, asked of Slack first if it is not known yet: never a guess. */
  async ownUserId(): Promise<string> {
    return this.botUserId ?? this.identify();
  }

  /** Whether the member is a bot (Salon included). Throws when Slack cannot tell: a guess would count a bot as a liker. */
  async isBot(userId: string): Promise<boolean> {
    if (userId === this.botUserId) return true;
    return (await this.lookup(userId)).isBot;
  }

  /** Workspace admins and owners, plus the users named in SLACK_ADMIN_USERS. */
  async isAdmin(userId: string): Promise<boolean> {
    if (this.adminUserIds.includes(userId)) return true;
    return (await this.lookup(userId)).isAdmin;
  }
}
