import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { startSimulatedHeroku, type SimulatedHeroku } from '../../src/sandbox/heroku/index.js';
import { SlackDriver, SlackWorkspace, startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { BOT_TOKEN, CHANNEL, MAINTENANCE_CHANNEL, seedWorkspace, SIGNING_SECRET, USERS } from '../../test/bot/support/harness.js';
import { CLI } from '../../test/support/cli.js';
import { createBenchApp, type AppKind } from './engine-apps.js';

/**
 * Bot processes as `npm start` runs them (`connect-ops start`, from the sources), several on one Postgres (a
 * schema of their own, dropped afterwards), against the simulated Heroku and the Slack stand-in
 * in this process. Used by bench/replicas.ts and the process tests (test/e2e/replicas.test.ts,
 * test/e2e/two-processes.test.ts).
 */

/** The local Postgres every developer and CI machine runs (CI sets DATABASE_URL to it). */
const postgresUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Replica {
  name: string;
  child: ChildProcess;
  port: number;
  driver: SlackDriver;
  exited: Promise<number | null>;
  /** Its log lines so far, parsed. */
  logs: Array<Record<string, unknown>>;
}

export interface ReplicaWorld {
  sim: SimulatedHeroku;
  slack: SlackStandIn;
  workspace: SlackWorkspace;
  /** The test's own view of the bots' store. */
  store: Store;
  /** The processes running now, oldest first. */
  replicas: Replica[];
  /** The Postgres URL the processes share (their schema in its search_path). */
  databaseUrl: string;
  /** The pg-boss schema beside the store's. */
  queueSchema: string;
  /** Starts `connect-ops start` with DYNO=`name`, as Heroku names a dyno; `env` adds to or overrides the shared environment. */
  start(name: string, env?: Record<string, string>): Promise<Replica>;
  kill(replica: Replica): Promise<void>;
  close(): Promise<void>;
}

export interface ReplicaWorldOptions {
  timeScale: number;
  apps: Array<{ name: string; kind: AppKind }>;
  /** The runbooks' approvals, e.g. `{ default: 1, upgrade: 2 }`. */
  approvals?: Record<string, number>;
  maintenanceCron?: string;
  /** The processes' LOG_LEVEL: `info` or finer, whose start line says a process is ready. */
  logLevel?: 'info' | 'debug' | 'trace';
  /** Added to every process's environment. */
  env?: Record<string, string>;
  /** Node's arguments for `connect-ops` (test/support/cli.ts): the sources by default, or the built dist/ that `npm start` runs. */
  cli?: readonly string[];
}

export async function startReplicaWorld(options: ReplicaWorldOptions): Promise<ReplicaWorld> {
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const databaseUrl = url.toString();

  const sim = await startSimulatedHeroku({ timeScale: options.timeScale, seed: 'empty', rateLimit: { capacity: 4500, refillPerMinute: 75 * options.timeScale } });
  for (const app of options.apps) createBenchApp(sim.world, app.name, app.kind);
  const workspace = new SlackWorkspace();
  seedWorkspace(workspace);
  const slack = await startSlackStandIn({ workspace, botToken: BOT_TOKEN });
  const dir = mkdtempSync(join(tmpdir(), 'connect-ops-replicas-'));
  const policyPath = join(dir, 'connect-ops.yml');
  const approvals = options.approvals ?? { default: 1 };
  writeFileSync(
    policyPath,
    [
      'apps:',
      ...options.apps.flatMap((a) => [`  ${a.name}:`, `    channel: ${CHANNEL}`, `    operators: [${USERS.operator}]`, `    approvers: [${USERS.approver}, ${USERS.approver2}, ${USERS.dbaLead}]`]),
      'runbooks:',
      ...Object.entries(approvals).map(([runbook, n]) => `  ${runbook}: {approvals: ${n}, approval_timeout: 30d}`),
      `maintenance: {channels: [${MAINTENANCE_CHANNEL}], regions: [], reminders: [24h]}`,
      '',
    ].join('\n'),
  );
  const store = await openStore({ databaseUrl, dataDir: '' });
  const env = {
    PATH: process.env.PATH ?? '',
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
    DATABASE_URL: databaseUrl,
    CONNECT_OPS_POLICY: policyPath,
    CONNECT_OPS_TIME_SCALE: String(options.timeScale),
    MAINTENANCE_CRON: options.maintenanceCron ?? '* * * * *',
    LOG_LEVEL: options.logLevel ?? 'info',
    ...options.env,
  };

  const replicas: Replica[] = [];
  const start = (name: string, extra: Record<string, string> = {}) =>
    new Promise<Replica>((resolve, reject) => {
      const child = spawn(process.execPath, [...(options.cli ?? CLI), 'start'], { env: { ...env, DYNO: name, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      void exited.then((code) => reject(new Error(`${name} exited with ${code} before it was ready: ${stderr}`)));
      const logs: Array<Record<string, unknown>> = [];
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        if (process.env.REPLICA_LOGS) process.stderr.write(`[${name}] ${line}\n`);
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          entry = { raw: line };
        }
        logs.push(entry);
        if (entry.msg !== 'connect-ops is running') return;
        const port = entry.port as number;
        const replica = { name, child, port, exited, logs, driver: new SlackDriver({ eventsUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, standInUrl: slack.url }) };
        replicas.push(replica);
        resolve(replica);
      });
    });

  return {
    sim,
    slack,
    workspace,
    store,
    replicas,
    databaseUrl,
    queueSchema: `${schema}_queue`,
    start,
    async kill(replica) {
      replica.child.kill('SIGKILL');
      await replica.exited;
      replicas.splice(replicas.indexOf(replica), 1);
    },
    async close() {
      await Promise.all(
        replicas.splice(0).map(async (r) => {
          r.child.kill('SIGTERM');
          const timer = setTimeout(() => r.child.kill('SIGKILL'), 15_000);
          await r.exited;
          clearTimeout(timer);
        }),
      );
      await store.close();
      await slack.close();
      await sim.close();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.query(`drop schema if exists ${schema}_queue cascade`);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
