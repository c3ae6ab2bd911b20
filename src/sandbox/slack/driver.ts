import { randomUUID } from 'node:crypto';
import { responseUrl } from './response-urls.js';
import { signedHeaders } from './signing.js';
import { newTriggerId } from './triggers.js';

/**
 * Plays Slack's side of a conversation with the bot: sends correctly signed slash commands and
 * button clicks (`block_actions`) to its `/slack/events` endpoint, as Slack does, and reports how
 * fast the bot acknowledged each one.
 */

export interface SlackDriverOptions {
  /** The bot's endpoint, e.g. http://127.0.0.1:3000/slack/events */
  eventsUrl: string;
  signingSecret: string;
  /** The stand-in's base URL: the response_urls sent with each request point there. */
  standInUrl?: string;
  team?: { id: string; domain: string };
  clock?: () => Date;
}

export interface Delivery {
  status: number;
  body: string;
  /** Milliseconds from sending the request to the bot's complete answer: the ack latency. */
  ms: number;
  triggerId: string;
  responseUrl: string;
}

export interface DeliverOptions {
  contentType?: string;
  /** Seconds since the epoch; a stale one is refused by the bot. */
  timestamp?: number;
  /** Overrides the computed signature (to test refusal). */
  signature?: string;
  /** Slack's retry headers: X-Slack-Retry-Num and X-Slack-Retry-Reason. */
  retryNum?: number;
}

/** The message a button is on: any message with blocks, e.g. a SlackMessage from the workspace. */
export interface ClickableMessage {
  channel: string;
  ts: string;
  blocks: unknown[];
}

export interface CommandInput {
  user: string;
  channel: string;
  text: string;
  command?: string;
  triggerId?: string;
}

export interface ClickInput {
  user: string;
  message: ClickableMessage;
  actionId: string;
  which?: (button: Button) => boolean;
  triggerId?: string;
}

interface Button {
  action_id: string;
  block_id?: string;
  value?: string;
  text?: unknown;
  type: string;
}

export class SlackDriver {
  private readonly team: { id: string; domain: string };
  private readonly clock: () => Date;

  constructor(private readonly options: SlackDriverOptions) {
    this.team = options.team ?? { id: 'T0SANDBOX', domain: 'connect-ops-sandbox' };
    this.clock = options.clock ?? (() => new Date());
  }

  /** `/connect <text>` typed by `user` in `channel`. */
  command(input: CommandInput & DeliverOptions): Promise<Delivery> {
    const { fields, triggerId, responseUrl: url } = this.commandPayload(input);
    return this.deliver(new URLSearchParams(fields).toString(), input, triggerId, url);
  }

  /**
   * The fields of a slash command as Slack sends them: form-encoded over HTTP, or as the `payload`
   * of a Socket Mode `slash_commands` envelope.
   */
  commandPayload(input: CommandInput): { fields: Record<string, string>; triggerId: string; responseUrl: string } {
    const triggerId = input.triggerId ?? newTriggerId(input.user);
    const url = this.responseUrl({ channel: input.channel, user: input.user });
    const fields = {
      token: 'deprecated-verification-token',
      team_id: this.team.id,
      team_domain: this.team.domain,
      channel_id: input.channel,
      channel_name: input.channel.toLowerCase(),
      user_id: input.user,
      user_name: input.user.toLowerCase(),
      command: input.command ?? '/connect',
      text: input.text,
      api_app_id: 'A0CONNECTOPS',
      is_enterprise_install: 'false',
      response_url: url,
      trigger_id: triggerId,
    };
    return { fields, triggerId, responseUrl: url };
  }

  /** `user` clicks the button `actionId` on `message` (the first one, or the first `which` accepts). */
  click(input: ClickInput & DeliverOptions): Promise<Delivery> {
    const { payload, triggerId, responseUrl: url } = this.clickPayload(input);
    return this.deliver(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), input, triggerId, url);
  }

  /** The `block_actions` payload of a click: form-encoded over HTTP, or a Socket Mode `interactive` envelope's payload. */
  clickPayload(input: ClickInput): { payload: Record<string, unknown>; triggerId: string; responseUrl: string } {
    const button = buttonsOf(input.message.blocks).find((b) => b.action_id === input.actionId && (input.which?.(b) ?? true));
    if (!button) throw new Error(`no ${input.actionId} button on message ${input.message.ts}`);
    const triggerId = input.triggerId ?? newTriggerId(input.user);
    const url = this.responseUrl({ channel: input.message.channel, user: input.user, messageTs: input.message.ts });
    const actionTs = (this.clock().getTime() / 1000).toFixed(6);
    const payload = {
      type: 'block_actions',
      user: this.userJson(input.user),
      api_app_id: 'A0CONNECTOPS',
      token: 'deprecated-verification-token',
      container: { type: 'message', message_ts: input.message.ts, channel_id: input.message.channel, is_ephemeral: false },
      trigger_id: triggerId,
      team: this.team,
      enterprise: null,
      is_enterprise_install: false,
      channel: { id: input.message.channel, name: input.message.channel.toLowerCase() },
      message: { type: 'message', ts: input.message.ts, blocks: input.message.blocks },
      response_url: url,
      actions: [{ ...button, action_ts: actionTs }],
    };
    return { payload, triggerId, responseUrl: url };
  }

  /** An Events API event (`app_home_opened`...), as Slack delivers it: JSON, signed. */
  event(input: { event: Record<string, unknown> } & DeliverOptions): Promise<Delivery> {
    const body = JSON.stringify({
      token: 'deprecated-verification-token',
      team_id: this.team.id,
      api_app_id: 'A0CONNECTOPS',
      event: { event_ts: (this.clock().getTime() / 1000).toFixed(6), ...input.event },
      type: 'event_callback',
      event_id: `Ev${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`,
      event_time: Math.floor(this.clock().getTime() / 1000),
      authorizations: [{ team_id: this.team.id, user_id: 'U0BOT', is_bot: true, is_enterprise_install: false }],
    });
    return this.deliver(body, { ...input, contentType: 'application/json' });
  }

  /** `user` opens the app's Home tab. */
  homeOpened(input: { user: string; view?: Record<string, unknown> } & DeliverOptions): Promise<Delivery> {
    return this.event({ ...input, event: { type: 'app_home_opened', user: input.user, channel: `D0${input.user.slice(1)}`, tab: 'home', ...(input.view ? { view: input.view } : {}) } });
  }

  /** `user` picks the app's global shortcut `callbackId` (the ⚡ menu). */
  shortcut(input: { user: string; callbackId: string } & DeliverOptions): Promise<Delivery> {
    const triggerId = newTriggerId(input.user);
    const payload = {
      type: 'shortcut',
      token: 'deprecated-verification-token',
      action_ts: (this.clock().getTime() / 1000).toFixed(6),
      team: this.team,
      user: this.userJson(input.user),
      is_enterprise_install: false,
      enterprise: null,
      callback_id: input.callbackId,
      trigger_id: triggerId,
    };
    return this.deliver(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), input, triggerId);
  }

  /** `user` works an element of a view (`view` as views.* answered, with its state): a `block_actions` from a view. */
  viewAction(input: { user: string; view: Record<string, unknown>; blockId: string; action: Record<string, unknown> } & DeliverOptions): Promise<Delivery> {
    const triggerId = newTriggerId(input.user);
    const payload = {
      type: 'block_actions',
      user: this.userJson(input.user),
      api_app_id: 'A0CONNECTOPS',
      token: 'deprecated-verification-token',
      container: { type: 'view', view_id: input.view.id },
      trigger_id: triggerId,
      team: this.team,
      enterprise: null,
      is_enterprise_install: false,
      view: input.view,
      actions: [{ block_id: input.blockId, action_ts: (this.clock().getTime() / 1000).toFixed(6), ...input.action }],
    };
    return this.deliver(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), input, triggerId);
  }

  /** `user` submits a modal (`view` with the state they entered). The answer may carry `response_action`. */
  viewSubmission(input: { user: string; view: Record<string, unknown> } & DeliverOptions): Promise<Delivery> {
    const triggerId = newTriggerId(input.user);
    const payload = {
      type: 'view_submission',
      team: this.team,
      user: this.userJson(input.user),
      api_app_id: 'A0CONNECTOPS',
      token: 'deprecated-verification-token',
      trigger_id: triggerId,
      view: input.view,
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    return this.deliver(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), input, triggerId);
  }

  /** Sends a raw body, signed unless `signature` overrides it. */
  async deliver(body: string, options: DeliverOptions = {}, triggerId = '', url = ''): Promise<Delivery> {
    const timestamp = options.timestamp ?? Math.floor(this.clock().getTime() / 1000);
    const headers = signedHeaders(this.options.signingSecret, body, timestamp, options.contentType);
    if (options.signature !== undefined) headers['x-slack-signature'] = options.signature;
    if (options.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(options.retryNum);
      headers['x-slack-retry-reason'] = 'http_timeout';
    }
    const started = performance.now();
    const response = await fetch(this.options.eventsUrl, { method: 'POST', headers, body });
    const text = await response.text();
    return { status: response.status, body: text, ms: performance.now() - started, triggerId, responseUrl: url };
  }

  private responseUrl(context: Parameters<typeof responseUrl>[1]): string {
    return responseUrl(this.options.standInUrl ?? 'http://127.0.0.1:9', context);
  }

  private userJson(user: string) {
    return { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: this.team.id };
  }
}

/**
 * The text of a command's immediate answer (the ack's body), which Slack shows the typist as an
 * ephemeral message; undefined for an empty ack.
 */
export function ackText(delivery: Pick<Delivery, 'status' | 'body'>): string | undefined {
  if (delivery.status !== 200 || delivery.body.trim() === '') return undefined;
  try {
    const answer = JSON.parse(delivery.body) as { text?: unknown };
    return typeof answer.text === 'string' ? answer.text : undefined;
  } catch {
    return delivery.body;
  }
}

/** Every button in a message's blocks (actions blocks and section accessories). */
export function buttonsOf(blocks: unknown[]): Button[] {
  const buttons: Button[] = [];
  for (const block of blocks as Array<Record<string, unknown>>) {
    const candidates = [...(Array.isArray(block.elements) ? block.elements : []), block.accessory] as Array<Record<string, unknown> | undefined>;
    for (const element of candidates) {
      if (element?.type === 'button' && typeof element.action_id === 'string') {
        buttons.push({ ...(element as unknown as Button), block_id: typeof block.block_id === 'string' ? block.block_id : undefined });
      }
    }
  }
  return buttons;
}
