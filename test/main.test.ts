import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig, type Config } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { startConnectOps, type ConnectOps } from '../src/main.js';
import { startSimulatedHeroku, type SimulatedHeroku } from '../src/sandbox/heroku/index.js';
import { SlackDriver, SlackWorkspace, startSlackStandIn, type SlackStandIn } from '../src/sandbox/slack/index.js';
import { BOT_TOKEN, CHANNEL, MAINTENANCE_CHANNEL, POLICY, seedWorkspace, SIGNING_SECRET, USERS } from './bot/support/harness.js';

/**
 * The composition root as `connect-ops start` runs it: config -> store -> clients -> engine -> bot +
 * watcher, against the simulated Heroku and the Slack stand-in.
 */

const TIME_SCALE = 600;

/** Polls until `find` gives a value (the answers come after the ack, through several processes' worth of I/O). */
async function eventually<T>(find: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await find();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('nothing turned up in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
const HOUR = 3_600_000;

describe('startConnectOps', () => {
  let sim: SimulatedHeroku;
  let slack: SlackStandIn;
  let workspace: SlackWorkspace;
  let ops: ConnectOps;
  let dataDir: string;
  let driver: SlackDriver;
  let config: Config;

  beforeAll(async () => {
    sim = await startSimulatedHeroku({ timeScale: TIME_SCALE });
    workspace = new SlackWorkspace();
    seedWorkspace(workspace);
    slack = await startSlackStandIn({ workspace, botToken: BOT_TOKEN });
    dataDir = mkdtempSync(join(tmpdir(), 'connect-ops-main-'));
    config = loadConfig({
      env: {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        HEROKU_API_KEY: sim.token,
        HEROKU_API_URL: sim.url,
        HEROKU_DATA_API_URL: sim.url,
        HEROKU_CONNECT_DISCOVERY_URL: sim.url,
        HEROKU_STATUS_URL: sim.url,
        SALESFORCE_TRUST_URL: `${sim.url}/v1`,
        CONNECT_OPS_DATA_DIR: dataDir,
        CONNECT_OPS_TIME_SCALE: String(TIME_SCALE),
      },
      require: ['slack', 'heroku', 'durable-store'],
      readPolicy: () => POLICY,
    });
    ops = await startConnectOps(config, {
      logger: createLogger({ level: 'silent' }),
      botIdentity: { botId: 'B0CONNECTOPS', botUserId: 'U0CONNECTOPS' },
      maintenanceClock: () => new Date(sim.world.clock.now()),
    });
    driver = new SlackDriver({ eventsUrl: `http://127.0.0.1:${ops.bot.port()}/slack/events`, signingSecret: SIGNING_SECRET, standInUrl: slack.url });
  });

  afterAll(async () => {
    await ops.stop();
    await slack.close();
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves health and answers /connect status with the simulated app', async () => {
    const health = await fetch(`http://127.0.0.1:${ops.bot.port()}/healthz`);
    expect(health.status).toBe(200);
    await driver.command({ user: USERS.operator, channel: CHANNEL, text: 'status acme-prod' });
    const answer = await eventually(() => slack.responses.find((r) => JSON.stringify(r.body).includes('Account')));
    expect(JSON.stringify(answer.body)).toMatch(/IDLE[\s\S]*DATABASE_URL/);
  });

  it('warns a run waiting for its cutover approval, once, when a maintenance window overlaps it', async () => {
    await driver.command({ user: USERS.operator, channel: CHANNEL, text: 'plan-change acme-prod standard-2' });
    const run = await eventually(async () => (await ops.engine.listRuns({ app: 'acme-prod', limit: 1 })).find((r) => r.status === 'awaiting_approval'));

    const now = sim.world.clock.now();
    sim.notices.announce({ window: { start: now + HOUR / 4, end: now + HOUR / 4 + 45 * 60_000 }, region: 'virginia' });
    await ops.watcher.tick();
    await ops.watcher.tick();
    await ops.bot.observer.flush();

    const runMessage = (await ops.store.db.selectFrom('slack_messages').selectAll().where('key', '=', `run:${run.id}`).executeTakeFirstOrThrow()).ts;
    const warnings = workspace.replies(CHANNEL, runMessage).filter((m) => m.text.startsWith('Heroku Connect maintenance overlaps the cutover'));
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0]?.blocks)).toContain('overlaps this run');
    // The maintenance channel got the notice itself.
    expect(workspace.history(MAINTENANCE_CHANNEL).length).toBeGreaterThan(0);
  });

  it('runs the health watcher and the version radar: an incident with its fix in the app’s channel, a version warning', async () => {
    // The window announced above would hold the fix's run: Heroku calls it off.
    for (const notice of sim.notices.list()) if (!notice.resolved) notice.cancel();
    await ops.watcher.tick();
    await fetch(`${sim.url}/__sandbox/connection-state/acme-staging`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: 'DB_UNAVAILABLE' }) });
    await ops.health.tick();
    sim.world.advance(11 * 60_000);
    await ops.health.tick();
    const incident = await eventually(() => workspace.history('C0STAGING00').find((m) => m.text === 'acme-staging: Heroku Connect is DB_UNAVAILABLE'));
    await driver.click({ user: USERS.operator, message: incident, actionId: 'health_fix' });
    const restart = await eventually(async () => (await ops.engine.listRuns({ app: 'acme-staging', limit: 1 })).find((r) => r.runbook === 'restart'));
    expect(restart.requestedBy).toBe(USERS.operator);
    const finished = new Set(['succeeded', 'failed', 'cancelled']);
    const done = await eventually(async () => {
      const current = await ops.engine.getRun(restart.id);
      return current && finished.has(current.status) ? current : undefined;
    }, 20_000);
    expect([done.status, done.error]).toEqual(['succeeded', undefined]);
    // The restart cleared it: the same message is marked resolved, and nothing was posted twice.
    await ops.health.tick();
    await eventually(() => workspace.history('C0STAGING00').find((m) => m.text === 'Resolved: acme-staging: Heroku Connect is DB_UNAVAILABLE'));
    expect(workspace.history('C0STAGING00').filter((m) => /Heroku Connect is DB_UNAVAILABLE$/.test(m.text))).toHaveLength(1);

    // A mapping whose bulk load failed: its button plans reload of that mapping alone, through the same fix path.
    await fetch(`${sim.url}/__sandbox/mapping-state/acme-staging`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ object: 'Account', state: 'BULK_LOAD_ERROR' }) });
    await ops.health.tick();
    sim.world.advance(11 * 60_000);
    await ops.health.tick();
    const mappingIncident = await eventually(() => workspace.history('C0STAGING00').find((m) => m.text === 'acme-staging: The Account mapping is BULK_LOAD_ERROR'));
    await driver.click({ user: USERS.operator, message: mappingIncident, actionId: 'health_fix' });
    const reload = await eventually(async () => (await ops.engine.listRuns({ app: 'acme-staging', limit: 1 })).find((r) => r.runbook === 'reload'));
    expect(reload.params).toMatchObject({ mappings: ['Account'] });
    const reloaded = await eventually(async () => {
      const current = await ops.engine.getRun(reload.id);
      return current && finished.has(current.status) ? current : undefined;
    }, 20_000);
    expect([reloaded.status, reloaded.error]).toEqual(['succeeded', undefined]);

    // Seeded on Postgres 15, whose forced upgrades Heroku dates from mid-2026 in the cited table.
    await ops.radar.tick();
    const warning = await eventually(() => workspace.history(CHANNEL).find((m) => /^acme-prod: \S+ runs Postgres 15, deprecated by Heroku/.test(m.text)));
    expect(JSON.stringify(warning.blocks)).toContain('devcenter.heroku.com/articles/heroku-postgres-version-support');
  });

  it('refuses a second process on the same store, naming the one that runs the engine', async () => {
    const second = startConnectOps(config, { logger: createLogger({ level: 'silent' }), engineLeaseWaitMs: 0 });
    await expect(second).rejects.toThrow(/Another connect-ops process \(.+\) is running the engine/);
  });
});
