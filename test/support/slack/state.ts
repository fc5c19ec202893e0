/**
 * The workspace the fake holds: users, channels, messages, files, ephemerals, plus a small waiting
 * mechanism (every mutation calls {@link SlackState.notify}, which re-checks pending waits).
 */
import type { IdFactory } from './ids.js';
import type {
  FakeSlackChannel,
  FakeSlackEphemeral,
  FakeSlackFile,
  FakeSlackMessage,
  FakeSlackReaction,
  FakeSlackUser,
} from './types.js';

/** Identity of the workspace and the app, shared by the JSON builders. */
export interface SlackIdentity {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly teamName: string;
  readonly appId: string;
  readonly botId: string;
  readonly botUserId: string;
  readonly botName: string;
  /** `http://127.0.0.1:PORT/` */
  readonly baseUrl: string;
}

interface Waiter {
  check: () => boolean;
}

export class SlackState {
  readonly users = new Map<string, FakeSlackUser>();
  readonly channels = new Map<string, FakeSlackChannel>();
  /** Channel id → messages in posting order (deleted ones included). */
  readonly channelMessages = new Map<string, FakeSlackMessage[]>();
  readonly files = new Map<string, FakeSlackFile>();
  readonly ephemerals: FakeSlackEphemeral[] = [];
  private readonly waiters = new Set<Waiter>();

  constructor(
    readonly ids: IdFactory,
    readonly identity: SlackIdentity,
  ) {}

  addUser(u: Partial<FakeSlackUser> & { id?: string }): FakeSlackUser {
    const id = u.id ?? this.ids.id('U');
    if (this.users.has(id)) throw new Error(`FakeSlack: user ${id} already exists`);
    const name = u.name ?? `user${this.users.size + 1}`;
    const user: FakeSlackUser = {
      id,
      name,
      realName: u.realName ?? name.charAt(0).toUpperCase() + name.slice(1),
      isAdmin: u.isAdmin ?? false,
      isOwner: u.isOwner ?? false,
      isBot: u.isBot ?? false,
      deleted: u.deleted ?? false,
      tz: u.tz ?? 'Europe/Paris',
    };
    this.users.set(id, user);
    return user;
  }

  addChannel(c: Partial<FakeSlackChannel> & { id?: string }): FakeSlackChannel {
    const id = c.id ?? this.ids.id('C');
    if (this.channels.has(id)) throw new Error(`FakeSlack: channel ${id} already exists`);
    const channel: FakeSlackChannel = {
      id,
      name: c.name ?? `channel-${this.channels.size + 1}`,
      botIsMember: c.botIsMember ?? true,
      isPrivate: c.isPrivate ?? false,
      archived: c.archived ?? false,
    };
    this.channels.set(id, channel);
    this.channelMessages.set(id, []);
    return channel;
  }

  /** The channel, or a thrown Error naming the known ones (test helpers use this). */
  channelOrThrow(id: string): FakeSlackChannel {
    const c = this.channels.get(id);
    if (!c) throw new Error(`FakeSlack: unknown channel ${id} (known: ${[...this.channels.keys()].join(', ') || 'none'})`);
    return c;
  }

  userOrThrow(id: string): FakeSlackUser {
    const u = this.users.get(id);
    if (!u) throw new Error(`FakeSlack: unknown user ${id} (known: ${[...this.users.keys()].join(', ') || 'none'})`);
    return u;
  }

  messages(channelId: string): FakeSlackMessage[] {
    return this.channelMessages.get(channelId) ?? [];
  }

  message(channelId: string, ts: string): FakeSlackMessage | undefined {
    return this.messages(channelId).find((m) => m.ts === ts);
  }

  /** Appends a message to a channel with a fresh ts. */
  appendMessage(m: Omit<FakeSlackMessage, 'ts' | 'reactions' | 'deleted' | 'files'> & { files?: FakeSlackFile[] }): FakeSlackMessage {
    const message: FakeSlackMessage = { ...m, ts: this.ids.ts(), files: m.files ?? [], reactions: [], deleted: false };
    const list = this.channelMessages.get(m.channel);
    if (!list) throw new Error(`FakeSlack: unknown channel ${m.channel}`);
    list.push(message);
    this.notify();
    return message;
  }

  /** Adds `userId` to reaction `name`; false when that user already reacted so. */
  addReaction(message: FakeSlackMessage, name: string, userId: string): boolean {
    let r: FakeSlackReaction | undefined = message.reactions.find((x) => x.name === name);
    if (!r) {
      r = { name, users: [], count: 0 };
      message.reactions.push(r);
    }
    if (r.users.includes(userId)) return false;
    r.users.push(userId);
    r.count = r.users.length;
    this.notify();
    return true;
  }

  /** Removes `userId` from reaction `name`; false when that user had not reacted so. */
  removeReaction(message: FakeSlackMessage, name: string, userId: string): boolean {
    const r = message.reactions.find((x) => x.name === name);
    if (!r || !r.users.includes(userId)) return false;
    r.users = r.users.filter((u) => u !== userId);
    r.count = r.users.length;
    if (r.count === 0) message.reactions.splice(message.reactions.indexOf(r), 1);
    this.notify();
    return true;
  }

  addEphemeral(e: Omit<FakeSlackEphemeral, 'ts' | 'replaced' | 'deleted'> & { ts?: string }): FakeSlackEphemeral {
    const eph: FakeSlackEphemeral = { ...e, ts: e.ts ?? this.ids.ts(), replaced: false, deleted: false };
    this.ephemerals.push(eph);
    this.notify();
    return eph;
  }

  /** Re-checks every pending wait. Call after each mutation. */
  notify(): void {
    for (const w of [...this.waiters]) {
      if (w.check()) this.waiters.delete(w);
    }
  }

  /**
   * Resolves with the first non-undefined value of `probe()` (checked now and after every mutation); rejects
   * after `timeoutMs` with `describe()` in the message.
   */
  waitFor<T>(probe: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
    const now = probe();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        check: () => {
          const v = probe();
          if (v === undefined) return false;
          clearTimeout(timer);
          resolve(v);
          return true;
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`FakeSlack: timed out after ${timeoutMs}ms ${describe()}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}

/** A one-line summary of messages/ephemerals for timeout errors. */
export function describeItems(items: { ts: string; text: string; deleted: boolean; files?: { name: string }[] }[]): string {
  if (items.length === 0) return 'none';
  return items
    .map((m) => `[${m.ts}${m.deleted ? ' deleted' : ''}${m.files?.length ? ` files:${m.files.map((f) => f.name).join('+')}` : ''}] ${JSON.stringify(m.text.slice(0, 80))}`)
    .join('; ');
}
