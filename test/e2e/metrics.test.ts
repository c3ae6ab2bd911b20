import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig, secretsOf, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startConnectOps, type ConnectOps } from '../../src/main.js';
import { isFinished, type RunView } from '../../src/ops/engine/index.js';
import { startSimulatedHeroku, type SimulatedHeroku } from '../../src/sandbox/heroku/index.js';
import { buttonsOf, SlackDriver, SlackWorkspace, startSlackStandIn, type SlackMessage, type SlackStandIn } from '../../src/sandbox/slack/index.js';
import { BOT_TOKEN, CHANNEL, POLICY, seedWorkspace, SIGNING_SECRET, startedRunId, USERS } from '../bot/support/harness.js';
import { parseExposition, type Scrape } from '../support/prometheus.js';

/**
 * Issue 15, part 7: `/metrics` scraped while a real bot (startConnectOps, signed HTTP from the Slack
 * stand-in) runs `upgrade acme-prod` against the simulated Heroku. The figures move as the run
 * goes: Heroku answers by API and status (a burst of 429s, and the limiter's retries), the budget
 * left, Slack calls and acks, a Slack error, the maintenance watcher's last success, and the
 * store's runs, approvals awaited and the cutover's downtime. Without the bearer token: 401. No
 * configured secret appears anywhere in the exposition.
 */

const TIME_SCALE = 300;
const HOUR = 3_600_000;
const METRICS_TOKEN = `mt-${randomBytes(16).toString('hex')}`;
const API_KEY = `HRKU-${randomBytes(16).toString('hex')}`;

describe('/metrics during a run', () => {
  let sim: SimulatedHeroku;
  let slack: SlackStandIn;
  let workspace: SlackWorkspace;
  let ops: ConnectOps;
  let config: Config;
  let driver: SlackDriver;
  let base: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'connect-ops-metrics-'));

  beforeAll(async () => {
    sim = await startSimulatedHeroku({ timeScale: TIME_SCALE, token: API_KEY });
    workspace = new SlackWorkspace();
    seedWorkspace(workspace);
    slack = await startSlackStandIn({ workspace, botToken: BOT_TOKEN });
    config = loadConfig({
      env: {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        HEROKU_API_KEY: API_KEY,
        HEROKU_API_URL: sim.url,
        HEROKU_DATA_API_URL: sim.url,
        HEROKU_CONNECT_DISCOVERY_URL: sim.url,
        HEROKU_STATUS_URL: sim.url,
        SALESFORCE_TRUST_URL: `${sim.url}/v1`,
        CONNECT_OPS_DATA_DIR: dataDir,
        CONNECT_OPS_TIME_SCALE: String(TIME_SCALE),
        // The maintenance watcher every second, so that its last success shows within the test.
        MAINTENANCE_CRON: '* * * * * *',
        METRICS_TOKEN,
      },
      require: ['slack', 'heroku'],
      // The health watcher off: its reads would take the 429 burst meant for the run.
      readPolicy: () => `${POLICY}health: {enabled: false}\n`,
    });
    ops = await startConnectOps(config, {
      logger: createLogger({ level: 'silent' }),
      botIdentity: { botId: workspace.bot.botId, botUserId: workspace.bot.id },
    });
    base = `http://127.0.0.1:${ops.bot.port()}`;
    driver = new SlackDriver({ eventsUrl: `${base}/slack/events`, signingSecret: SIGNING_SECRET, standInUrl: slack.url });
  }, 60_000);

  afterAll(async () => {
    await ops?.stop();
    await slack?.close();
    await sim?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  async function scrape(): Promise<Scrape> {
    const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    // Labels and values carry no secret: not the token that guards them, nor any other.
    for (const secret of secretsOf(config)) expect(text).not.toContain(secret);
    return parseExposition(text);
  }

  async function until(runId: string, holds: (run: RunView) => boolean, timeoutMs = 30_000): Promise<RunView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await ops.engine.getRun(runId);
      if (run && holds(run)) return run;
      if (!run || isFinished(run.status) || Date.now() > deadline) throw new Error(`run ${runId}: ${JSON.stringify(run?.error ?? run?.status)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('refuses a scrape without the bearer token, or with another', async () => {
    const none = await fetch(`${base}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await none.text()).not.toContain('connect_ops_');
    for (const authorization of [`Bearer ${METRICS_TOKEN}x`, `Basic ${METRICS_TOKEN}`, `Bearer ${METRICS_TOKEN.slice(0, -1)}`, 'Bearer']) {
      expect((await fetch(`${base}/metrics`, { headers: { authorization } })).status).toBe(401);
    }
    // The health check stays open, and is not where the figures are.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('shows the figures move as an upgrade runs, from plan to cutover', async () => {
    const before = await scrape();
    expect(before.type('connect_ops_heroku_requests_total')).toBe('counter');
    expect(before.value('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(before.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(before.value('connect_ops_heroku_rate_limit_remaining')).toBe(4500);
    expect(before.value('connect_ops_runs', { runbook: 'upgrade' })).toBeUndefined();
    expect(before.value('connect_ops_approvals_pending', { app: 'acme-prod' })).toBe(0);
    expect(before.value('connect_ops_limiter_queued', { limiter: 'heroku' })).toBe(0);

    // Heroku refuses the next three Platform/data API calls with 429; the limiter sends a run's again.
    sim.setFaults({ rateLimitBurst: 3 });
    const delivery = await driver.command({ user: USERS.operator, channel: CHANNEL, text: 'upgrade acme-prod --version 17' });
    expect(delivery.status).toBe(200);
    const started = await workspace.waitFor(() => workspace.ephemerals({ user: USERS.operator }).find((e) => /Started `/.test(e.text)), 10_000);
    const runId = startedRunId(started.text);
    await until(runId, (r) => r.steps.some((s) => s.status === 'waiting' && s.progress === 'preparing upgrade service'));
    sim.world.advance(4 * HOUR);
    await until(runId, (r) => r.status === 'awaiting_approval');
    const card = await workspace.waitFor(() => {
      const posted = workspace.history(CHANNEL).find((m) => m.text.startsWith('Plan:') && JSON.stringify(m.blocks).includes(runId));
      return posted && buttonsOf(posted.blocks).some((b) => b.action_id === 'approve') ? posted : undefined;
    }, 10_000);
    // A response_url Slack no longer knows: the bot's answer is refused with 404.
    const stale = new URLSearchParams({
      team_id: 'T0SANDBOX',
      channel_id: CHANNEL,
      user_id: USERS.operator,
      command: '/connect',
      text: 'help',
      trigger_id: `t-${randomBytes(4).toString('hex')}`,
      response_url: `${slack.url}/response/expired`,
    }).toString();
    expect((await driver.deliver(stale)).status).toBe(200);

    const waiting = await pollScrape((s) => s.count('connect_ops_slack_api_errors_total', { method: 'response_url' }) >= 2);
    // Heroku: every answer by API and status, the 429s among them, and the retries they caused.
    // The first 429 falls on the command's read of the plan names: a read is not sent again (the
    // command goes on without the live names); the run's two refused steps are, after backoff.
    const refused = sim.requests().filter((r) => r.status === 429).map((r) => `${r.method} ${r.path}`);
    expect(refused[0]).toBe('GET /addon-services/heroku-postgresql/plans');
    expect(refused).toHaveLength(3);
    expect(waiting.count('connect_ops_heroku_requests_total', { status: '429' })).toBe(3);
    expect(waiting.count('connect_ops_heroku_retries_total', { reason: 'rate_limited' })).toBe(2);
    expect(waiting.count('connect_ops_heroku_requests_total', { api: 'platform', method: 'GET', status: '200' })).toBeGreaterThan(0);
    expect(waiting.count('connect_ops_heroku_requests_total', { api: 'data', status: '200' })).toBeGreaterThan(0);
    expect(waiting.count('connect_ops_heroku_requests_total', { api: 'connect', status: '200' })).toBeGreaterThan(0);
    // The budget left, corrected by what Heroku said was left.
    expect(waiting.value('connect_ops_heroku_rate_limit_remaining')).toBeLessThan(4500);
    expect(waiting.value('connect_ops_heroku_budget_low')).toBe(0);
    for (const limiter of ['heroku', 'connect', 'status_feeds', 'reads', 'watchers']) expect(waiting.value('connect_ops_limiter_queued', { limiter })).toBeGreaterThanOrEqual(0);
    // Slack: the calls made, the acks timed, the refused answer.
    expect(waiting.count('connect_ops_slack_api_calls_total', { method: 'chat.postMessage' })).toBeGreaterThan(before.count('connect_ops_slack_api_calls_total', { method: 'chat.postMessage' }));
    expect(waiting.count('connect_ops_slack_api_calls_total', { method: 'response_url' })).toBeGreaterThanOrEqual(2);
    // The help answer, then the answer saying it failed.
    expect(waiting.count('connect_ops_slack_api_errors_total', { method: 'response_url', error: 'http_404' })).toBe(2);
    expect(waiting.count('connect_ops_slack_ack_seconds_count', { mode: 'http' })).toBe(before.count('connect_ops_slack_ack_seconds_count', { mode: 'http' }) + 2);
    expect(waiting.count('connect_ops_slack_ack_seconds_bucket', { mode: 'http', le: '3' })).toBe(waiting.count('connect_ops_slack_ack_seconds_count', { mode: 'http' }));
    // The store: one upgrade awaiting its two approvals.
    expect(waiting.value('connect_ops_runs', { runbook: 'upgrade', status: 'awaiting_approval' })).toBe(1);
    expect(waiting.value('connect_ops_approvals_pending', { app: 'acme-prod' })).toBe(2);
    expect(waiting.value('connect_ops_approvals_pending', { app: 'acme-staging' })).toBe(0);
    // The maintenance watcher has read the status feeds.
    const watched = await pollScrape((s) => s.value('connect_ops_watcher_last_success_timestamp_seconds', { watcher: 'maintenance-watcher' }) !== undefined);
    expect(watched.value('connect_ops_watcher_last_success_age_seconds', { watcher: 'maintenance-watcher' })).toBeLessThan(30);
    expect(watched.count('connect_ops_watcher_ticks_total', { watcher: 'maintenance-watcher', outcome: 'success' })).toBeGreaterThan(0);

    // One approval: one still awaited.
    expect((await driver.click({ user: USERS.approver, message: card, actionId: 'approve' })).status).toBe(200);
    await pollScrape((s) => s.value('connect_ops_approvals_pending', { app: 'acme-prod' }) === 1);
    // The second: the cutover runs, and its downtime is measured.
    expect((await driver.click({ user: USERS.dbaLead, message: card as SlackMessage, actionId: 'approve' })).status).toBe(200);
    const done = await until(runId, (r) => isFinished(r.status), 60_000).catch(async () => ops.engine.getRun(runId));
    expect(done?.status).toBe('succeeded');
    const after = await scrape();
    expect(after.value('connect_ops_runs', { runbook: 'upgrade', status: 'succeeded' })).toBe(1);
    expect(after.value('connect_ops_runs', { runbook: 'upgrade', status: 'awaiting_approval' })).toBeUndefined();
    expect(after.value('connect_ops_approvals_pending', { app: 'acme-prod' })).toBe(0);
    expect(done?.downtime?.ms).toBeGreaterThan(0);
    expect(after.value('connect_ops_last_cutover_downtime_seconds', { app: 'acme-prod', runbook: 'upgrade' })).toBeCloseTo(done!.downtime!.ms! / 1000, 3);
    expect(after.value('connect_ops_last_cutover_end_timestamp_seconds', { app: 'acme-prod' })).toBe(Date.parse(done!.downtime!.endedAt!) / 1000);
    expect(after.count('connect_ops_heroku_requests_total')).toBeGreaterThan(waiting.count('connect_ops_heroku_requests_total'));
    expect(after.count('connect_ops_slack_api_calls_total', { method: 'chat.update' })).toBeGreaterThan(waiting.count('connect_ops_slack_api_calls_total', { method: 'chat.update' }));

    // A Web API error, by method and Slack's error code, through the bot's own client.
    slack.failNext('chat.postMessage', 'channel_not_found');
    await expect(ops.bot.app.client.chat.postMessage({ channel: CHANNEL, text: 'x' })).rejects.toThrow(/channel_not_found/);
    const failed = await pollScrape((s) => s.count('connect_ops_slack_api_errors_total', { method: 'chat.postMessage' }) > 0);
    expect(failed.count('connect_ops_slack_api_errors_total', { method: 'chat.postMessage', error: 'channel_not_found' })).toBe(1);
  }, 120_000);

  it('counts what is shed: a Slack request refused in its ack, and a read refused to keep the budget for runs (issue 14)', async () => {
    const before = await scrape();
    // Command text longer than Slack sends: refused in the ack, before any work.
    const long = await driver.command({ user: USERS.operator, channel: CHANNEL, text: 'd'.repeat(5000) });
    expect(long.status).toBe(200);
    const slackShed = await pollScrape((s) => s.count('connect_ops_slack_requests_shed_total', { reason: 'too_long' }) > before.count('connect_ops_slack_requests_shed_total', { reason: 'too_long' }));
    expect(slackShed.count('connect_ops_slack_requests_shed_total', { reason: 'too_long' })).toBe(before.count('connect_ops_slack_requests_shed_total', { reason: 'too_long' }) + 1);

    // The account's budget nearly spent (by another client of the same account): the status read's
    // first answer says so (RateLimit-Remaining), and its next calls are refused without calling Heroku.
    while (sim.world.rateLimit.remaining() > 50) sim.world.rateLimit.take();
    await driver.command({ user: USERS.operator, channel: CHANNEL, text: 'status acme-prod' });
    const readsShed = await pollScrape((s) => s.count('connect_ops_heroku_reads_shed_total', { reason: 'budget_low' }) > before.count('connect_ops_heroku_reads_shed_total', { reason: 'budget_low' }));
    expect(readsShed.count('connect_ops_heroku_reads_shed_total', { reason: 'budget_low' })).toBeGreaterThan(0);
    expect(readsShed.value('connect_ops_heroku_budget_low')).toBe(1);
    sim.world.rateLimit.reset();
  }, 60_000);

  /** Scrapes until `holds` (an answer to Slack or a tick lands just after the event that caused it). */
  async function pollScrape(holds: (s: Scrape) => boolean, timeoutMs = 10_000): Promise<Scrape> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await scrape();
      if (holds(s)) return s;
      if (Date.now() > deadline) throw new Error(`the figures did not move within ${timeoutMs} ms:\n${s.text.split('\n').filter((l) => l.startsWith('connect_ops_')).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
});
