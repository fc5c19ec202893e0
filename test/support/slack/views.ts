/**
 * Modals: `views.open` (with a trigger_id from a slash command, button click or shortcut: valid 3 seconds, used once,
 * as docs.slack.dev/reference/methods/views.open says: `invalid_trigger_id`, `expired_trigger_id`,
 * `exchanged_trigger_id`) and the `view_submission` a member's submit sends. The view is checked against Block Kit's
 * modal limits: type `modal`; title, submit and close plain_text of at most 24 characters; a submit button when there
 * is an input block; at most 100 blocks; callback_id ≤ 255; private_metadata ≤ 3000; an input's label ≤ 2000 and its
 * plain_text_input's action_id ≤ 255, max_length ≤ 3000, initial_value within it.
 */
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { type MethodTable, SlackApiError } from './web-api.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const TRIGGER_LIFETIME_MS = 3_000;

/** A view the bot opened for a member, until it is submitted or closed. */
export interface FakeSlackView {
  id: string;
  userId: string;
  view: Json;
  open: boolean;
  /** Errors the bot answered a submission with (`response_action: "errors"`), by block_id. */
  errors?: Record<string, string>;
}

/** Trigger ids handed to the bot, and the views opened with them. */
export class Views {
  readonly triggers = new Map<string, { userId: string; at: number; exchanged: boolean }>();
  readonly opened: FakeSlackView[] = [];

  issue(triggerId: string, userId: string): void {
    this.triggers.set(triggerId, { userId, at: performance.now(), exchanged: false });
  }

  /** The member's most recent open view (with this callback_id, if given). */
  openViewOf(userId: string, callbackId?: string): FakeSlackView | undefined {
    return [...this.opened].reverse().find((v) => v.open && v.userId === userId && (callbackId === undefined || v.view.callback_id === callbackId));
  }

  methods(teamId: string, appId: string, botId: string): MethodTable {
    return {
      'views.open': {
        token: 'bot',
        handle: (args) => {
          const triggerId = args.str('trigger_id');
          const raw = args.raw.view;
          if (!triggerId || raw === undefined) throw new SlackApiError('invalid_arguments');
          const trigger = this.triggers.get(triggerId);
          if (!trigger) throw new SlackApiError('invalid_trigger_id');
          if (trigger.exchanged) throw new SlackApiError('exchanged_trigger_id');
          if (performance.now() - trigger.at > TRIGGER_LIFETIME_MS) throw new SlackApiError('expired_trigger_id');
          let view: Json;
          try {
            view = typeof raw === 'string' ? JSON.parse(raw) : raw;
          } catch {
            throw new SlackApiError('invalid_arguments');
          }
          const problems = viewProblems(view);
          if (problems.length > 0) throw new SlackApiError('invalid_arguments', { response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
          trigger.exchanged = true;
          const id = `V${randomBytes(5).toString('hex').toUpperCase()}`;
          const blocks = (view.blocks as Json[]).map((b, i) => ({ ...b, block_id: b.block_id ?? `b${i}` }));
          const stored: Json = {
            id, team_id: teamId, type: 'modal', blocks, private_metadata: view.private_metadata ?? '', callback_id: view.callback_id ?? '',
            state: { values: {} }, hash: `${Date.now()}.${randomBytes(4).toString('hex')}`, title: view.title, clear_on_close: false, notify_on_close: false,
            close: view.close ?? null, submit: view.submit ?? null, previous_view_id: null, root_view_id: id, app_id: appId, external_id: view.external_id ?? '',
            app_installed_team_id: teamId, bot_id: botId,
          };
          this.opened.push({ id, userId: trigger.userId, view: stored, open: true });
          return { view: stored };
        },
      },
    };
  }
}

const plainText = (value: unknown, max: number): boolean => typeof value === 'object' && value !== null && (value as Json).type === 'plain_text' && typeof (value as Json).text === 'string' && (value as Json).text.length >= 1 && (value as Json).text.length <= max;

export function viewProblems(view: Json): string[] {
  const problems: string[] = [];
  if (view?.type !== 'modal') problems.push('must be a modal view [json-pointer:/view/type]');
  if (!plainText(view?.title, 24)) problems.push('title must be plain_text of 1 to 24 characters [json-pointer:/view/title]');
  if (view?.submit !== undefined && !plainText(view.submit, 24)) problems.push('submit must be plain_text of 1 to 24 characters [json-pointer:/view/submit]');
  if (view?.close !== undefined && !plainText(view.close, 24)) problems.push('close must be plain_text of 1 to 24 characters [json-pointer:/view/close]');
  if (typeof view?.callback_id === 'string' && view.callback_id.length > 255) problems.push('callback_id must be at most 255 characters [json-pointer:/view/callback_id]');
  if (typeof view?.private_metadata === 'string' && view.private_metadata.length > 3000) problems.push('private_metadata must be at most 3000 characters [json-pointer:/view/private_metadata]');
  const blocks: Json[] = Array.isArray(view?.blocks) ? view.blocks : [];
  if (!Array.isArray(view?.blocks) || blocks.length > 100) problems.push('blocks must be an array of at most 100 [json-pointer:/view/blocks]');
  blocks.forEach((block, i) => {
    if (block?.type !== 'input') return;
    if (view.submit === undefined) problems.push(`a view with an input block needs submit [json-pointer:/view/blocks/${i}]`);
    if (!plainText(block.label, 2000)) problems.push(`label must be plain_text of at most 2000 characters [json-pointer:/view/blocks/${i}/label]`);
    const element = block.element as Json | undefined;
    if (element?.type !== 'plain_text_input') return;
    if (typeof element.action_id !== 'string' || element.action_id.length > 255) problems.push(`action_id must be at most 255 characters [json-pointer:/view/blocks/${i}/element/action_id]`);
    const max = element.max_length ?? 3000;
    if (!(Number.isInteger(max) && max >= 1 && max <= 3000)) problems.push(`max_length must be from 1 to 3000 [json-pointer:/view/blocks/${i}/element/max_length]`);
    if (element.initial_value !== undefined && (typeof element.initial_value !== 'string' || element.initial_value.length > max)) {
      problems.push(`initial_value must be at most max_length characters [json-pointer:/view/blocks/${i}/element/initial_value]`);
    }
  });
  return problems;
}

/** The view's state as a submission sends it: each plain_text_input's value (the initial one unless given). */
export function submittedState(view: Json, values: Record<string, string>): Json {
  const state: Json = {};
  const known = new Set<string>();
  for (const block of view.blocks as Json[]) {
    const element = block.element as Json | undefined;
    if (block.type !== 'input' || element?.type !== 'plain_text_input') continue;
    known.add(element.action_id);
    const value = values[element.action_id] ?? element.initial_value ?? null;
    const max = element.max_length ?? 3000;
    if (block.optional !== true && (value === null || value === '')) throw new Error(`FakeSlack: the client would not submit an empty "${element.action_id}"`);
    if (value !== null && value.length > max) throw new Error(`FakeSlack: the client would not submit "${element.action_id}" over ${max} characters`);
    state[block.block_id] = { [element.action_id]: { type: 'plain_text_input', value } };
  }
  for (const name of Object.keys(values)) if (!known.has(name)) throw new Error(`FakeSlack: the view has no plain_text_input "${name}"`);
  return { values: state };
}
