/**
 * The servers bench/ack.ts measures, each in a process of its own so the load generator does not
 * share their event loop. `node --import tsx ack-server.ts MODE [...]`, then sends `{ url }`:
 *
 *   slack                   the Slack stand-in (where the bot's response_urls point)
 *   bare                    a bare Bolt app whose /connect only acks
 *   bot SLACK_URL HEROKU_MS CONCURRENCY
 *                           connect-ops' bot; its status port answers after HEROKU_MS, as Heroku would
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { createBot } from '../../src/bot/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createEngine } from '../../src/ops/engine/index.js';
import { runbookRegistry } from '../../src/ops/runbooks/runbook.js';
import { SlackWorkspace, startSlackStandIn } from '../../src/sandbox/slack/index.js';
import { openStore } from '../../src/store/index.js';
import { ACK_BENCH } from './ack-settings.js';

const [mode, slackUrl, herokuMs, concurrency] = process.argv.slice(2);
const send = (url: string) => process.send?.({ url });

if (mode === 'slack') {
  const workspace = new SlackWorkspace();
  workspace.addChannel({ id: ACK_BENCH.channel, name: 'acme-prod-ops' });
  workspace.addUser({ id: ACK_BENCH.user, name: 'operator' });
  const slack = await startSlackStandIn({ workspace, botToken: ACK_BENCH.botToken });
  // Keep only counts: 2000 recorded responses per contender would only grow the heap.
  setInterval(() => {
    slack.calls.length = 0;
    slack.responses.length = 0;
  }, 1000).unref();
  send(slack.url);
} else if (mode === 'bare') {
  const receiver = new HTTPReceiver({ signingSecret: ACK_BENCH.signingSecret, logLevel: LogLevel.ERROR });
  const app = new App({ token: ACK_BENCH.botToken, receiver, botId: 'B0BOT', botUserId: 'U0BOT', tokenVerificationEnabled: false, logLevel: LogLevel.ERROR });
  app.command('/connect', async ({ ack }) => {
    await ack();
  });
  const server = (await app.start(0)) as unknown as Server;
  send(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);
} else if (mode === 'bot') {
  const dataDir = mkdtempSync(join(tmpdir(), 'connect-ops-ack-bench-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  process.on('SIGTERM', () => process.exit(0));
  const store = await openStore({ dataDir });
  const logger = createLogger({ level: 'silent' });
  const config = loadConfig({
    env: { SLACK_BOT_TOKEN: ACK_BENCH.botToken, SLACK_SIGNING_SECRET: ACK_BENCH.signingSecret, SLACK_API_URL: `${slackUrl}/api/`, PORT: '0' },
    require: ['slack'],
    readPolicy: () => `apps: {acme-prod: {channel: ${ACK_BENCH.channel}, operators: [${ACK_BENCH.user}], approvers: [U0APPROVER]}}`,
  });
  const delay = Number(herokuMs);
  const engine = createEngine({ store, runbooks: runbookRegistry(), deps: {}, logger });
  const bot = createBot({
    config,
    engine,
    store,
    logger,
    botIdentity: { botId: 'B0BOT', botUserId: 'U0BOT' },
    slackRetry: { retries: 0 },
    concurrency: Number(concurrency),
    // One simulated person sends every request: measure the ack, not the per-person rate or the read lane's bound.
    admission: { commandsPerMinute: 1_000_000, read: { concurrency: Number(concurrency), maxWaiting: 1_000_000 } },
    ports: {
      appStatus: async (app) => {
        await new Promise((resolve) => setTimeout(resolve, delay));
        return { app, connection: { id: 'c', state: 'IDLE', dbKey: 'DATABASE_URL', schemaName: 'salesforce' }, mappings: [], databases: [] };
      },
      upcomingWindows: async () => [],
    },
  });
  await bot.start();
  send(`http://127.0.0.1:${bot.port()}/slack/events`);
} else {
  console.error(`unknown mode ${mode}: slack, bare or bot`);
  process.exit(2);
}
