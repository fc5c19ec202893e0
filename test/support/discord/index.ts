/** Loopback Discord for tests: see {@link FakeDiscord}. */
export { FakeDiscord } from './fake-discord.js';
export { DEFAULT_EVERYONE_PERMISSIONS, BOT_ROLE_PERMISSIONS, ALL_PERMISSIONS, Intent, Permission } from './constants.js';
export type * from './types.js';
