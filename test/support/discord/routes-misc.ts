/** Gateway discovery, users, application, guild and application command routes. */
import { Errors } from './errors.js';
import { dmChannelPayload, guildPayload, memberPayload, selfUserPayload, userPayload } from './payloads.js';
import type { RestContext, Route, RouteRequest } from './rest.js';

function applicationFor(context: RestContext, request: RouteRequest): void {
  if (request.params.app !== context.state.applicationId) throw Errors.missingAccess();
}

function guildScope(context: RestContext, request: RouteRequest): string {
  applicationFor(context, request);
  const guildId = request.params.guild!;
  if (!context.state.guilds.has(guildId)) throw Errors.missingAccess();
  return guildId;
}

/** Routes outside /channels, /interactions and /webhooks. */
export function miscRoutes(): Route[] {
  const commandRoutes = (prefix: string, scope: (c: RestContext, r: RouteRequest) => string | undefined): Route[] => [
    {
      method: 'GET',
      path: prefix,
      handler: (request, context) => ({ status: 200, body: context.commands.list(scope(context, request)) }),
    },
    {
      method: 'PUT',
      path: prefix,
      handler: (request, context) => ({ status: 200, body: context.commands.overwrite(scope(context, request), request.body) }),
    },
    {
      method: 'POST',
      path: prefix,
      handler: (request, context) => {
        const [command, created] = context.commands.create(scope(context, request), request.body);
        return { status: created ? 201 : 200, body: command };
      },
    },
    {
      method: 'GET',
      path: `${prefix}/:command`,
      handler: (request, context) => ({ status: 200, body: context.commands.get(scope(context, request), request.params.command!) }),
    },
    {
      method: 'PATCH',
      path: `${prefix}/:command`,
      handler: (request, context) => ({
        status: 200,
        body: context.commands.edit(scope(context, request), request.params.command!, request.body ?? {}),
      }),
    },
    {
      method: 'DELETE',
      path: `${prefix}/:command`,
      handler: (request, context) => {
        context.commands.delete(scope(context, request), request.params.command!);
        return { status: 204 };
      },
    },
  ];

  return [
    {
      method: 'GET',
      path: '/gateway',
      auth: false,
      handler: (_request, context) => ({ status: 200, body: { url: context.gatewayUrl } }),
    },
    {
      method: 'GET',
      path: '/gateway/bot',
      handler: (_request, context) => {
        const { shards, maxConcurrency } = context.gatewayBot();
        return {
          status: 200,
          body: {
            url: context.gatewayUrl,
            shards,
            session_start_limit: { total: 1000, remaining: 999, reset_after: 14400000, max_concurrency: maxConcurrency },
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/users/@me',
      handler: (_request, context) => ({ status: 200, body: selfUserPayload(context.state.botUser) }),
    },
    {
      // Opens (or returns) the bot's DM channel with a user; whether a message may be sent there is decided on sending.
      method: 'POST',
      path: '/users/@me/channels',
      handler: (request, context) => {
        const recipient = request.body?.recipient_id;
        if (typeof recipient !== 'string' || !context.state.users.has(recipient)) throw Errors.unknownUser();
        return { status: 200, body: dmChannelPayload(context.state, context.state.dmChannel(recipient)) };
      },
    },
    {
      method: 'GET',
      path: '/users/:user',
      handler: (request, context) => {
        const user = context.state.users.get(request.params.user!);
        if (!user) throw Errors.unknownUser();
        return { status: 200, body: userPayload(user) };
      },
    },
    {
      method: 'GET',
      path: '/applications/@me',
      handler: (_request, context) => {
        const state = context.state;
        const ownerId = [...state.guilds.values()][0]?.ownerId;
        const owner = ownerId ? state.users.get(ownerId) : undefined;
        return {
          status: 200,
          body: {
            id: state.applicationId,
            name: state.botUser.username,
            icon: null,
            description: '',
            type: null,
            bot: userPayload(state.botUser),
            summary: '',
            bot_public: true,
            bot_require_code_grant: false,
            verify_key: '0'.repeat(64),
            flags: 0,
            flags_new: '0',
            hook: true,
            is_monetized: false,
            is_verified: false,
            is_discoverable: false,
            redirect_uris: [],
            interactions_endpoint_url: null,
            role_connections_verification_url: null,
            owner: userPayload(owner ?? state.botUser),
            approximate_guild_count: state.guilds.size,
            approximate_user_install_count: 0,
            approximate_user_authorization_count: 0,
            explicit_content_filter: 0,
            team: null,
            eligible_oauth2_scopes: ['applications.commands', 'bot'],
            integration_types_config: { '0': {} },
            tags: [],
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/guilds/:guild',
      handler: (request, context) => {
        const guild = context.state.guilds.get(request.params.guild!);
        if (!guild) throw Errors.unknownGuild();
        return { status: 200, body: guildPayload(guild, request.query.get('with_counts') === 'true') };
      },
    },
    {
      method: 'GET',
      path: '/guilds/:guild/members/:user',
      handler: (request, context) => {
        const guild = context.state.guilds.get(request.params.guild!);
        if (!guild) throw Errors.unknownGuild();
        const member = guild.members.get(request.params.user!);
        if (!member) throw Errors.unknownMember();
        return { status: 200, body: memberPayload(context.state, member) };
      },
    },
    ...commandRoutes('/applications/:app/commands', (context, request) => {
      applicationFor(context, request);
      return undefined;
    }),
    ...commandRoutes('/applications/:app/guilds/:guild/commands', guildScope),
  ];
}
