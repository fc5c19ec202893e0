/** Loopback Slack for tests: see {@link FakeSlack} and README.md beside this file. */
export { FakeSlack } from './fake-slack.js';
export { sign, signedHeaders } from './signing.js';
export type * from './types.js';
