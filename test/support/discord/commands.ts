/**
 * Application command storage with Discord's validation and normalisation
 * (ApplicationCommandCreateRequest / ApplicationCommandUpdateRequest → ApplicationCommandResponse).
 */
import type { SnowflakeGenerator } from './constants.js';
import { Errors, type FieldError, invalidFormBody } from './errors.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** A stored command, already in response shape. */
export type CommandPayload = Record<string, any>;

const CHAT_INPUT_NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

function validateName(errors: FieldError[], path: string, name: unknown, chatInput: boolean): void {
  if (typeof name !== 'string' || name.length === 0) {
    errors.push({ path, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
    return;
  }
  if (name.length > 32) errors.push({ path, code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 32 in length.' });
  if (chatInput && (!CHAT_INPUT_NAME.test(name) || name !== name.toLowerCase())) {
    errors.push({ path, code: 'APPLICATION_COMMAND_INVALID_NAME', message: 'Command name is invalid' });
  }
}

function validateDescription(errors: FieldError[], path: string, description: unknown): void {
  if (typeof description !== 'string' || description.length < 1 || description.length > 100) {
    errors.push({ path, code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' });
  }
}

function validateOptions(errors: FieldError[], path: string, options: any[], depth: number): void {
  if (options.length > 25) errors.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
  const names = new Set<string>();
  let optionalSeen = false;
  const subcommands = options.filter((o) => o?.type === 1 || o?.type === 2).length;
  if (subcommands > 0 && subcommands !== options.length) {
    errors.push({
      path,
      code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID',
      message: 'Sub-command and sub-command group option types are mutually exclusive to all other types',
    });
  }
  options.forEach((option, index) => {
    const at = `${path}.${index}`;
    if (!Number.isInteger(option?.type) || option.type < 1 || option.type > 11) {
      errors.push({ path: `${at}.type`, code: 'BASE_TYPE_CHOICES', message: 'Value must be one of (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11).' });
    }
    validateName(errors, `${at}.name`, option?.name, true);
    validateDescription(errors, `${at}.description`, option?.description);
    if (typeof option?.name === 'string') {
      if (names.has(option.name)) {
        errors.push({ path: `${at}.name`, code: 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', message: `Option name ${option.name} is already used in these options` });
      }
      names.add(option.name);
    }
    if (option?.required) {
      if (optionalSeen) {
        errors.push({ path: `${at}.required`, code: 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', message: 'Required options must be placed before non-required options' });
      }
    } else {
      optionalSeen = true;
    }
    const choices: any[] = option?.choices ?? [];
    if (choices.length > 25) errors.push({ path: `${at}.choices`, code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 25 or fewer in length.' });
    choices.forEach((choice, c) => {
      if (typeof choice?.name !== 'string' || choice.name.length < 1 || choice.name.length > 100) {
        errors.push({ path: `${at}.choices.${c}.name`, code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' });
      }
      if (choice?.value === undefined) errors.push({ path: `${at}.choices.${c}.value`, code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
    });
    if ((option?.type === 1 || option?.type === 2) && Array.isArray(option.options)) {
      if (depth >= 2 || (option.type === 2 && option.options.some((o: any) => o?.type !== 1))) {
        errors.push({ path: `${at}.options`, code: 'APPLICATION_COMMAND_OPTIONS_TYPE_INVALID', message: 'Invalid nesting of sub-commands' });
      }
      validateOptions(errors, `${at}.options`, option.options, depth + 1);
    }
  });
}

/** Validates one command body; `path` prefixes error paths (e.g. `0` in a bulk overwrite). */
export function validateCommand(body: any, path = ''): FieldError[] {
  const errors: FieldError[] = [];
  const prefix = path ? `${path}.` : '';
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return [{ path: path || '_root', code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used in a ModelType' }];
  }
  const type = body.type ?? 1;
  validateName(errors, `${prefix}name`, body.name, type === 1);
  if (type === 1) validateDescription(errors, `${prefix}description`, body.description);
  else if (body.description) {
    errors.push({ path: `${prefix}description`, code: 'APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION', message: 'Context menu commands cannot have description' });
  }
  if (body.options !== undefined && body.options !== null) {
    if (!Array.isArray(body.options)) errors.push({ path: `${prefix}options`, code: 'BASE_TYPE_ARRAY', message: 'Must be an array.' });
    else validateOptions(errors, `${prefix}options`, body.options, 0);
  }
  const dmp = body.default_member_permissions;
  if (dmp !== undefined && dmp !== null && !/^\d+$/.test(String(dmp))) {
    errors.push({ path: `${prefix}default_member_permissions`, code: 'NUMBER_TYPE_COERCE', message: `Value "${String(dmp)}" is not int.` });
  }
  return errors;
}

function normalizeOption(option: any): any {
  const out: any = { type: option.type, name: option.name, description: option.description };
  if (option.name_localizations) out.name_localizations = option.name_localizations;
  if (option.description_localizations) out.description_localizations = option.description_localizations;
  // Discord leaves out false booleans.
  if (option.required) out.required = true;
  if (option.autocomplete) out.autocomplete = true;
  for (const key of ['choices', 'channel_types', 'min_value', 'max_value', 'min_length', 'max_length']) {
    if (option[key] !== undefined && option[key] !== null) out[key] = structuredClone(option[key]);
  }
  if (Array.isArray(option.options)) out.options = option.options.map(normalizeOption);
  return out;
}

/** Builds the response shape Discord returns for a command definition. */
export function normalizeCommand(
  body: any,
  ids: { id: string; version: string; applicationId: string; guildId?: string },
): CommandPayload {
  const type = body.type ?? 1;
  const dmp = body.default_member_permissions;
  const out: CommandPayload = {
    id: ids.id,
    application_id: ids.applicationId,
    version: ids.version,
    default_member_permissions: dmp === undefined || dmp === null ? null : String(dmp),
    type,
    name: body.name,
    ...(body.name_localizations ? { name_localizations: body.name_localizations } : {}),
    description: type === 1 ? body.description : '',
    ...(body.description_localizations ? { description_localizations: body.description_localizations } : {}),
    ...(ids.guildId ? { guild_id: ids.guildId } : { dm_permission: body.dm_permission ?? true }),
    contexts: body.contexts ?? null,
    integration_types: body.integration_types ?? [0],
    nsfw: body.nsfw ?? false,
  };
  if (Array.isArray(body.options) && body.options.length > 0) out.options = body.options.map(normalizeOption);
  return out;
}

function sameDefinition(a: CommandPayload, b: CommandPayload): boolean {
  const strip = ({ id: _id, version: _version, ...rest }: CommandPayload) => JSON.stringify(rest);
  return strip(a) === strip(b);
}

/** Commands of one scope (global, or one guild). */
export class CommandStore {
  private readonly scopes = new Map<string, CommandPayload[]>();

  constructor(
    private readonly ids: SnowflakeGenerator,
    private readonly applicationId: string,
  ) {}

  list(guildId?: string): CommandPayload[] {
    return this.scopes.get(guildId ?? '') ?? [];
  }

  get(guildId: string | undefined, id: string): CommandPayload {
    const command = this.list(guildId).find((c) => c.id === id);
    if (!command) throw Errors.unknownCommand();
    return command;
  }

  /** Command id used when the bot receives `/name` (registered guild command first, then global). */
  idForName(guildId: string, name: string): string | undefined {
    return (this.list(guildId).find((c) => c.name === name) ?? this.list().find((c) => c.name === name))?.id;
  }

  private build(body: any, guildId: string | undefined, existing?: CommandPayload): CommandPayload {
    const candidate = normalizeCommand(body, {
      id: existing?.id ?? this.ids.next(),
      version: existing?.version ?? '0',
      applicationId: this.applicationId,
      guildId,
    });
    candidate.version = existing && sameDefinition(existing, candidate) ? existing.version : this.ids.next();
    return candidate;
  }

  /** POST: creates, or overwrites the command with the same name and type. Returns [command, created]. */
  create(guildId: string | undefined, body: any): [CommandPayload, boolean] {
    const errors = validateCommand(body);
    if (errors.length > 0) throw invalidFormBody(errors);
    const list = [...this.list(guildId)];
    const index = list.findIndex((c) => c.name === body.name && c.type === (body.type ?? 1));
    const command = this.build(body, guildId, index >= 0 ? list[index] : undefined);
    if (index >= 0) list[index] = command;
    else list.push(command);
    this.scopes.set(guildId ?? '', list);
    return [command, index < 0];
  }

  /** PATCH: merges the given fields. */
  edit(guildId: string | undefined, id: string, body: any): CommandPayload {
    const existing = this.get(guildId, id);
    const merged = { ...existing, ...body };
    const errors = validateCommand(merged);
    if (errors.length > 0) throw invalidFormBody(errors);
    const command = this.build(merged, guildId, existing);
    this.scopes.set(guildId ?? '', this.list(guildId).map((c) => (c.id === id ? command : c)));
    return command;
  }

  delete(guildId: string | undefined, id: string): void {
    this.get(guildId, id);
    this.scopes.set(guildId ?? '', this.list(guildId).filter((c) => c.id !== id));
  }

  /** PUT: bulk overwrite, keeping ids (and versions when unchanged) of commands matched by id or name. */
  overwrite(guildId: string | undefined, body: any): CommandPayload[] {
    if (!Array.isArray(body)) throw Errors.badRequest('400: Bad Request');
    const errors = body.flatMap((command, index) => validateCommand(command, String(index)));
    const seen = new Set<string>();
    body.forEach((command: any, index: number) => {
      const key = `${command?.type ?? 1}:${command?.name}`;
      if (seen.has(key)) {
        errors.push({ path: String(index), code: 'APPLICATION_COMMANDS_DUPLICATE_NAME', message: `Application command names must be unique` });
      }
      seen.add(key);
    });
    if (errors.length > 0) throw invalidFormBody(errors);
    const current = this.list(guildId);
    const next = body.map((command: any) => {
      const existing =
        current.find((c) => command.id && c.id === command.id) ??
        current.find((c) => c.name === command.name && c.type === (command.type ?? 1));
      return this.build(command, guildId, existing);
    });
    this.scopes.set(guildId ?? '', next);
    return next;
  }
}
