import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulatedHeroku, type SimulatedHeroku } from '../../src/sandbox/heroku/index.js';
import { buttonsOf, SlackDriver, SlackWorkspace, startSlackStandIn, type SlackMessage, type SlackStandIn } from '../../src/sandbox/slack/index.js';
import { BOT_TOKEN, CHANNEL, POLICY, seedWorkspace, SIGNING_SECRET, startedRunId, USERS } from '../bot/support/harness.js';
import { parseExposition } from '../support/prometheus.js';
import { startSocketModeStandIn, type SocketModeStandIn } from '../support/socket-mode.js';
import { startBotProcess, type BotProcess } from './support/bot-process.js';

/**
 * Issue 15, part 8: the bot in Socket Mode (SLACK_APP_TOKEN set), started as a process of its own
 * as the Procfile's `worker` starts it, against the Socket Mode stand-in (test/support/socket-mode.ts)
 * in front of the Slack stand-in, and the simulated Heroku. Slack's side sends envelopes on the
 * socket and the bot acks them: `/connect upgrade acme-prod` plans and starts the run, an approval
 * click is recorded, Slack asks for a reconnect (`disconnect`, `refresh_requested`) and the bot
 * opens a new connection through `apps.connections.open`, where the second approval and the rest
 * of the run go on. `/healthz` and `/metrics` answer on $PORT.
 */

const TIME_SCALE = 300;
const HOUR = 3_600_000;
const APP_TOKEN = `xapp-1-A0CONNECTOPS-${randomBytes(12).toString('hex')}`;
const METRICS_TOKEN = `mt-${randomBytes(16).toString('hex')}`;

describe('Socket Mode, the worker process', () => {
  let sim: SimulatedHeroku;
  let slack: SlackStandIn;
  let workspace: SlackWorkspace;
  let socket: SocketModeStandIn;
  let bot: BotProcess;
  // Builds Slack's payloads; nothing is sent over HTTP in this test.
  let payloads: SlackDriver;

  beforeAll(async () => {
    sim = await startSimulatedHeroku({ timeScale: TIME_SCALE, token: `HRKU-${randomBytes(16).toString('hex')}` });
    workspace = new SlackWorkspace();
    seedWorkspace(workspace);
    slack = await startSlackStandIn({ workspace, botToken: BOT_TOKEN });
    socket = await startSocketModeStandIn({
      slackUrl: slack.url,
      appToken: APP_TOKEN,
      // As Slack does, the ack's payload is shown to the typist.
      onCommandAnswer: (command, answer) =>
        void workspace.postEphemeral({ channel: command.channel_id!, user: command.user_id!, text: String(answer.text ?? ''), blocks: [], via: 'ack' }),
    });
    payloads = new SlackDriver({ eventsUrl: 'http://127.0.0.1:9/unused', signingSecret: SIGNING_SECRET, standInUrl: slack.url });
    bot = await startBotProcess({
      policy: POLICY,
      env: {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_API_URL: socket.apiUrl,
        PORT: String(await freePort()),
        METRICS_TOKEN,
        HEROKU_API_KEY: sim.token,
        HEROKU_API_URL: sim.url,
        HEROKU_DATA_API_URL: sim.url,
        HEROKU_CONNECT_DISCOVERY_URL: sim.url,
        HEROKU_STATUS_URL: sim.url,
        SALESFORCE_TRUST_URL: `${sim.url}/v1`,
        CONNECT_OPS_TIME_SCALE: String(TIME_SCALE),
      },
    });
    await socket.connected(1);
  }, 90_000);

  afterAll(async () => {
    await bot?.stop();
    await socket?.close();
    await slack?.close();
    await sim?.close();
  }, 30_000);

  const ephemeral = (user: string, pattern: RegExp, timeoutMs = 10_000) =>
    workspace.waitFor(() => workspace.ephemerals({ user }).find((e) => pattern.test(e.text))?.text, timeoutMs);

  it('connects with the app-level token, and serves /healthz and /metrics on $PORT', async () => {
    expect(socket.opens()).toBe(1);
    expect(socket.connections()).toBe(1);
    // The bot token was never offered for the socket, nor the app token for anything else.
    expect(slack.callsTo('apps.connections.open')).toEqual([]);
    expect((await fetch(`${bot.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${bot.baseUrl}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${bot.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.status).toBe(200);
    expect(parseExposition(await metrics.text()).count('connect_ops_slack_api_calls_total', { method: 'apps.connections.open' })).toBe(1);
  });

  it('plans from a slash command, records an approval, reconnects when Slack asks, and goes on on the new connection', async () => {
    // The command: acked on the socket within Slack's 3 seconds, then answered through its response_url.
    const command = payloads.commandPayload({ user: USERS.operator, channel: CHANNEL, text: 'upgrade acme-prod --version 17' });
    const ack = await socket.slashCommand(command.fields);
    expect(ack.ms).toBeLessThan(3000);
    const runId = startedRunId(await ephemeral(USERS.operator, /Started `/));
    const card = () => workspace.history(CHANNEL).find((m) => m.text.startsWith('Plan:') && JSON.stringify(m.blocks).includes(runId));
    expect(JSON.stringify((await workspace.waitFor(card)).blocks)).toContain('Needs 2 approvals');

    // Heroku prepares the upgrade (hours, skipped on the simulated clock); the card then offers Approve.
    await workspace.waitFor(() => workspace.history(CHANNEL).some((m) => JSON.stringify(m.blocks).includes('preparing upgrade service')), 20_000);
    sim.world.advance(4 * HOUR);
    const open: SlackMessage = await workspace.waitFor(() => {
      const posted = card();
      return posted && buttonsOf(posted.blocks).some((b) => b.action_id === 'approve') ? posted : undefined;
    }, 20_000);

    // The first approval, as an `interactive` envelope.
    const first = await socket.interactive(payloads.clickPayload({ user: USERS.approver, message: open, actionId: 'approve' }).payload);
    expect(first.ms).toBeLessThan(3000);
    expect(await ephemeral(USERS.approver, /approval/)).toBe(`Your approval of \`${runId}\` is recorded: 1 of 2. More approvers are needed.`);

    // Slack recycles the connection: the bot asks apps.connections.open for a new URL and connects again.
    await socket.disconnect('refresh_requested');
    expect(socket.opens()).toBe(2);
    expect(socket.connections()).toBe(2);

    // The second approval arrives on the new connection; the run goes on to the end.
    const second = await socket.interactive(payloads.clickPayload({ user: USERS.dbaLead, message: open, actionId: 'approve' }).payload);
    expect(second.ms).toBeLessThan(3000);
    expect(await ephemeral(USERS.dbaLead, /Approved/)).toBe(`Approved: \`${runId}\` has its approvals and goes on.`);
    await workspace.waitFor(() => workspace.history(CHANNEL).find((m) => m.text === 'upgrade acme-prod: succeeded'), 60_000);

    // Every envelope was acked as Slack expects, and nothing else was sent on the sockets.
    expect(socket.stray).toEqual([]);
    const metrics = parseExposition(await (await fetch(`${bot.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text());
    expect(metrics.count('connect_ops_slack_ack_seconds_count', { mode: 'socket' })).toBe(3);
    expect(metrics.count('connect_ops_slack_api_calls_total', { method: 'apps.connections.open' })).toBe(2);
    expect(bot.exited()).toBeUndefined();
  }, 120_000);

  it('answers in the ack itself when Slack accepts a response payload', async () => {
    // Command text over 4,000 characters is refused in the ack's own answer, before any work.
    const command = payloads.commandPayload({ user: USERS.operator, channel: CHANNEL, text: `status ${'x'.repeat(4_100)}` });
    const ack = await socket.slashCommand(command.fields);
    expect(ack.payload?.text).toMatch(/reads at most 4,000\. Nothing was done\.$/);
    expect(await ephemeral(USERS.operator, /reads at most 4,000/)).toBe(ack.payload?.text);
  });
});

/** A port nothing listens on now: Bolt's Socket Mode HTTP server listens on $PORT as given. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
