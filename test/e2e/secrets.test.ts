import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { loadConfig, secretsOf, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startConnectOps, type ConnectOps } from '../../src/main.js';
import { isFinished } from '../../src/ops/engine/index.js';
import { startSimulatedHeroku, type SimulatedHeroku } from '../../src/sandbox/heroku/index.js';
import { SlackDriver, SlackWorkspace, startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/index.js';
import { postgresAvailable, postgresUrl } from '../support/backends.js';
import { CHANNEL, POLICY, seedWorkspace, startedRunId, USERS } from '../bot/support/harness.js';
import { CLI } from '../support/cli.js';

/**
 * Issue 14, failure 5: Heroku answers a step with an error that echoes every secret the bot is
 * configured with (the API key, the Slack token and signing secret, the database URL whose
 * password holds an `@`, raw and URL-encoded). None of them reaches Slack, the logs, the store or
 * what `connect-ops runs show --json` prints.
 */

const run = promisify(execFile);

const API_KEY = `HRKU-${randomBytes(16).toString('hex')}`;
const BOT_TOKEN = `xoxb-${randomBytes(8).toString('hex')}-secret`;
const SIGNING_SECRET = randomBytes(16).toString('hex');
const PASSWORD = `pw@${randomBytes(4).toString('hex')}/x`;

describe('configured secrets echoed by Heroku', () => {
  let sim: SimulatedHeroku;
  let proxy: Server;
  let slack: SlackStandIn;
  let workspace: SlackWorkspace;
  let ops: ConnectOps;
  let config: Config;
  let schema: string | undefined;
  let databaseUrl: string | undefined;
  const logLines: string[] = [];
  let secrets: string[];
  const dataDir = mkdtempSync(join(tmpdir(), 'connect-ops-secrets-'));

  beforeAll(async () => {
    sim = await startSimulatedHeroku({ timeScale: 600, token: API_KEY });
    // A data API in front of the simulator whose `upgrade/prepare` echoes the secrets, raw and encoded.
    proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'POST' && /\/upgrade\/prepare$/.test(req.url ?? '')) {
          res.writeHead(422, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: 'invalid_params', message: echo() }));
          return;
        }
        void fetch(`${sim.url}${req.url}`, { method: req.method, headers: req.headers as Record<string, string>, body: chunks.length ? Buffer.concat(chunks) : undefined }).then(async (answer) => {
          const headers = Object.fromEntries([...answer.headers].filter(([k]) => !['content-encoding', 'content-length', 'transfer-encoding'].includes(k)));
          res.writeHead(answer.status, headers);
          res.end(Buffer.from(await answer.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    workspace = new SlackWorkspace();
    seedWorkspace(workspace);
    slack = await startSlackStandIn({ workspace, botToken: BOT_TOKEN });

    if (await postgresAvailable()) {
      schema = `test_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      await admin.query(`create schema ${schema}`);
      await admin.end();
      // The local Postgres trusts loopback, so the password is only carried, never checked.
      const url = new URL(postgresUrl);
      url.password = encodeURIComponent(PASSWORD);
      url.searchParams.set('options', `-c search_path=${schema}`);
      databaseUrl = url.toString();
    }
    config = loadConfig({
      env: {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        HEROKU_API_KEY: API_KEY,
        HEROKU_API_URL: sim.url,
        HEROKU_DATA_API_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        HEROKU_CONNECT_DISCOVERY_URL: sim.url,
        HEROKU_STATUS_URL: sim.url,
        SALESFORCE_TRUST_URL: `${sim.url}/v1`,
        CONNECT_OPS_DATA_DIR: dataDir,
        CONNECT_OPS_TIME_SCALE: '600',
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      },
      require: ['slack', 'heroku', 'durable-store'],
      readPolicy: () => POLICY,
    });
    secrets = secretsOf(config);
    // The logger main.ts builds, writing here.
    const destination = new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) });
    ops = await startConnectOps(config, {
      logger: createLogger({ level: 'debug', secrets, destination }),
      botIdentity: { botId: 'B0CONNECTOPS', botUserId: 'U0CONNECTOPS' },
    });
  }, 60_000);

  afterAll(async () => {
    await ops?.stop();
    await slack?.close();
    await sim?.close();
    await new Promise((resolve) => proxy?.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
    if (schema) {
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  });

  function echo(): string {
    const parts = [`key ${API_KEY}`, `bot ${BOT_TOKEN}`, `signing ${SIGNING_SECRET}`, `encoded ${encodeURIComponent(API_KEY)}`];
    if (databaseUrl) parts.push(`db ${databaseUrl}`, `password ${PASSWORD}`, `encoded ${encodeURIComponent(databaseUrl)}`, `in a URL https://x.example.com/?db=${encodeURIComponent(PASSWORD)}`);
    return `Refused: ${parts.join('; ')}`;
  }

  /** Every form a leak could take: raw, URL-encoded, JSON-escaped. */
  const leaks = () => [API_KEY, BOT_TOKEN, SIGNING_SECRET, PASSWORD, encodeURIComponent(PASSWORD), ...(databaseUrl ? [databaseUrl] : [])];
  const expectClean = (text: string) => {
    for (const leak of leaks()) expect(text).not.toContain(leak);
  };

  it('keeps them out of Slack, the logs, the store and the CLI’s output', async () => {
    const driver = new SlackDriver({ eventsUrl: `http://127.0.0.1:${ops.bot.port()}/slack/events`, signingSecret: SIGNING_SECRET, standInUrl: slack.url });
    expect((await driver.command({ user: USERS.operator, channel: CHANNEL, text: 'upgrade acme-prod --version 17' })).status).toBe(200);
    const runId = startedRunId(await workspace.waitFor(() => workspace.ephemerals({ user: USERS.operator }).find((e) => e.text.startsWith('Started'))?.text));
    const deadline = Date.now() + 30_000;
    let failed = await ops.engine.getRun(runId);
    while (!(failed && isFinished(failed.status)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      failed = await ops.engine.getRun(runId);
    }
    expect(failed?.status).toBe('failed');
    // The error still says what Heroku said, around the redacted values.
    expect(failed?.error?.message).toContain('Refused: key [REDACTED]; bot [REDACTED]; signing [REDACTED]');
    await ops.bot.observer.flush();

    // Slack: every Web API call and response_url answer.
    const sent = JSON.stringify([slack.calls.map((c) => c.args), slack.responses]);
    expect(sent).toContain('[REDACTED]');
    expectClean(sent);
    // Logs.
    expect(logLines.length).toBeGreaterThan(0);
    expectClean(logLines.join(''));
    // The store, every table.
    const tables = ['runs', 'steps', 'approvals', 'audit_events', 'app_locks', 'slack_messages', 'idempotency_keys', 'leases'] as const;
    const stored = JSON.stringify(await Promise.all(tables.map((t) => ops.store.db.selectFrom(t).selectAll().execute())));
    expect(stored).toContain('[REDACTED]');
    expectClean(stored);

    // The CLI, on a record written before the redaction existed: a raw secret put in the store by hand.
    if (!databaseUrl) return;
    const raw = new pg.Client({ connectionString: databaseUrl });
    await raw.connect();
    await raw.query('update runs set error = $1 where id = $2', [JSON.stringify({ message: echo(), reason: 'heroku_error' }), runId]);
    await raw.end();
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, HEROKU_API_KEY: API_KEY, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, CONNECT_OPS_POLICY: '/nonexistent.yml' };
    const { stdout } = await run(process.execPath, [...CLI, 'runs', 'show', runId, '--json'], { env });
    expect(stdout).toContain(runId);
    expect(stdout).toContain('[REDACTED]');
    expect(() => JSON.parse(stdout) as unknown).not.toThrow();
    expectClean(stdout);
  }, 90_000);
});
