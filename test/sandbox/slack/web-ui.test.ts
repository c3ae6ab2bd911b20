import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySlackRequest } from '@slack/bolt';
import { PanelError, SlackWorkspace, startSlackStandIn, type PanelAction, type PanelState, type SandboxPanel, type SlackStandIn } from '../../../src/sandbox/slack/index.js';

/**
 * The sandbox page's server side: its files, the workspace as JSON and as a live event stream,
 * and the person the page plays, whose commands and clicks reach a bot signed as Slack signs them.
 */

const SECRET = 'web-ui-signing-secret';
const CHANNEL = 'C0OPS';
const ANN = 'U0ANN';

/** Stands in for the bot's /slack/events: verifies each request and records it. */
class RecordingBot {
  received: Array<{ form: URLSearchParams }> = [];
  status = 200;
  private readonly server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      verifySlackRequest({
        signingSecret: SECRET,
        body,
        headers: { 'x-slack-signature': String(req.headers['x-slack-signature']), 'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']) },
      });
      this.received.push({ form: new URLSearchParams(body) });
      res.writeHead(this.status).end();
    });
  });
  url = '';
  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/slack/events`;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The panel port, kept in memory: what the page asked for is what it records. */
class MemoryPanel implements SandboxPanel {
  actions: PanelAction[] = [];
  private readonly current: PanelState = {
    clock: { now: '2026-01-05T10:00:00.000Z', timeScale: 600 },
    apps: ['acme-prod'],
    regions: ['Virginia'],
    notices: [],
    faults: { rateLimitBurst: 0, errorRate: 0, stuckPolling: [] },
    mappings: { 'acme-prod': [{ object: 'Account', fields: ['Id', 'Name'] }] },
    versions: [{ major: 16, deprecatedAt: null, forcedUpgradesFrom: null }],
  };
  state(): PanelState {
    return this.current;
  }
  apply(action: PanelAction): PanelState {
    if (action.action === 'start') throw new PanelError(`There is no notice ${action.id}.`);
    this.actions.push(action);
    if (action.action === 'faults' && action.rateLimitBurst !== undefined) this.current.faults.rateLimitBurst = action.rateLimitBurst;
    return this.current;
  }
}

async function post(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null };
}

describe('the sandbox page of the Slack stand-in', () => {
  let slack: SlackStandIn;
  let bot: RecordingBot;
  let panel: MemoryPanel;
  const page = (path: string) => `${slack.url}${path}`;
  const ephemeralsOfAnn = () => slack.workspace.ephemerals({ user: ANN }).map((e) => e.text);

  beforeAll(async () => {
    const workspace = new SlackWorkspace();
    workspace.addChannel({ id: CHANNEL, name: 'ops', topic: 'Where runs happen' });
    workspace.addUser({ id: ANN, name: 'ann', realName: 'Ann Example' });
    bot = new RecordingBot();
    await bot.start();
    panel = new MemoryPanel();
    slack = await startSlackStandIn({ workspace, web: { people: [{ id: ANN, role: 'operator' }], panel } });
  });
  afterEach(() => {
    bot.received = [];
    bot.status = 200;
  });
  afterAll(async () => {
    await slack.close();
    await bot.close();
  });

  it('serves the page and its files, under a policy that runs nothing but them', async () => {
    const index = await fetch(page('/'));
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await index.text()).toContain('<script type="module" src="/web/app.js"></script>');
    for (const file of ['app.js', 'blocks.js', 'mrkdwn.js', 'panel.js', 'style.css', 'favicon.svg']) expect((await fetch(page(`/web/${file}`))).status).toBe(200);
    expect((await fetch(page('/web/server.ts'))).status).toBe(404);
    expect((await fetch(page('/web/%2e%2e/web-ui.ts'))).status).toBe(404);
    expect((await fetch(page('/web/nothing.js'))).status).toBe(404);
  });

  it('answers commands before the bot is connected with a note to the person who typed them', async () => {
    expect((await post(page('/ui/compose'), { user: ANN, channel: CHANNEL, text: '/connect help' })).status).toBe(204);
    expect(ephemeralsOfAnn().at(-1)).toBe('The bot is not running in this sandbox, so `/connect` goes nowhere.');
  });

  it('sends /connect to the bot as a signed slash command from the chosen person, with a response_url', async () => {
    slack.connectBot({ eventsUrl: bot.url, signingSecret: SECRET });
    expect((await post(page('/ui/compose'), { user: ANN, channel: CHANNEL, text: '  /connect upgrade acme-prod --version 17 ' })).status).toBe(204);
    const [command] = bot.received;
    expect(Object.fromEntries(command?.form ?? [])).toMatchObject({ command: '/connect', text: 'upgrade acme-prod --version 17', user_id: ANN, channel_id: CHANNEL });
    expect(command?.form.get('response_url')).toMatch(new RegExp(`^${slack.url}/response/`));

    bot.status = 500;
    await post(page('/ui/compose'), { user: ANN, channel: CHANNEL, text: '/connect status' });
    expect(ephemeralsOfAnn().at(-1)).toBe('`/connect` failed with the error "dispatch_failed"');
  });

  it('posts plain text as the person, escaped as Slack escapes it, and refuses commands it does not know', async () => {
    await post(page('/ui/compose'), { user: ANN, channel: CHANNEL, text: 'deploy <b> & go' });
    const posted = slack.workspace.history(CHANNEL).at(-1);
    expect(posted).toMatchObject({ user: ANN, text: 'deploy &lt;b&gt; &amp; go' });
    await post(page('/ui/compose'), { user: ANN, channel: CHANNEL, text: 'in the thread', threadTs: posted?.ts });
    expect(slack.workspace.replies(CHANNEL, posted?.ts ?? '').map((m) => m.text)).toEqual(['in the thread']);

    await post(page('/ui/compose'), { user: ANN, channel: CHANNEL, text: '/giphy cats' });
    expect(ephemeralsOfAnn().at(-1)).toBe('`/giphy` is not a command in this workspace. Try `/connect help`.');
    expect(bot.received).toEqual([]);
    expect((await post(page('/ui/compose'), { user: ANN, channel: CHANNEL, text: '   ' })).status).toBe(400);
    expect((await post(page('/ui/compose'), 'not json')).status).toBe(400);
    expect(await post(page('/ui/compose'), { user: 'U0NOBODY', channel: CHANNEL, text: 'hi' })).toEqual({ status: 400, body: { error: 'No user U0NOBODY.' } });
    expect(await post(page('/ui/compose'), { user: ANN, channel: 'C0NOWHERE', text: 'hi' })).toEqual({ status: 400, body: { error: 'No channel C0NOWHERE.' } });
  });

  it('clicks the button with that value on the message as it is now, and says so when the button is gone', async () => {
    slack.connectBot({ eventsUrl: bot.url, signingSecret: SECRET });
    const button = (value: string) => ({ type: 'button', action_id: 'approve', value, text: { type: 'plain_text', text: 'Approve' } });
    const message = slack.workspace.post({
      channel: CHANNEL,
      user: slack.workspace.bot.id,
      text: 'Plan',
      blocks: [{ type: 'actions', block_id: 'decide', elements: [button('run-1'), { ...button('run-2'), action_id: 'reject' }] }],
    });
    expect((await post(page('/ui/click'), { user: ANN, channel: CHANNEL, ts: message.ts, actionId: 'approve', value: 'run-1' })).status).toBe(204);
    const payload = JSON.parse(bot.received[0]?.form.get('payload') ?? '{}') as Record<string, unknown>;
    expect(payload).toMatchObject({ type: 'block_actions', user: { id: ANN }, container: { message_ts: message.ts, channel_id: CHANNEL } });
    expect(payload.actions).toEqual([expect.objectContaining({ action_id: 'approve', block_id: 'decide', value: 'run-1' })]);

    await post(page('/ui/click'), { user: ANN, channel: CHANNEL, ts: message.ts, actionId: 'approve', value: 'run-0' });
    expect(ephemeralsOfAnn().at(-1)).toBe('That button is no longer on the message: it changed while you were looking.');
    expect(bot.received).toHaveLength(1);
    expect((await post(page('/ui/click'), { user: ANN, channel: CHANNEL })).status).toBe(400);
  });

  it('gives the whole workspace to a page that loads', async () => {
    const state = (await (await fetch(page('/ui/state'))).json()) as Record<string, unknown>;
    expect(state).toMatchObject({
      bot: { id: slack.workspace.bot.id, name: 'connect-ops' },
      people: [{ id: ANN, role: 'operator' }],
      channels: [{ id: CHANNEL, name: 'ops', topic: 'Where runs happen' }],
      panel: panel.state(),
    });
    expect(state.users).toContainEqual(expect.objectContaining({ id: ANN, realName: 'Ann Example' }));
    expect(state.messages).toContainEqual(expect.objectContaining({ channel: CHANNEL, text: 'in the thread', threadTs: expect.any(String), at: expect.any(String) }));
    expect(state.ephemerals).toContainEqual(expect.objectContaining({ id: 0, user: ANN, channel: CHANNEL }));
  });

  it('streams every change of the workspace and of the sandbox as Server-Sent Events', async () => {
    const controller = new AbortController();
    const response = await fetch(page('/ui/events'), { signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    let received = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(received)) received += new TextDecoder().decode((await reader.read()).value);
    };

    const message = slack.workspace.post({ channel: CHANNEL, user: ANN, text: 'first' });
    slack.workspace.update({ channel: CHANNEL, ts: message.ts, text: 'second' });
    slack.workspace.postEphemeral({ channel: CHANNEL, user: ANN, text: 'just you', blocks: [], via: 'chat.postEphemeral' });
    await post(page('/ui/sandbox'), { action: 'faults', rateLimitBurst: 5 });
    await until(/event: sandbox/);
    const events = received
      .split('\n\n')
      .filter((frame) => frame.startsWith('event: '))
      .map((frame) => [frame.slice('event: '.length, frame.indexOf('\n')), JSON.parse(frame.slice(frame.indexOf('data: ') + 6)) as Record<string, unknown>] as const);
    expect(events.map(([event, data]) => `${event} ${String(data.type ?? '')}`)).toEqual(['workspace message', 'workspace edit', 'workspace ephemeral', 'sandbox ']);
    expect(events[1]?.[1]).toMatchObject({ message: { ts: message.ts, text: 'second', edited: true } });
    expect(events[2]?.[1]).toMatchObject({ ephemeral: { user: ANN, text: 'just you' } });
    expect(events[3]?.[1]).toMatchObject({ faults: { rateLimitBurst: 5 } });
    controller.abort();
  });

  it('carries the sandbox panel’s actions to the simulated Heroku, and its refusals back', async () => {
    expect((await fetch(page('/ui/sandbox'))).status).toBe(200);
    const announce = { action: 'announce', region: 'Virginia', startsInHours: 3, durationMinutes: 60 };
    expect(await post(page('/ui/sandbox'), announce)).toEqual({ status: 200, body: panel.state() });
    expect(panel.actions.at(-1)).toEqual(announce);
    expect(await post(page('/ui/sandbox'), { action: 'start', id: 9 })).toEqual({ status: 409, body: { error: 'There is no notice 9.' } });
    expect((await post(page('/ui/sandbox'), { action: 'announce', region: 'Virginia', startsInHours: -1, durationMinutes: 60 })).status).toBe(400);
    expect((await post(page('/ui/sandbox'), { action: 'explode' })).status).toBe(400);
  });

  it('has no panel when no simulated Heroku is behind it', async () => {
    const bare = await startSlackStandIn({ web: { people: [] } });
    try {
      expect((await fetch(`${bare.url}/ui/sandbox`)).status).toBe(404);
      expect(((await (await fetch(`${bare.url}/ui/state`)).json()) as { panel: unknown }).panel).toBeNull();
    } finally {
      await bare.close();
    }
  });
});
