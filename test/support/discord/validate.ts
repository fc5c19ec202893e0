import { Errors, type FieldError, invalidFormBody } from './errors.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

function maxLength(errors: FieldError[], path: string, value: unknown, max: number, required = false): number {
  if (value === undefined || value === null) {
    if (required) errors.push({ path, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
    return 0;
  }
  if (typeof value !== 'string') {
    errors.push({ path, code: 'BASE_TYPE_STRING', message: 'Must be a string.' });
    return 0;
  }
  if (required && value.length === 0) {
    errors.push({ path, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
  }
  if (value.length > max) {
    errors.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` });
  }
  return value.length;
}

function validateEmbed(errors: FieldError[], path: string, embed: any): void {
  if (typeof embed !== 'object' || embed === null) {
    errors.push({ path, code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used in a ModelType' });
    return;
  }
  let total = 0;
  total += maxLength(errors, `${path}.title`, embed.title, 256);
  total += maxLength(errors, `${path}.description`, embed.description, 4096);
  total += maxLength(errors, `${path}.footer.text`, embed.footer?.text, 2048, embed.footer !== undefined);
  total += maxLength(errors, `${path}.author.name`, embed.author?.name, 256, embed.author !== undefined);
  if (embed.color !== undefined && embed.color !== null) {
    if (!Number.isInteger(embed.color) || embed.color < 0 || embed.color > 0xffffff) {
      errors.push({ path: `${path}.color`, code: 'NUMBER_TYPE_MAX', message: 'int value should be <= 16777215.' });
    }
  }
  if (embed.timestamp !== undefined && Number.isNaN(Date.parse(embed.timestamp))) {
    errors.push({ path: `${path}.timestamp`, code: 'DATE_TYPE_PARSE', message: 'Could not parse timestamp.' });
  }
  const fields: any[] = embed.fields ?? [];
  if (fields.length > 25) {
    errors.push({ path: `${path}.fields`, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
  }
  fields.forEach((field, index) => {
    total += maxLength(errors, `${path}.fields.${index}.name`, field?.name, 256, true);
    total += maxLength(errors, `${path}.fields.${index}.value`, field?.value, 1024, true);
  });
  for (const key of ['image', 'thumbnail'] as const) {
    const url = embed[key]?.url;
    if (embed[key] !== undefined && (typeof url !== 'string' || !/^(https?|attachment):\/\//.test(url))) {
      errors.push({
        path: `${path}.${key}.url`,
        code: 'URL_TYPE_INVALID_SCHEME',
        message: 'Scheme "" is not supported. Scheme must be one of (\'http\', \'https\', \'attachment\').',
      });
    }
  }
  if (total > 6000) {
    errors.push({ path, code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' });
  }
}

function validateComponents(errors: FieldError[], components: any[], flags: number): void {
  if ((flags & (1 << 15)) !== 0) return; // Components V2: not validated by the fake
  if (components.length > 5) {
    errors.push({ path: 'components', code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 5 or fewer in length.' });
  }
  const seen = new Set<string>();
  components.forEach((row, r) => {
    if (row?.type !== 1) {
      errors.push({ path: `components.${r}.type`, code: 'UNION_TYPE_CHOICES', message: 'Value of field "type" must be one of (1,).' });
      return;
    }
    const children: any[] = row.components ?? [];
    if (children.length === 0 || children.length > 5) {
      errors.push({ path: `components.${r}.components`, code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 5 in length.' });
    }
    children.forEach((child, c) => {
      const path = `components.${r}.components.${c}`;
      if (child?.type === 2) {
        const isLink = child.style === 5;
        const isPremium = child.style === 6;
        if (!isLink && !isPremium) {
          maxLength(errors, `${path}.custom_id`, child.custom_id, 100, true);
        } else if (isLink && typeof child.url !== 'string') {
          errors.push({ path: `${path}.url`, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
        }
        maxLength(errors, `${path}.label`, child.label, 80);
        if (!isPremium && !child.label && !child.emoji) {
          errors.push({ path, code: 'BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED', message: 'A label or emoji is required' });
        }
      } else if (typeof child?.custom_id === 'string') {
        maxLength(errors, `${path}.custom_id`, child.custom_id, 100, true);
      }
      if (typeof child?.custom_id === 'string') {
        if (seen.has(child.custom_id)) {
          errors.push({ path: `${path}.custom_id`, code: 'COMPONENT_CUSTOM_ID_DUPLICATED', message: 'Component custom id cannot be duplicated' });
        }
        seen.add(child.custom_id);
      }
    });
  });
}

/**
 * Validates a message create/edit body the way Discord does (the common rules: lengths, embed limits,
 * allowed_mentions exclusivity, component layout, empty messages). Throws a {@link DiscordHttpError}.
 */
export function validateMessageBody(
  body: any,
  options: { creating: boolean; fileCount: number },
): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidFormBody([{ path: '_root', code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used in a ModelType' }]);
  }
  const errors: FieldError[] = [];
  maxLength(errors, 'content', body.content, 2000);
  const embeds: unknown = body.embeds;
  if (embeds !== undefined && embeds !== null) {
    if (!Array.isArray(embeds)) {
      errors.push({ path: 'embeds', code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    } else {
      if (embeds.length > 10) {
        errors.push({ path: 'embeds', code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 10 or fewer in length.' });
      }
      embeds.forEach((embed, index) => validateEmbed(errors, `embeds.${index}`, embed));
    }
  }
  const mentions = body.allowed_mentions;
  if (mentions !== undefined && mentions !== null) {
    const parse: unknown[] = mentions.parse ?? [];
    for (const [index, value] of parse.entries()) {
      if (!['users', 'roles', 'everyone'].includes(value as string)) {
        errors.push({
          path: `allowed_mentions.parse.${index}`,
          code: 'BASE_TYPE_CHOICES',
          message: 'Value must be one of {\'everyone\', \'roles\', \'users\'}.',
        });
      }
    }
    for (const kind of ['users', 'roles'] as const) {
      if (parse.includes(kind) && Array.isArray(mentions[kind]) && mentions[kind].length > 0) {
        errors.push({
          path: 'allowed_mentions',
          code: 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE',
          message: `parse:["${kind}"] and ${kind}: [ids...] are mutually exclusive.`,
        });
      }
      if (Array.isArray(mentions[kind]) && mentions[kind].length > 100) {
        errors.push({ path: `allowed_mentions.${kind}`, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 100 or fewer in length.' });
      }
    }
  }
  const flags = typeof body.flags === 'number' ? body.flags : 0;
  if (body.components !== undefined && body.components !== null) {
    if (!Array.isArray(body.components)) {
      errors.push({ path: 'components', code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    } else {
      validateComponents(errors, body.components, flags);
    }
  }
  if (body.nonce !== undefined && body.nonce !== null) {
    if (typeof body.nonce === 'string' && body.nonce.length > 25) {
      errors.push({ path: 'nonce', code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
    }
  }
  if (errors.length > 0) throw invalidFormBody(errors);
  if (options.creating) {
    const hasContent = typeof body.content === 'string' && body.content.length > 0;
    const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0;
    const hasComponents = Array.isArray(body.components) && body.components.length > 0;
    const hasStickers = Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0;
    if (!hasContent && !hasEmbeds && !hasComponents && !hasStickers && !body.poll && options.fileCount === 0) {
      throw Errors.emptyMessage();
    }
  }
}
