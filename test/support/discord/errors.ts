/** A Discord REST error; thrown by route handlers and turned into `{message, code, errors?}` JSON. */
export class DiscordHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: unknown,
  ) {
    super(message);
  }

  /** The JSON body Discord would send. */
  toBody(): Record<string, unknown> {
    return this.errors === undefined
      ? { message: this.message, code: this.code }
      : { message: this.message, code: this.code, errors: this.errors };
  }
}

/** A field error for a 50035 "Invalid Form Body". */
export interface FieldError {
  /** Dotted path, e.g. `embeds.0.description`. */
  path: string;
  code: string;
  message: string;
}

/** Builds Discord's nested `errors` object from field errors. */
export function invalidFormBody(fields: FieldError[]): DiscordHttpError {
  const errors: Record<string, unknown> = {};
  for (const field of fields) {
    let node = errors;
    for (const key of field.path.split('.')) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    const list = (node._errors ??= []) as unknown[];
    list.push({ code: field.code, message: field.message });
  }
  return new DiscordHttpError(400, 50035, 'Invalid Form Body', errors);
}

export const Errors = {
  unauthorized: () => new DiscordHttpError(401, 0, '401: Unauthorized'),
  unknownChannel: () => new DiscordHttpError(404, 10003, 'Unknown Channel'),
  unknownGuild: () => new DiscordHttpError(404, 10004, 'Unknown Guild'),
  unknownMember: () => new DiscordHttpError(404, 10007, 'Unknown Member'),
  unknownMessage: () => new DiscordHttpError(404, 10008, 'Unknown Message'),
  unknownUser: () => new DiscordHttpError(404, 10013, 'Unknown User'),
  unknownEmoji: () => new DiscordHttpError(400, 10014, 'Unknown Emoji'),
  unknownWebhook: () => new DiscordHttpError(404, 10015, 'Unknown Webhook'),
  /** An interaction token used more than 15 minutes after the interaction was created. */
  invalidWebhookToken: () => new DiscordHttpError(401, 50027, 'Invalid Webhook Token'),
  cannotSendToUser: () => new DiscordHttpError(403, 50007, 'Cannot send messages to this user'),
  unknownApplication: () => new DiscordHttpError(404, 10002, 'Unknown Application'),
  unknownCommand: () => new DiscordHttpError(404, 10063, 'Unknown application command'),
  unknownInteraction: () => new DiscordHttpError(404, 10062, 'Unknown interaction'),
  alreadyAcknowledged: () => new DiscordHttpError(400, 40060, 'Interaction has already been acknowledged.'),
  tooLarge: () => new DiscordHttpError(413, 40005, 'Request entity too large'),
  missingAccess: () => new DiscordHttpError(403, 50001, 'Missing Access'),
  cannotEditOthers: () => new DiscordHttpError(403, 50005, 'Cannot edit a message authored by another user'),
  emptyMessage: () => new DiscordHttpError(400, 50006, 'Cannot send an empty message'),
  missingPermissions: () => new DiscordHttpError(403, 50013, 'Missing Permissions'),
  notFound: () => new DiscordHttpError(404, 0, '404: Not Found'),
  methodNotAllowed: () => new DiscordHttpError(405, 0, '405: Method Not Allowed'),
  badRequest: (message = '400: Bad Request') => new DiscordHttpError(400, 0, message),
};
