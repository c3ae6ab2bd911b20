import { createBot, type Bot, type BotOptions } from '../../../src/bot/app.js';
import type { BotPorts } from '../../../src/bot/ports.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { createLogger } from '../../../src/log.js';
import { createEngine, type Engine, type RunView } from '../../../src/ops/engine/index.js';
import type { RunbookRegistry } from '../../../src/ops/runbooks/runbook.js';
import { ackText, SlackDriver, SlackWorkspace, startSlackStandIn, type Delivery, type SlackMessage, type SlackStandIn } from '../../../src/sandbox/slack/index.js';
import { createTestStore, type TestStore } from '../../support/backends.js';
import { testRunbooks, type FakeConnect, type TestDeps } from './runbooks.js';

/**
 * The real Bolt app over signed HTTP, the Slack stand-in, a real store and the real engine: what
 * the bot's tests drive. The workspace holds the people and channels of the policy below.
 */

export const CHANNEL = 'C0123456789';
export const MAINTENANCE_CHANNEL = 'C0999999999';
export const OTHER_CHANNEL = 'C0RANDOM00';
export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-0123456789';

export const USERS = {
  operator: 'U01OPERATOR',
  approver: 'U02APPROVER',
  approver2: 'U03APPROVER',
  stranger: 'U04STRANGER',
  /** An operator through @platform-team. */
  platform: 'U05PLATFORM',
  /** An approver through @dba-leads, and the requester when they are also an operator. */
  dbaLead: 'U06DBALEAD',
} as const;

/** The example policy of the issue, plus a second app. */
export const POLICY = `
apps:
  acme-prod:
    channel: ${CHANNEL}
    operators: [${USERS.operator}, "@platform-team"]
    approvers: [${USERS.approver}, ${USERS.approver2}, "@dba-leads"]
  acme-staging:
    channel: C0STAGING00
    operators: [${USERS.operator}, ${USERS.dbaLead}]
    approvers: [${USERS.approver}, ${USERS.approver2}, ${USERS.dbaLead}]
runbooks:
  default: {approvals: 1, approval_timeout: 4h}
  upgrade: {approvals: 2}
maintenance: {channels: [${MAINTENANCE_CHANNEL}], regions: [virginia, oregon], reminders: [24h, 1h, start, end]}
`;

export function seedWorkspace(workspace: SlackWorkspace): void {
  for (const [id, name] of [
    [CHANNEL, 'acme-prod-ops'],
    [MAINTENANCE_CHANNEL, 'heroku-maintenance'],
    [OTHER_CHANNEL, 'random'],
    ['C0STAGING00', 'acme-staging'],
  ] as const) {
    workspace.addChannel({ id, name });
  }
  for (const [role, id] of Object.entries(USERS)) workspace.addUser({ id, name: role });
  workspace.addUserGroup({ id: 'S0PLATFORM', handle: 'platform-team', name: 'Platform team', users: [USERS.platform] });
  workspace.addUserGroup({ id: 'S0DBALEADS', handle: 'dba-leads', name: 'DBA leads', users: [USERS.dbaLead] });
}

/** A clock that runs with real time and can jump ahead (for approval expiry). */
export class TestClock {
  private offset = 0;
  now = (): Date => new Date(Date.now() + this.offset);
  advance(ms: number): void {
    this.offset += ms;
  }
}

export interface BotHarnessOptions {
  ports?: Partial<BotPorts>;
  /** Wraps the engine the bot sees (to make it slow). */
  wrapEngine?: (engine: Engine) => Engine;
  /** The runbooks and their deps; the in-memory test runbooks by default. */
  runbooks?: { registry: RunbookRegistry<unknown>; deps: unknown };
  /** Extra environment, e.g. CONNECT_OPS_TIME_SCALE. */
  env?: Record<string, string>;
  updateIntervalMs?: number;
  dialect?: 'sqlite' | 'postgres';
  engineTimeScale?: number;
  /** Per-person rates and lanes; the tests send far more commands a minute than a person would. */
  admission?: BotOptions['admission'];
}

export interface BotHarness {
  slack: SlackStandIn;
  workspace: SlackWorkspace;
  driver: SlackDriver;
  bot: Bot;
  engine: Engine;
  store: TestStore;
  config: Config;
  clock: TestClock;
  connect: FakeConnect;
  command(user: string, text: string, channel?: string): Promise<Delivery>;
  /** The ephemeral texts `user` has been shown, oldest first. */
  ephemerals(user: string): string[];
  /** Waits for an ephemeral to `user` that matches. */
  ephemeral(user: string, pattern: RegExp): Promise<string>;
  /** The plan card and run message of a run, once both are posted. */
  messagesOf(runId: string): Promise<{ card: SlackMessage; message: SlackMessage }>;
  /** Waits until the engine reports the run in one of `statuses`. */
  runIn(runId: string, statuses: Array<RunView['status']>, timeoutMs?: number): Promise<RunView>;
  /** The runs of an app, newest first. */
  runs(app?: string): Promise<RunView[]>;
  /** Stops the engine and starts a new one on the same store, as a deploy does (runbooks may have changed). */
  restartEngine(): Promise<void>;
  close(): Promise<void>;
}

const defaultPorts: BotPorts = {
  appStatus: async (app) => ({
    app,
    connection: { id: 'c-1', state: 'IDLE', dbKey: 'DATABASE_URL', schemaName: 'salesforce' },
    mappings: [{ objectName: 'Account', state: 'DATA_SYNCED', counts: { db: 1_204_311, sf: 1_204_311, pending: 0, errors: 0 } }],
    databases: [{ addon: 'postgresql-curly-12345', attachments: ['DATABASE_URL'], plan: 'standard-0', version: '15', status: 'available', following: null, lagCommits: null }],
  }),
  upcomingWindows: async () => [],
  runbookNames: ['pause', 'resume', 'upgrade', 'plan-change'],
  planNames: ['standard-0', 'standard-2', 'premium-0'],
};

export async function startBotHarness(options: BotHarnessOptions = {}): Promise<BotHarness> {
  const workspace = new SlackWorkspace();
  seedWorkspace(workspace);
  const slack = await startSlackStandIn({ workspace, botToken: BOT_TOKEN });
  const store = await createTestStore(options.dialect ?? 'sqlite');
  const clock = new TestClock();
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'silent' });
  const config = loadConfig({
    env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0', ...options.env },
    require: ['slack'],
    readPolicy: () => POLICY,
  });
  const connect: FakeConnect = { state: 'IDLE', revision: '', actionDelayMs: 0 };
  const runbooks = options.runbooks ?? { registry: testRunbooks(connect) as RunbookRegistry<unknown>, deps: { connect } satisfies TestDeps };

  let engine: Engine | undefined;
  const bot = createBot({
    config,
    engine: () => {
      if (!engine) throw new Error('the engine is not created yet');
      return engine;
    },
    store: store.store,
    logger,
    ports: { ...defaultPorts, ...options.ports },
    botIdentity: { botId: workspace.bot.botId, botUserId: workspace.bot.id },
    slackRetry: { retries: 0 },
    clock: clock.now,
    updateIntervalMs: options.updateIntervalMs ?? 20,
    userGroupTtlMs: 60_000,
    admission: options.admission ?? { commandsPerMinute: 10_000, clicksPerMinute: 10_000 },
  });
  const newEngine = () =>
    createEngine({
      store: store.store,
      runbooks: runbooks.registry,
      deps: runbooks.deps,
      logger,
      observer: bot.observer,
      clock: clock.now,
      timeScale: options.engineTimeScale ?? 1,
      retry: { attempts: 2, baseMs: 10, maxMs: 20 },
    });
  let realEngine = newEngine();
  engine = options.wrapEngine ? options.wrapEngine(realEngine) : realEngine;
  await bot.start();
  const driver = new SlackDriver({ eventsUrl: `http://127.0.0.1:${bot.port()}/slack/events`, signingSecret: SIGNING_SECRET, standInUrl: slack.url });

  const ephemerals = (user: string) => workspace.ephemerals({ user }).map((e) => e.text);
  const harness: BotHarness = {
    slack,
    workspace,
    driver,
    bot,
    get engine() {
      return realEngine;
    },
    store,
    config,
    clock,
    connect,
    async command(user, text, channel = CHANNEL) {
      const delivery = await driver.command({ user, channel, text });
      // As Slack does, the ack's own text is shown to the typist.
      const answer = ackText(delivery);
      if (answer) workspace.postEphemeral({ channel, user, text: answer, blocks: [], via: 'ack' });
      return delivery;
    },
    ephemerals,
    ephemeral: (user, pattern) => workspace.waitFor(() => ephemerals(user).find((t) => pattern.test(t))),
    async messagesOf(runId) {
      return workspace.waitFor(() => {
        const posted = [...workspace.history(CHANNEL), ...workspace.history('C0STAGING00')];
        const card = posted.find((m) => m.text.startsWith('Plan:') && JSON.stringify(m.blocks).includes(runId));
        const message = posted.find((m) => !m.text.startsWith('Plan:') && JSON.stringify(m.blocks).includes(runId));
        return card && message ? { card, message } : undefined;
      });
    },
    async runIn(runId, statuses, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = await realEngine.getRun(runId);
        if (run && statuses.includes(run.status)) return run;
        if (Date.now() > deadline) throw new Error(`run ${runId} is ${run?.status ?? 'missing'}, not ${statuses.join(' or ')}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    runs: (app) => realEngine.listRuns(app ? { app } : {}),
    async restartEngine() {
      await realEngine.stop();
      realEngine = newEngine();
      engine = options.wrapEngine ? options.wrapEngine(realEngine) : realEngine;
      await realEngine.resumeAll();
    },
    async close() {
      await realEngine.stop();
      await bot.stop();
      await slack.close();
      await store.dispose();
    },
  };
  return harness;
}

/** The run ID an ephemeral "Started `r…`" names. */
export function startedRunId(text: string): string {
  const id = /Started `([^`]+)`/.exec(text)?.[1];
  if (!id) throw new Error(`not a start confirmation: ${text}`);
  return id;
}
