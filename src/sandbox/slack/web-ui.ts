import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ackText, buttonsOf, type SlackDriver } from './driver.js';
import { PanelError, panelAction, type SandboxPanel } from './panel.js';
import { viewJson } from './web-api.js';
import type { Ephemeral, SlackMessage, SlackView, SlackWorkspace, WorkspaceChange } from './workspace.js';

/**
 * The sandbox page: static files from web/ and the routes behind them. The page reads the
 * workspace (`/ui/state`), follows its changes as Server-Sent Events (`/ui/events`), and plays a
 * person of the workspace: what they type goes to the bot as a signed slash command, what they
 * click as a signed `block_actions`, through the same SlackDriver the tests use.
 */

export interface WebUiOptions {
  /** The people the "You are" switch offers, in order, with the role shown beside each name. */
  people: Array<{ id: string; role: string }>;
  /** The app's global shortcuts (the ⚡ menu), as its manifest declares them. */
  shortcuts?: Array<{ name: string; callbackId: string }>;
  /** The simulated Heroku's controls; the page hides its sandbox panel without them. */
  panel?: SandboxPanel;
}

export interface WebUi {
  /** Answers a page request; false when the path is not the page's. */
  handle(req: IncomingMessage, res: ServerResponse, path: string, body: string): Promise<boolean>;
  /** From now on, commands and clicks go to the bot through this driver. */
  connectBot(driver: SlackDriver): void;
  /** Ends the event streams and stops listening to the workspace. */
  close(): void;
}

// The page's files stay with the sources: this module runs from src/sandbox/slack/ or, compiled,
// from dist/sandbox/slack/, both three folders below the package (tsc copies no static files).
const WEB_DIR = new URL('../../../src/sandbox/slack/web/', import.meta.url);
const STATIC_FILE = /^\/(?:web\/)?([a-z][a-z0-9-]*\.(?:html|css|js|svg))$/;
const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};
// The page runs only its own files: no inline script, no third-party origin.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'";
const KEEP_ALIVE_MS = 15_000;
const NO_PANEL = { error: 'This sandbox has no simulated Heroku panel.' };

const composeBody = z.object({
  user: z.string().min(1),
  channel: z.string().min(1),
  text: z.string().trim().min(1).max(4000),
  threadTs: z.string().optional(),
});
const clickBody = z.object({
  user: z.string().min(1),
  channel: z.string().min(1),
  ts: z.string().min(1),
  actionId: z.string().min(1),
  value: z.string().optional(),
});
const userBody = z.object({ user: z.string().min(1) });
const shortcutBody = z.object({ user: z.string().min(1), callbackId: z.string().min(1) });
/** What a person entered in a view, as Slack's client keeps it: block_id -> action_id -> state. */
const viewValues = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown())));
const viewActionBody = z.object({
  user: z.string().min(1),
  viewId: z.string().min(1),
  blockId: z.string().min(1),
  actionId: z.string().min(1),
  /** The element's state after the change (a select's `selected_option`...), or a button's `value`. */
  action: z.record(z.string(), z.unknown()),
  values: viewValues.optional(),
});
const viewSubmitBody = z.object({ user: z.string().min(1), viewId: z.string().min(1), values: viewValues });
const viewCloseBody = z.object({ user: z.string().min(1), viewId: z.string().min(1) });

export function createWebUi(workspace: SlackWorkspace, options: WebUiOptions): WebUi {
  let driver: SlackDriver | undefined;
  const streams = new Set<ServerResponse>();
  const broadcast = (event: string, data: unknown) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const stream of streams) stream.write(frame);
  };
  const unsubscribe = workspace.onChange((change) => broadcast('workspace', changeJson(workspace, change)));
  const keepAlive = setInterval(() => {
    for (const stream of streams) stream.write(': keep-alive\n\n');
  }, KEEP_ALIVE_MS);
  keepAlive.unref();

  /** What the stand-in says to one person, as Slack does for a command it cannot deliver. */
  const notice = (user: string, channel: string, text: string) =>
    void workspace.postEphemeral({ channel, user, text, blocks: [], via: 'chat.postEphemeral' });

  /** Why a request from the page names no one or nowhere in the workspace, if it does. */
  const unknown = (input: { user: string; channel: string }) =>
    !workspace.user(input.user) ? `No user ${input.user}.` : !workspace.channel(input.channel) ? `No channel ${input.channel}.` : undefined;

  async function compose(input: z.infer<typeof composeBody>): Promise<string | undefined> {
    const problem = unknown(input);
    if (problem) return problem;
    const slash = /^\/(\S+)\s*([\s\S]*)$/.exec(input.text);
    if (!slash) {
      workspace.post({ channel: input.channel, user: input.user, text: escapeMrkdwn(input.text), threadTs: input.threadTs ?? null });
      return;
    }
    const [, command = '', text = ''] = slash;
    if (command !== 'connect') return notice(input.user, input.channel, `\`/${command}\` is not a command in this workspace. Try \`/connect help\`.`);
    if (!driver) return notice(input.user, input.channel, 'The bot is not running in this sandbox, so `/connect` goes nowhere.');
    const delivery = await driver.command({ user: input.user, channel: input.channel, text }).catch(() => undefined);
    if (delivery?.status !== 200) return notice(input.user, input.channel, '`/connect` failed with the error "dispatch_failed"');
    // Slack shows the typist the ack's own text (connect-ops answers a refusal that way).
    const answer = ackText(delivery);
    if (answer) workspace.postEphemeral({ channel: input.channel, user: input.user, text: answer, blocks: [], via: 'ack' });
  }

  async function click(input: z.infer<typeof clickBody>): Promise<string | undefined> {
    const problem = unknown(input);
    if (problem) return problem;
    const message = workspace.message(input.channel, input.ts);
    const clicked = (b: { action_id: string; value?: string }) => b.action_id === input.actionId && b.value === input.value;
    if (!message || !buttonsOf(message.blocks).some(clicked)) {
      return notice(input.user, input.channel, 'That button is no longer on the message: it changed while you were looking.');
    }
    if (!driver) return notice(input.user, input.channel, 'The bot is not running in this sandbox, so buttons do nothing.');
    const delivery = await driver.click({ user: input.user, message, actionId: input.actionId, which: clicked }).catch(() => undefined);
    if (delivery?.status !== 200) notice(input.user, input.channel, 'The bot did not answer that click.');
  }

  /** The person's view, or why the page cannot act on it. */
  const viewFor = (user: string, viewId: string) => {
    const view = workspace.view(viewId);
    if (!view || view.user !== user || view.closed) return undefined;
    return view;
  };

  async function homeOpened(input: z.infer<typeof userBody>): Promise<string | undefined> {
    if (!workspace.user(input.user)) return `No user ${input.user}.`;
    if (!driver) return 'The bot is not running in this sandbox.';
    const home = workspace.homeOf(input.user);
    await driver.homeOpened({ user: input.user, ...(home ? { view: viewJson(workspace, home) } : {}) }).catch(() => undefined);
  }

  async function shortcut(input: z.infer<typeof shortcutBody>): Promise<string | undefined> {
    if (!workspace.user(input.user)) return `No user ${input.user}.`;
    if (!driver) return 'The bot is not running in this sandbox.';
    const delivery = await driver.shortcut({ user: input.user, callbackId: input.callbackId }).catch(() => undefined);
    if (delivery?.status !== 200) return 'The bot did not answer the shortcut.';
  }

  async function viewAction(input: z.infer<typeof viewActionBody>): Promise<string | undefined> {
    const view = viewFor(input.user, input.viewId);
    if (!view) return 'That view is closed or not yours.';
    if (!driver) return 'The bot is not running in this sandbox.';
    if (input.values) workspace.setViewValues(view.id, input.values);
    const action = { action_id: input.actionId, ...input.action };
    const delivery = await driver.viewAction({ user: input.user, view: viewJson(workspace, view), blockId: input.blockId, action }).catch(() => undefined);
    if (delivery?.status !== 200) return 'The bot did not answer.';
  }

  /** A submission: the bot's answer closes the modal, shows its errors, or replaces it. */
  async function viewSubmit(res: ServerResponse, input: z.infer<typeof viewSubmitBody>): Promise<string | undefined> {
    const view = viewFor(input.user, input.viewId);
    if (!view) return 'That view is closed or not yours.';
    if (!driver) return 'The bot is not running in this sandbox.';
    workspace.setViewValues(view.id, input.values);
    const delivery = await driver.viewSubmission({ user: input.user, view: viewJson(workspace, view) }).catch(() => undefined);
    if (delivery?.status !== 200) return 'The bot did not answer the submission.';
    let answer: { response_action?: string; errors?: Record<string, string>; view?: Record<string, unknown> } = {};
    try {
      answer = delivery.body ? (JSON.parse(delivery.body) as typeof answer) : {};
    } catch {
      answer = {};
    }
    if (answer.response_action === 'errors') workspace.showViewErrors(view.id, answer.errors ?? {});
    else if (answer.response_action === 'update' && answer.view) workspace.updateView(view.id, answer.view);
    else workspace.closeView(view.id);
    sendJson(res, 200, { response_action: answer.response_action ?? null, errors: answer.errors ?? {} });
  }

  function openStream(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    streams.add(res);
    // The response's close, not the request's: a request closes as soon as its (empty) body is read.
    res.on('close', () => streams.delete(res));
  }

  return {
    async handle(req, res, path, body) {
      const method = req.method ?? 'GET';
      const file = STATIC_FILE.exec(path === '/' ? '/index.html' : path)?.[1];
      if (method === 'GET' && file) return serveFile(res, file);
      if (!path.startsWith('/ui/')) return false;
      const route = `${method} ${path}`;
      switch (route) {
        case 'GET /ui/state':
          return sendJson(res, 200, stateJson(workspace, options));
        case 'GET /ui/events':
          openStream(res);
          return true;
        case 'POST /ui/compose':
          return withBody(res, composeBody, body, compose);
        case 'POST /ui/click':
          return withBody(res, clickBody, body, click);
        case 'POST /ui/home':
          return withBody(res, userBody, body, homeOpened);
        case 'POST /ui/shortcut':
          return withBody(res, shortcutBody, body, shortcut);
        case 'POST /ui/view-action':
          return withBody(res, viewActionBody, body, viewAction);
        case 'POST /ui/view-submit':
          return withBody(res, viewSubmitBody, body, (input) => viewSubmit(res, input));
        case 'POST /ui/view-close':
          return withBody(res, viewCloseBody, body, async (input) => {
            if (!viewFor(input.user, input.viewId)) return 'That view is closed or not yours.';
            workspace.closeView(input.viewId);
          });
        case 'GET /ui/sandbox':
          return options.panel ? sendJson(res, 200, options.panel.state()) : sendJson(res, 404, NO_PANEL);
        case 'POST /ui/sandbox': {
          const panel = options.panel;
          if (!panel) return sendJson(res, 404, NO_PANEL);
          return withBody(res, panelAction, body, async (action) => {
            try {
              const state = panel.apply(action);
              broadcast('sandbox', state);
              sendJson(res, 200, state);
            } catch (error) {
              if (!(error instanceof PanelError)) throw error;
              sendJson(res, 409, { error: error.message });
            }
          });
        }
        default:
          return sendJson(res, 404, { error: `No ${route}.` });
      }
    },
    connectBot(next) {
      driver = next;
    },
    close() {
      unsubscribe();
      clearInterval(keepAlive);
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}

/** Parses a JSON body and runs `act`; answers 400 with the problem `act` returns, else 204 unless `act` answered itself. */
async function withBody<T>(res: ServerResponse, schema: z.ZodType<T>, body: string, act: (input: T) => Promise<string | undefined | void>): Promise<true> {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return sendJson(res, 400, { error: 'The body must be JSON.' });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return sendJson(res, 400, { error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
  const problem = await act(parsed.data);
  if (problem) return sendJson(res, 400, { error: problem });
  if (!res.headersSent) {
    res.writeHead(204);
    res.end();
  }
  return true;
}

async function serveFile(res: ServerResponse, file: string): Promise<true> {
  let content: Buffer;
  try {
    content = await readFile(new URL(file, WEB_DIR));
  } catch {
    return sendJson(res, 404, { error: `No ${file}.` });
  }
  const type = CONTENT_TYPES[file.slice(file.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store', 'content-security-policy': CSP });
  res.end(content);
  return true;
}

function sendJson(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
  return true;
}

/** Slack escapes the three control characters of what people type. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function stateJson(workspace: SlackWorkspace, options: WebUiOptions) {
  return {
    team: workspace.team,
    bot: { id: workspace.bot.id, name: workspace.bot.name },
    people: options.people,
    users: workspace.allUsers(),
    groups: workspace.userGroups(),
    channels: workspace.allChannels(),
    messages: workspace.allMessages().map(messageJson),
    ephemerals: workspace.ephemerals().map((e, id) => ephemeralJson(e, id)),
    views: workspace.openViews().map(pageViewJson),
    shortcuts: options.shortcuts ?? [],
    panel: options.panel?.state() ?? null,
  };
}

function changeJson(workspace: SlackWorkspace, change: WorkspaceChange) {
  if (change.type === 'view') return { type: change.type, view: pageViewJson(change.view) };
  if (change.type === 'ephemeral') return { type: change.type, ephemeral: ephemeralJson(change.ephemeral, workspace.ephemerals().indexOf(change.ephemeral)) };
  return { type: change.type, message: messageJson(change.message) };
}

/** A view as the page needs it: whose, what, the values entered and the errors of the last submission. */
function pageViewJson(v: SlackView) {
  return { id: v.id, type: v.type, user: v.user, hash: v.hash, view: v.view, values: v.values, errors: v.errors, closed: v.closed };
}

function messageJson(m: SlackMessage) {
  return { channel: m.channel, ts: m.ts, threadTs: m.threadTs, user: m.user, text: m.text, blocks: m.blocks, at: m.at, edited: m.edits.length > 0 };
}

function ephemeralJson(e: Ephemeral, id: number) {
  return { id, channel: e.channel, user: e.user, text: e.text, blocks: e.blocks, at: e.at };
}
