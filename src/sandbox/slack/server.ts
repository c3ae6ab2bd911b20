import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlackDriver } from './driver.js';
import { responseContext, type ResponseContext } from './response-urls.js';
import { callWebApiMethod, content, type MethodArgs } from './web-api.js';
import { createWebUi, type WebUiOptions } from './web-ui.js';
import { SlackApiError, SlackWorkspace } from './workspace.js';

/**
 * A local stand-in for Slack's Web API on loopback (point `SLACK_API_URL` at `apiUrl`). It answers
 * the methods the bot calls on top of a SlackWorkspace, serves `response_url`s, and records every
 * call for tests to assert on. With `web`, it also serves the sandbox page at `url` (web-ui.ts).
 */

export interface ApiCall {
  method: string;
  /** The arguments as sent, with `blocks` decoded. */
  args: MethodArgs;
  response: Record<string, unknown>;
  at: string;
}

export interface ResponseUrlPost {
  channel: string;
  user: string;
  body: Record<string, unknown>;
  status: number;
  at: string;
}

export interface SlackStandInOptions {
  workspace?: SlackWorkspace;
  /** The bot token the stand-in accepts; any `xoxb-` token when unset. */
  botToken?: string;
  port?: number;
  /** Serve the sandbox page, where people use the workspace in a browser. */
  web?: WebUiOptions;
}

export interface SlackStandIn {
  /** Base URL, e.g. http://127.0.0.1:54321 */
  url: string;
  /** What SLACK_API_URL is set to: `${url}/api/`. */
  apiUrl: string;
  workspace: SlackWorkspace;
  calls: ApiCall[];
  responses: ResponseUrlPost[];
  callsTo(method: string): ApiCall[];
  /** Makes the next call of `method` answer `{ ok: false, error }`, as Slack does when something is wrong. */
  failNext(method: string, error?: string): void;
  /** Where the page's commands and clicks go, signed with the bot's signing secret. */
  connectBot(bot: { eventsUrl: string; signingSecret: string }): void;
  close(): Promise<void>;
}

export async function startSlackStandIn(options: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const workspace = options.workspace ?? new SlackWorkspace();
  const calls: ApiCall[] = [];
  const responses: ResponseUrlPost[] = [];
  const failures = new Map<string, string[]>();
  const injectedFailure = (method: string) => failures.get(method)?.shift();
  const authorized = (token: string | undefined) =>
    token !== undefined && (options.botToken ? token === options.botToken : token.startsWith('xoxb-'));

  const web = options.web ? createWebUi(workspace, options.web) : undefined;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { ok: false, error: 'internal_error', detail: String(error) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://stand-in').pathname;
    const body = await readBody(req);
    const api = /^\/api\/([a-zA-Z.]+)$/.exec(path);
    if (api && req.method === 'POST') {
      const method = api[1] ?? '';
      const args = parseArgs(req.headers['content-type'], body);
      const token = bearer(req.headers.authorization) ?? (typeof args.token === 'string' ? args.token : undefined);
      delete args.token;
      const failure = injectedFailure(method);
      const response = !authorized(token)
        ? { ok: false, error: token ? 'invalid_auth' : 'not_authed' }
        : failure
          ? { ok: false, error: failure }
          : callWebApiMethod(workspace, method, args);
      calls.push({ method, args: decodeBlocks(args), response, at: new Date().toISOString() });
      return send(res, 200, response);
    }
    const reply = /^\/response\/([A-Za-z0-9_-]+)$/.exec(path);
    if (reply && req.method === 'POST') {
      const context = responseContext(reply[1] ?? '');
      if (!context) return sendText(res, 404, 'invalid_token');
      const payload = parseArgs(req.headers['content-type'] ?? 'application/json', body);
      const status = applyResponse(workspace, context, payload);
      responses.push({ channel: context.channel, user: context.user, body: decodeBlocks(payload), status, at: new Date().toISOString() });
      return sendText(res, status, status === 200 ? 'ok' : 'invalid_blocks');
    }
    if (web && (await web.handle(req, res, path, body))) return;
    sendText(res, 404, 'not_found');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiUrl: `${url}/api/`,
    workspace,
    calls,
    responses,
    callsTo: (method) => calls.filter((c) => c.method === method),
    failNext: (method, error = 'internal_error') => void failures.set(method, [...(failures.get(method) ?? []), error]),
    connectBot: (bot) => web?.connectBot(new SlackDriver({ ...bot, standInUrl: url, team: workspace.team })),
    close: () =>
      new Promise<void>((resolve) => {
        web?.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a POST to a response_url does: edit or delete the clicked message, post in the channel, or reply ephemerally. */
function applyResponse(workspace: SlackWorkspace, context: ResponseContext, payload: MethodArgs): number {
  try {
    if (payload.delete_original === true && context.messageTs) {
      workspace.delete({ channel: context.channel, ts: context.messageTs });
      return 200;
    }
    const { text, blocks } = content(payload);
    if (payload.replace_original === true && context.messageTs) {
      workspace.update({ channel: context.channel, ts: context.messageTs, text, blocks });
    } else if (payload.response_type === 'in_channel') {
      workspace.post({ channel: context.channel, user: workspace.bot.id, text, blocks });
    } else {
      workspace.postEphemeral({ channel: context.channel, user: context.user, text, blocks, via: 'response_url' });
    }
    return 200;
  } catch (error) {
    if (error instanceof SlackApiError) return 400;
    throw error;
  }
}

function parseArgs(contentType: string | undefined, body: string): MethodArgs {
  if (body === '') return {};
  if (contentType?.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(body);
      return typeof parsed === 'object' && parsed !== null ? (parsed as MethodArgs) : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(body));
}

function decodeBlocks(args: MethodArgs): MethodArgs {
  if (typeof args.blocks !== 'string') return { ...args };
  try {
    return { ...args, blocks: JSON.parse(args.blocks) as unknown };
  } catch {
    return { ...args };
  }
}

function bearer(header: string | undefined): string | undefined {
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}
