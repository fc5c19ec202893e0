/**
 * Block Kit checks Slack applies to `chat.postMessage` / `chat.update` / `chat.postEphemeral` /
 * response_url bodies (a useful subset of its limits), and the `block_id`s Slack assigns.
 */
import { randomBytes } from 'node:crypto';
import { SlackApiError } from './web-api.js';

type Block = Record<string, unknown>;

function textOf(x: unknown): string | undefined {
  if (x && typeof x === 'object' && typeof (x as Block).text === 'string') return (x as Block).text as string;
  return undefined;
}

/** Problems with a blocks array, Slack-style (`"must be less than 3001 characters [json-pointer:/blocks/0/text]"`). */
export function blockProblems(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return ['must be an array [json-pointer:/blocks]'];
  const problems: string[] = [];
  if (blocks.length > 50) problems.push('must have less than 51 items [json-pointer:/blocks]');
  const ids = new Set<string>();
  blocks.forEach((raw, i) => {
    const at = `/blocks/${i}`;
    if (!raw || typeof raw !== 'object' || typeof (raw as Block).type !== 'string') {
      problems.push(`missing required field: type [json-pointer:${at}]`);
      return;
    }
    const b = raw as Block;
    if (typeof b.block_id === 'string') {
      if (b.block_id.length > 255) problems.push(`must be less than 256 characters [json-pointer:${at}/block_id]`);
      if (ids.has(b.block_id)) problems.push(`duplicate block_id [json-pointer:${at}/block_id]`);
      ids.add(b.block_id);
    }
    switch (b.type) {
      case 'section': {
        const t = textOf(b.text);
        if (t === undefined && !Array.isArray(b.fields)) problems.push(`must provide text or fields [json-pointer:${at}]`);
        if (t !== undefined && t.length > 3000) problems.push(`must be less than 3001 characters [json-pointer:${at}/text]`);
        if (Array.isArray(b.fields) && b.fields.length > 10) problems.push(`must have less than 11 items [json-pointer:${at}/fields]`);
        if (b.accessory) problems.push(...elementProblems(b.accessory, `${at}/accessory`));
        break;
      }
      case 'header': {
        const t = textOf(b.text);
        if (t === undefined) problems.push(`missing required field: text [json-pointer:${at}]`);
        else if (t.length > 150) problems.push(`must be less than 151 characters [json-pointer:${at}/text]`);
        break;
      }
      case 'actions': {
        if (!Array.isArray(b.elements) || b.elements.length === 0) problems.push(`missing required field: elements [json-pointer:${at}]`);
        else {
          if (b.elements.length > 25) problems.push(`must have less than 26 items [json-pointer:${at}/elements]`);
          b.elements.forEach((e, j) => problems.push(...elementProblems(e, `${at}/elements/${j}`)));
        }
        break;
      }
      case 'context': {
        if (!Array.isArray(b.elements) || b.elements.length === 0) problems.push(`missing required field: elements [json-pointer:${at}]`);
        else if (b.elements.length > 10) problems.push(`must have less than 11 items [json-pointer:${at}/elements]`);
        break;
      }
      case 'image': {
        if (typeof b.image_url !== 'string' && !b.slack_file) problems.push(`missing required field: image_url [json-pointer:${at}]`);
        if (typeof b.alt_text !== 'string') problems.push(`missing required field: alt_text [json-pointer:${at}]`);
        break;
      }
      default:
        break;
    }
  });
  return problems;
}

function elementProblems(raw: unknown, at: string): string[] {
  if (!raw || typeof raw !== 'object' || typeof (raw as Block).type !== 'string') return [`missing required field: type [json-pointer:${at}]`];
  const e = raw as Block;
  const problems: string[] = [];
  if (typeof e.action_id === 'string' && e.action_id.length > 255) problems.push(`must be less than 256 characters [json-pointer:${at}/action_id]`);
  if (e.type === 'button') {
    const t = textOf(e.text);
    if (t === undefined) problems.push(`missing required field: text [json-pointer:${at}]`);
    else if (t.length > 75) problems.push(`must be less than 76 characters [json-pointer:${at}/text]`);
    if (typeof e.value === 'string' && e.value.length > 2000) problems.push(`must be less than 2001 characters [json-pointer:${at}/value]`);
  }
  return problems;
}

/** Throws Slack's `invalid_blocks` when the blocks break a rule. */
export function assertValidBlocks(blocks: unknown): void {
  const problems = blockProblems(blocks);
  if (problems.length > 0) {
    throw new SlackApiError('invalid_blocks', {
      errors: problems,
      response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
    });
  }
}

/** A copy of the blocks where every block has a `block_id` (Slack assigns short random ones). */
export function withBlockIds(blocks: unknown[]): unknown[] {
  return blocks.map((b) => {
    if (!b || typeof b !== 'object' || typeof (b as Block).block_id === 'string') return b;
    return { ...(b as Block), block_id: randomBytes(3).toString('base64url').slice(0, 4) };
  });
}

/** A button (or other element) with `action_id` in the blocks, with its block's id. */
export function findAction(blocks: unknown[] | undefined, actionId: string): { element: Block; blockId: string } | undefined {
  for (const raw of blocks ?? []) {
    if (!raw || typeof raw !== 'object') continue;
    const b = raw as Block;
    const candidates: unknown[] = [];
    if (Array.isArray(b.elements)) candidates.push(...b.elements);
    if (b.accessory) candidates.push(b.accessory);
    if (b.element) candidates.push(b.element);
    for (const c of candidates) {
      if (c && typeof c === 'object' && (c as Block).action_id === actionId) {
        return { element: c as Block, blockId: typeof b.block_id === 'string' ? b.block_id : '' };
      }
    }
  }
  return undefined;
}

/** Every `action_id` present in the blocks (for error messages). */
export function actionIds(blocks: unknown[] | undefined): string[] {
  const out: string[] = [];
  for (const raw of blocks ?? []) {
    if (!raw || typeof raw !== 'object') continue;
    const b = raw as Block;
    for (const c of [...(Array.isArray(b.elements) ? b.elements : []), b.accessory, b.element]) {
      if (c && typeof c === 'object' && typeof (c as Block).action_id === 'string') out.push((c as Block).action_id as string);
    }
  }
  return out;
}
