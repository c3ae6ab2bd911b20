import { blockKitViolations, BLOCK_KIT, viewViolations } from './block-kit-rules.js';
import { triggerUser } from './triggers.js';
import { SlackApiError, type SlackMessage, type SlackUser, type SlackView, type SlackWorkspace } from './workspace.js';

/**
 * The Web API methods the bot calls, answered the way Slack answers them (`{ ok: true, ... }`), on
 * top of the workspace state. Arguments arrive as Slack's clients send them: form fields, with
 * structured values such as `blocks` JSON-encoded.
 */

export type MethodArgs = Record<string, unknown>;
type Method = (workspace: SlackWorkspace, args: MethodArgs) => Record<string, unknown>;

const METHODS: Record<string, Method> = {
  'auth.test': (ws) => ({
    url: `https://${ws.team.domain}.slack.com/`,
    team: ws.team.name,
    user: ws.bot.name,
    team_id: ws.team.id,
    user_id: ws.bot.id,
    bot_id: ws.bot.botId,
    is_enterprise_install: false,
  }),

  'chat.postMessage': (ws, args) => {
    const { text, blocks } = content(args);
    const threadTs = optionalString(args, 'thread_ts');
    const message = ws.post({ channel: required(args, 'channel'), user: ws.bot.id, text, blocks, threadTs });
    return { channel: message.channel, ts: message.ts, message: messageJson(message) };
  },

  'chat.update': (ws, args) => {
    const { text, blocks } = content(args);
    const message = ws.update({ channel: required(args, 'channel'), ts: required(args, 'ts'), text, blocks });
    return { channel: message.channel, ts: message.ts, text: message.text, message: messageJson(message) };
  },

  'chat.postEphemeral': (ws, args) => {
    const { text, blocks } = content(args);
    ws.postEphemeral({ channel: required(args, 'channel'), user: required(args, 'user'), text, blocks, via: 'chat.postEphemeral' });
    return { message_ts: `${Math.floor(Date.now() / 1000)}.000000` };
  },

  'users.info': (ws, args) => {
    const user = ws.user(required(args, 'user'));
    if (!user) throw new SlackApiError('user_not_found');
    return { user: userJson(user, ws.team.id) };
  },

  'usergroups.list': (ws) => ({
    usergroups: ws.userGroups().map((g) => ({ id: g.id, team_id: ws.team.id, handle: g.handle, name: g.name, user_count: g.users.length })),
  }),

  'usergroups.users.list': (ws, args) => {
    const group = ws.userGroup(required(args, 'usergroup'));
    if (!group) throw new SlackApiError('no_such_subteam');
    return { users: [...group.users] };
  },

  'views.publish': (ws, args) => ({ view: viewJson(ws, ws.publishHome(required(args, 'user_id'), viewArg(args))) }),

  /** A modal needs a trigger_id from the person's request, used within 3 seconds. */
  'views.open': (ws, args) => {
    const user = triggerUser(required(args, 'trigger_id'));
    return { view: viewJson(ws, ws.openModal(user, viewArg(args))) };
  },

  'views.update': (ws, args) => {
    const id = optionalString(args, 'view_id');
    if (!id) throw new SlackApiError('invalid_arguments');
    return { view: viewJson(ws, ws.updateView(id, viewArg(args), optionalString(args, 'hash'))) };
  },

  'conversations.info': (ws, args) => {
    const channel = ws.channel(required(args, 'channel'));
    if (!channel) throw new SlackApiError('channel_not_found');
    return { channel: { id: channel.id, name: channel.name, is_channel: true, is_member: true } };
  },
};

/** Runs one method; Slack-shaped errors come back as `{ ok: false, error }`. */
export function callWebApiMethod(workspace: SlackWorkspace, method: string, args: MethodArgs): Record<string, unknown> {
  const run = METHODS[method];
  if (!run) return { ok: false, error: 'unknown_method' };
  try {
    return { ok: true, ...run(workspace, args) };
  } catch (error) {
    if (error instanceof SlackApiError) return { ok: false, error: error.code, ...error.detail };
    throw error;
  }
}

/** A message's text and blocks, refused as Slack refuses them. */
export function content(args: MethodArgs): { text: string; blocks: unknown[] } {
  const text = optionalString(args, 'text') ?? '';
  const blocks = decodeJson(args.blocks, 'blocks') ?? [];
  if (text === '' && (!Array.isArray(blocks) || blocks.length === 0)) throw new SlackApiError('no_text');
  if (text.length > BLOCK_KIT.messageText) throw new SlackApiError('msg_too_long');
  const errors = blockKitViolations(blocks);
  if (errors.length > 0) throw new SlackApiError('invalid_blocks', { errors });
  return { text, blocks: blocks as unknown[] };
}

/** The `view` argument, refused as Slack refuses it. */
function viewArg(args: MethodArgs): Record<string, unknown> {
  const view = decodeJson(args.view, 'view');
  const errors = viewViolations(view);
  if (errors.length > 0) throw new SlackApiError('invalid_arguments', { response_metadata: { messages: errors } });
  return view as Record<string, unknown>;
}

/** A view as the Web API and interaction payloads show it, with the state the person entered. */
export function viewJson(ws: SlackWorkspace, view: SlackView): Record<string, unknown> {
  return {
    ...view.view,
    id: view.id,
    team_id: ws.team.id,
    type: view.type,
    hash: view.hash,
    state: { values: view.values },
    app_id: 'A0CONNECTOPS',
    bot_id: ws.bot.botId,
    root_view_id: view.id,
    previous_view_id: null,
    external_id: '',
    private_metadata: view.view.private_metadata ?? '',
    callback_id: view.view.callback_id ?? '',
  };
}

function decodeJson(value: unknown, name: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new SlackApiError(`invalid_${name}_format`);
  }
}

function required(args: MethodArgs, name: string): string {
  const value = optionalString(args, name);
  if (!value) throw new SlackApiError(name === 'channel' ? 'channel_not_found' : 'invalid_arguments');
  return value;
}

function optionalString(args: MethodArgs, name: string): string | undefined {
  const value = args[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function messageJson(message: SlackMessage): Record<string, unknown> {
  return {
    type: 'message',
    user: message.user,
    text: message.text,
    blocks: message.blocks,
    ts: message.ts,
    ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
  };
}

function userJson(user: SlackUser, teamId: string): Record<string, unknown> {
  return {
    id: user.id,
    team_id: teamId,
    name: user.name,
    real_name: user.realName,
    is_bot: user.isBot,
    profile: { display_name: user.name, real_name: user.realName },
  };
}
