import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BootListener } from './boot-listener.js';
import { App, webApi, type CustomRoute, type HTTPReceiver, type RespondFn } from '@slack/bolt';
import { sql } from 'kysely';
import { runbookPolicyFor, secretsOf, type Config } from '../config.js';
import type { Logger } from '../log.js';
import { createRedactor } from '../redact.js';
import { EngineError } from '../ops/engine/errors.js';
import type { Engine, RunView } from '../ops/engine/types.js';
import type { Store } from '../store/index.js';
import { decodeButtonValue, ACTIONS, type ActionId } from './actions/button-values.js';
import { cancelFromButton } from './actions/cancel.js';
import { decide } from './actions/decide.js';
import { startFix } from './actions/fix.js';
import { decodeFixValue, FIX_ACTION } from './actions/fix-values.js';
import { completeManualStep } from './actions/manual-done.js';
import { overrideHold } from './actions/override.js';
import { rollBack } from './actions/rollback.js';
import { createAdmission, type AdmissionOptions, type AdmissionStats } from './admission.js';
import { answerEveryRequest } from './answer-every-request.js';
import { boltLogger } from './bolt-logger.js';
import { dispatchCommand } from './commands/dispatch.js';
import { commandOf } from './commands/grammar.js';
import type { BotContext, Click, Invocation } from './context.js';
import { SlackHealthNotifier } from './health-notifier.js';
import { publishHome } from './home/publish.js';
import { storeIdempotency, type Idempotency } from './idempotency.js';
import { SlackMaintenanceNotifier } from './maintenance-notifier.js';
import { checkSubmission, modalChanged, openModal, startFromModal } from './modal/modal.js';
import { MODAL_CALLBACK, modalActionIds } from './modal/view.js';
import { AccessPolicy } from './policy.js';
import type { BotPorts } from './ports.js';
import { createReceiver } from './receiver.js';
import { observedFetch, type SlackApiMetrics } from './observed-fetch.js';
import { redactingFetch } from './redacting-fetch.js';
import { RunMessages } from './run-messages.js';
import { sharedReads } from './shared-reads.js';
import { slackUserGroups } from './user-groups.js';
import type { MessageContent } from './views/blocks.js';
import { OPEN_MODAL_ACTION } from './views/home.js';
import { errorText } from './views/outcomes.js';

/**
 * The Slack surface of connect-ops: a Bolt app that answers `/connect` and the buttons on its
 * messages, and the engine's observer that keeps each run's messages up to date. Every command
 * and click is acknowledged first, so Slack's 3 seconds hold however slow Heroku is; answers
 * follow through `respond` (ephemeral) or the run's messages.
 */

export interface BotOptions {
  config: Config;
  /** The engine, or a function returning it: the engine is built after the bot, with its observer. */
  engine: Engine | (() => Engine);
  store: Store;
  logger: Logger;
  ports: BotPorts;
  /** The bot's IDs when known (tests, benchmarks): Bolt then never calls auth.test. */
  botIdentity?: { botId: string; botUserId: string };
  /** Web API retries; the default gives up after five minutes instead of Bolt's half hour. */
  slackRetry?: webApi.RetryOptions;
  clock?: () => Date;
  /** Minimum time between two edits of a run's messages; default 1 s. */
  updateIntervalMs?: number;
  /** How long user group memberships are cached; default 5 minutes. */
  userGroupTtlMs?: number;
  /** Run-lane requests worked on at once after their ack (see ./admission.ts); default 12. */
  concurrency?: number;
  /** Per-person rates and lane bounds; the defaults suit one Slack workspace. */
  admission?: Omit<AdmissionOptions, 'logger'>;
  /** How long answers to the same read (`status APP`, `maintenance`) are shared; default 5 s. */
  sharedReadMs?: number;
  /** Replicas: one process at a time edits a run's messages (a lock across processes). */
  exclusive?: <T>(key: string, task: () => Promise<T>) => Promise<T>;
  /** The workspace's chat.update budget, shared by every run and replica. */
  updateBudget?: <T>(task: () => Promise<T>) => Promise<T>;
  /** More HTTP routes on PORT beside `/healthz` (`/metrics`), in HTTP and Socket Mode alike. */
  routes?: CustomRoute[];
  /** Counts Slack API calls and their errors, and times acks (for /metrics). */
  metrics?: SlackMetrics;
  /** The engine's state for `/healthz` (./receiver.ts). */
  engineState?: () => string;
  /** HTTP mode: `$PORT` already bound (./boot-listener.ts); the bot takes its requests over at start. */
  listener?: BootListener;
}

export interface SlackMetrics extends SlackApiMetrics {
  /** Seconds from a request's arrival (HTTP request or Socket Mode envelope) to its ack. */
  ack(mode: 'http' | 'socket', seconds: number): void;
}

export interface Bot {
  app: App;
  /** Pass to createEngine as its observer. */
  observer: RunMessages;
  /** Pass to the MaintenanceWatcher as its notifier. */
  maintenanceNotifier: SlackMaintenanceNotifier;
  /** Pass to the HealthWatcher and the VersionRadar as their notifier. */
  healthNotifier: SlackHealthNotifier;
  start(): Promise<void>;
  /**
   * Stops taking Slack requests: no new connection; requests in flight, and the work their acks
   * started, get until `deadlineMs` (epoch ms), then their connections are closed.
   */
  stopReceiving(deadlineMs?: number): Promise<void>;
  /** Stops receiving (if not done yet), then sends pending message edits. Stop the engine first. */
  stop(): Promise<void>;
  /** The HTTP port listened on (useful with PORT=0); null before start and in Socket Mode. */
  port(): number | null;
  /** Requests refused before any work and the lanes' sizes, for /metrics. */
  stats(): AdmissionStats;
}

/** The global shortcut's callback_id (manifest.yml). */
export const RUNBOOK_SHORTCUT = 'connect_runbook';

type ButtonHandler = (ctx: BotContext, click: Click) => Promise<void>;

const BUTTONS: Record<ActionId, ButtonHandler> = {
  [ACTIONS.approve]: (ctx, click) => decide(ctx, click, 'approve'),
  [ACTIONS.reject]: (ctx, click) => decide(ctx, click, 'reject'),
  [ACTIONS.manualDone]: completeManualStep,
  [ACTIONS.cancel]: cancelFromButton,
  [ACTIONS.rollback]: rollBack,
  [ACTIONS.override]: overrideHold,
};

export function createBot(options: BotOptions): Bot {
  const { config, store, logger, ports } = options;
  const { botToken, signingSecret, appToken, apiUrl } = config.slack;
  if (!botToken || !signingSecret) throw new Error('createBot needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET: load the config with require: ["slack"]');
  const clock = options.clock ?? (() => new Date());
  const engine = typeof options.engine === 'function' ? options.engine : () => options.engine as Engine;
  const slackLogger = boltLogger(logger);

  // Every body sent to Slack (Web API and response_url alike) has the configured secrets redacted.
  const redacting = redactingFetch(createRedactor(secretsOf(config)));
  const slackFetch = options.metrics ? observedFetch(redacting, apiUrl, options.metrics) : redacting;
  const { mode, receiver } = createReceiver({
    signingSecret,
    appToken,
    port: config.port,
    apiUrl,
    logger: slackLogger,
    healthy: async () => (await sql`select 1`.execute(store.db), true),
    engineState: options.engineState,
    fetch: slackFetch,
    routes: options.routes,
    onAck: options.metrics ? (m, seconds) => options.metrics?.ack(m, seconds) : undefined,
  });
  const app = new App({
    token: botToken,
    receiver,
    logger: slackLogger,
    // Bolt's conversation store keeps state per conversation; nothing here uses it.
    convoStore: false,
    clientOptions: {
      slackApiUrl: apiUrl,
      retryConfig: options.slackRetry ?? webApi.retryPolicies.fiveRetriesInFiveMinutes,
      fetch: slackFetch,
    },
    ...(options.botIdentity ? { ...options.botIdentity, tokenVerificationEnabled: false } : { deferInitialization: true }),
  });

  answerEveryRequest(app, logger);

  const access = new AccessPolicy(config.policy, slackUserGroups(app.client, { logger, clock, ttlMs: options.userGroupTtlMs }));
  const idempotency = storeIdempotency(store, { clock });
  const runMessages = new RunMessages({
    client: app.client,
    store,
    policy: access,
    idempotency,
    planOf: (run: RunView) => {
      try {
        return engine().plan(run.runbook, run.params, run.app);
      } catch {
        return null;
      }
    },
    approvalTimeoutMs: (runbook) => runbookPolicyFor(config.policy, runbook, commandOf(runbook)).approvalTimeoutMs,
    logger,
    clock,
    updateIntervalMs: options.updateIntervalMs,
    exclusive: options.exclusive,
    updateBudget: options.updateBudget,
    latest: (runId) => engine().getRun(runId),
  });
  const reads = sharedReads(ports, { ttlMs: options.sharedReadMs, clock });
  const ctx: BotContext = { engine, access, policy: config.policy, ports: reads, runMessages, logger, clock };
  const admission = createAdmission({
    logger,
    redisUrl: config.redisUrl,
    ...options.admission,
    run: { concurrency: options.concurrency, ...options.admission?.run },
  });

  app.command('/connect', async ({ command, ack, respond }) => {
    const text = command.text ?? '';
    // Bounds, the person's rate and room in the lane, before the ack: a refusal is the ack's own text.
    const admitted = await admission.command(command.user_id, text);
    if (!admitted.ok) return ack({ response_type: 'ephemeral', text: admitted.message });
    await ack();
    const inv: Invocation = { userId: command.user_id, channelId: command.channel_id, reply: replier(respond) };
    // `/connect` alone opens the runbook form; `/connect help` lists the commands.
    const work = text.trim() === ''
      ? () => openModal(ctx, app.client, { triggerId: command.trigger_id, userId: command.user_id, channelId: command.channel_id })
      : () => dispatchCommand(ctx, inv, text);
    await admission.run(admitted.lane, () => once(ctx, idempotency, inv, commandKey(command), work));
  });

  for (const [actionId, handler] of Object.entries(BUTTONS)) {
    app.action({ type: 'block_actions', action_id: actionId }, async ({ ack, body, action, respond }) => {
      await ack();
      // From App Home there is no response_url: the answer shows at the top of the tab, drawn again.
      const fromHome = body.container?.type === 'view';
      const reply = fromHome ? homeReplier(body.user.id) : replier(respond);
      const raw = 'value' in action ? action.value : undefined;
      const admitted = await admission.click(body.user.id, raw);
      if (!admitted.ok) return reply(admitted.message).catch(() => undefined);
      const value = decodeButtonValue(raw);
      if (!value) return reply('This button is not one connect-ops made; nothing was done.').catch(() => undefined);
      const click: Click = {
        userId: body.user.id,
        channelId: body.channel?.id ?? '',
        value,
        reply,
        replaceMessage: async (message) => (fromHome ? undefined : drain(await respond({ replace_original: true, ...message }))),
      };
      const actionTs = 'action_ts' in action && typeof action.action_ts === 'string' ? action.action_ts : undefined;
      const key = body.trigger_id ? `action:${body.trigger_id}` : actionTs ? `action:${body.user.id}:${actionId}:${actionTs}` : undefined;
      await admission.run(admitted.lane, () => once(ctx, idempotency, click, key, () => handler(ctx, click)));
    });
  }

  /** An answer to a click on App Home: the tab drawn again with it at the top. */
  const homeReplier = (userId: string) => async (message: string | MessageContent) => {
    await publishHome(ctx, app.client, userId, typeof message === 'string' ? message : message.text);
  };

  // A health incident's or a version warning's fix: its runbook, started as /connect would.
  app.action({ type: 'block_actions', action_id: FIX_ACTION }, async ({ ack, body, action, respond }) => {
    await ack();
    const inv: Invocation = { userId: body.user.id, channelId: body.channel?.id ?? '', reply: replier(respond) };
    const raw = 'value' in action ? action.value : undefined;
    const admitted = await admission.click(body.user.id, raw);
    if (!admitted.ok) return inv.reply(admitted.message).catch(() => undefined);
    const fix = decodeFixValue(raw);
    if (!fix) return inv.reply('This button is not one connect-ops made; nothing was done.').catch(() => undefined);
    const key = body.trigger_id ? `action:${body.trigger_id}` : undefined;
    await admission.run(admitted.lane, () => once(ctx, idempotency, inv, key, () => startFix(ctx, inv, fix)));
  });

  // App Home: drawn for the person who opens it, in the read lane.
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    await admission.run('read', () => publishHome(ctx, app.client, event.user)).catch((error: unknown) => logger.error({ err: error }, 'could not publish App Home'));
  });

  // The runbook form: the global shortcut and App Home's button open it (within the trigger's 3 seconds).
  const openForm = (userId: string, triggerId: string) =>
    openModal(ctx, app.client, { triggerId, userId }).catch((error: unknown) => logger.error({ err: error }, 'could not open the runbook form'));
  app.shortcut({ callback_id: RUNBOOK_SHORTCUT, type: 'shortcut' }, async ({ ack, shortcut }) => {
    await ack();
    await openForm(shortcut.user.id, shortcut.trigger_id);
  });
  app.action({ type: 'block_actions', action_id: OPEN_MODAL_ACTION }, async ({ ack, body }) => {
    await ack();
    await openForm(body.user.id, body.trigger_id);
  });

  // A pick in the form: drawn again with live choices and the plan (reads: the read lane).
  for (const actionId of modalActionIds()) {
    app.action({ type: 'block_actions', action_id: actionId }, async ({ ack, body }) => {
      await ack();
      const view = body.view;
      if (!view) return;
      const admitted = await admission.click(body.user.id, undefined);
      if (!admitted.ok) return;
      await admission.run('read', () => modalChanged(ctx, app.client, body.user.id, view)).catch((error: unknown) => logger.warn({ err: error }, 'could not redraw the runbook form'));
    });
  }

  // Its submission: checked as the command it amounts to before the ack, started after it.
  app.view({ callback_id: MODAL_CALLBACK, type: 'view_submission' }, async ({ ack, body, view }) => {
    const admitted = await admission.click(body.user.id, undefined);
    if (!admitted.ok) return void (await ack({ response_action: 'errors', errors: { runbook: admitted.message } }));
    const outcome = await checkSubmission(ctx, body.user.id, view).catch((error: unknown) => {
      logger.error({ err: error }, 'could not check a runbook form');
      return { ok: false as const, errors: { runbook: 'Something went wrong; try again.' } };
    });
    if (!outcome.ok) return void (await ack({ response_action: 'errors', errors: outcome.errors }));
    await ack();
    if (!(await idempotency.claim(`view:${view.id}:${view.hash}`))) return;
    await admission.run(admitted.lane, () => startFromModal(ctx, app.client, body.user.id, outcome.request));
  });

  app.error(async (error) => {
    logger.error({ err: error }, 'Slack listener failed');
  });

  let server: Server | null = null;
  let started = false;
  return {
    app,
    observer: runMessages,
    maintenanceNotifier: new SlackMaintenanceNotifier(app.client),
    healthNotifier: new SlackHealthNotifier(app.client),
    async start() {
      if (!options.botIdentity) await app.init();
      // Replicas share each person's command count through Redis; a slow Redis does not hold up the start.
      await admission.connected();
      if (mode === 'http' && options.listener) {
        // The port is bound already: Bolt's receiver answers its requests, as its own server would.
        const { requestListener } = receiver as HTTPReceiver;
        options.listener.hand((req, res) => {
          try {
            requestListener(req, res);
          } catch (error) {
            logger.error({ err: error }, 'a request could not be dispatched');
            if (!res.headersSent) res.writeHead(500).end();
          }
        });
        server = options.listener.server;
      } else {
        const listening: unknown = await app.start(config.port);
        if (mode === 'http') server = listening as Server;
      }
      started = true;
      logger.info({ mode, port: this.port() ?? config.port }, 'Slack bot listening');
    },
    async stopReceiving(deadlineMs = Date.now() + 10_000) {
      if (!started) return;
      started = false;
      const listening = server;
      // server.close() (through Bolt) refuses new connections and waits for those open; idle
      // keep-alive ones are closed now, busy ones once their request is answered or time is up.
      const closed: Promise<unknown> = options.listener && listening ? new Promise<void>((resolve, reject) => listening.close((error) => (error ? reject(error) : resolve()))) : app.stop();
      listening?.closeIdleConnections();
      const timeUp = sleepUntil(deadlineMs);
      await Promise.race([closed, timeUp.done]);
      listening?.closeAllConnections();
      await closed.catch((error: unknown) => logger.warn({ err: error }, 'the Slack receiver did not close cleanly'));
      // The work acked requests started (commands, clicks) goes on after the answer: it gets the same deadline.
      while (!timeUp.over() && busy(admission.stats())) await new Promise((resolve) => setTimeout(resolve, 50));
      timeUp.cancel();
      server = null;
    },
    async stop() {
      await this.stopReceiving();
      await runMessages.flush();
      await admission.close();
    },
    port: () => (server ? (server.address() as AddressInfo).port : null),
    stats: () => admission.stats(),
  };
}

/** Whether any request's work is still running or waiting in a lane. */
function busy(stats: AdmissionStats): boolean {
  return Object.values(stats.lanes).some((lane) => lane.running + lane.waiting > 0);
}

/** A timer to `deadlineMs` (epoch ms) that does not keep the process alive. */
function sleepUntil(deadlineMs: number): { done: Promise<void>; over(): boolean; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadlineMs - Date.now()));
    timer.unref();
  });
  return { done, over: () => Date.now() >= deadlineMs, cancel: () => clearTimeout(timer) };
}

/**
 * What identifies one delivery of a command, so Slack's redelivery is recognised: its trigger_id,
 * or its response_url (unique to each invocation). Without either there is nothing to tell a
 * redelivery from a new command, and the command is not deduplicated.
 */
function commandKey(command: { trigger_id?: string; response_url?: string }): string | undefined {
  if (command.trigger_id) return `command:${command.trigger_id}`;
  if (command.response_url) return `command:url:${createHash('sha256').update(command.response_url).digest('hex')}`;
  return undefined;
}

/** Answers only the user who typed or clicked. */
function replier(respond: RespondFn | undefined): (message: string | MessageContent) => Promise<void> {
  return async (message) => {
    // A request without a response_url (a button in a view) has nowhere to answer privately.
    if (typeof respond !== 'function') return;
    drain(await respond({ response_type: 'ephemeral', replace_original: false, ...(typeof message === 'string' ? { text: message } : message) }));
  };
}

/** Bolt's respond() leaves the response_url's answer unread, which holds its connection until GC: read it. */
function drain(answer: unknown): void {
  if (answer instanceof Response) void answer.arrayBuffer().catch(() => undefined);
}

/**
 * Does the work of a request once: Slack's redelivery of the same request (same trigger_id) is
 * skipped. Nothing a user sends can crash the bot: any failure becomes a private, redacted answer.
 */
async function once(ctx: BotContext, idempotency: Idempotency, inv: Invocation, key: string | undefined, work: () => Promise<void>): Promise<void> {
  try {
    if (key !== undefined && !(await idempotency.claim(key))) {
      ctx.logger.info({ key }, 'ignored a repeated delivery from Slack');
      return;
    }
    await work();
  } catch (error) {
    // An EngineError is a refusal with its remedy (the app is locked, bad parameters), not a fault.
    if (error instanceof EngineError) ctx.logger.info({ code: error.code, key }, 'the engine refused a request');
    else ctx.logger.error({ err: error, key }, 'a Slack request failed');
    await inv.reply(errorText(error)).catch((replyError: unknown) => ctx.logger.warn({ err: replyError }, 'could not answer the user'));
  }
}
