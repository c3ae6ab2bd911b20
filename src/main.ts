import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { appStatusForSlack } from './app-status-for-slack.js';
import { createBot, type Bot, type BotPorts } from './bot/index.js';
import type { BootListener } from './bot/boot-listener.js';
import { secretsOf, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { createRedactor } from './redact.js';
import { createMetrics, loadMetrics, metricsRoute, storeGauges, watcherMetrics, type Metrics } from './metrics/index.js';
import { cutoverOverlapCheck, maintenanceGuard } from './maintenance-overlaps.js';
import { appStatus } from './ops/app-status.js';
import { createEngine, type Engine } from './ops/engine/index.js';
import { LivePlanNames } from './bot/plan-names.js';
import { DeferredDriver } from './ops/engine/drivers/deferred.js';
import { InProcessDriver } from './ops/engine/drivers/in-process.js';
import { discoverAppConsumers, refusalOptionsFor } from './ops/runbooks/reads/consumers.js';
import { createHerokuClients, type HerokuClients } from './ops/heroku/clients.js';
import { createStatusFeedClient } from './ops/heroku/status-feed.js';
import { createTrustClient } from './ops/heroku/trust.js';
import { createLimits, type Limits, type LimitsStats } from './ops/limits.js';
import { ambientPriority } from './ops/request-priority.js';
import { runbooks } from './ops/runbooks/index.js';
import { watchLimits } from './ops/watch-budget.js';
import { inProcessPeriodic, type PeriodicTasks } from './periodic.js';
import { startJobQueue, type JobQueue } from './queue/index.js';
import { queuePeriodic } from './queue/periodic.js';
import { QueueRunDriver } from './queue/run-driver.js';
import { HealthWatcher, IncidentRepository, POSTGRES_VERSIONS, VersionRadar, versionWarnings } from './status/health/index.js';
import { MaintenanceWatcher, upcomingWindows } from './status/index.js';
import { openStore, type Store } from './store/index.js';
import { createLease, type Lease } from './store/lease.js';
import { storeLocks, type StoreLocks } from './store/lock.js';

/**
 * The composition root: config -> store -> clients -> engine -> bot + watcher. The only place that
 * knows every part; each part gets what it needs as arguments.
 */

export interface ConnectOps {
  config: Config;
  logger: Logger;
  store: Store;
  clients: HerokuClients;
  engine: Engine;
  bot: Bot;
  watcher: MaintenanceWatcher;
  /**
   * What /metrics reports about load: Slack requests refused before any work and the lanes'
   * sizes, and the Heroku budget with the reads refused to keep it for runs.
   */
  stats(): Promise<{ slack: ReturnType<Bot['stats']>; heroku: LimitsStats }>;
  /** The Connect health watcher and the Postgres version radar, periodic tasks on the maintenance watcher's schedule. */
  health: HealthWatcher;
  radar: VersionRadar;
  /** Named periodic tasks (the maintenance watcher's polls, the health watcher's and the radar's): node-cron here, or the job queue's cron across replicas. */
  periodic: PeriodicTasks;
  /** The Postgres job queue replicas share, once started; absent with the embedded store. */
  readonly queue?: JobQueue;
  /** `starting` (serving Slack, not yet driving runs), `running`, `stopping`, or `failed` (it could not take over). */
  engineState(): EngineState;
  /**
   * Settles when the engine has taken over (runs resumed and driven here, periodic tasks started),
   * or rejects with why it could not (another process kept the lease).
   */
  running: Promise<void>;
  /** What `/metrics` serves (src/metrics). */
  metrics: Metrics;
  /**
   * Stops taking work (Slack requests in flight finish); passes in flight get until `deadlineMs`
   * (epoch ms; 10 s by default) to reach a persisted point (one still running then is abandoned:
   * whoever drives the run next re-probes its step), then releases what this process holds (the
   * engine lease, the job queue, Redis, the store), each step bounded so that it all ends within
   * a few seconds of the deadline.
   */
  stop(deadlineMs?: number): Promise<void>;
}

export type EngineState = 'starting' | 'running' | 'stopping' | 'failed';

export interface StartOptions {
  logger?: Logger;
  /** Known bot identity (sandbox, tests): Bolt then never calls auth.test. */
  botIdentity?: { botId: string; botUserId: string };
  /**
   * The clock the watcher judges windows and reminders by. The sandbox passes the simulated
   * Heroku's clock, which runs CONNECT_OPS_TIME_SCALE times faster than the wall clock.
   */
  maintenanceClock?: () => Date;
  /** Embedded store: how long to wait for another process's engine lease to be released or expire; default 60 s. */
  engineLeaseWaitMs?: number;
  /** `$PORT` bound before this module was loaded (connect-ops start, HTTP mode): the bot takes it over. */
  listener?: BootListener;
  /** Postgres: the job queue's settings (tests shorten the expiry that bounds a takeover). */
  queue?: { expirySeconds?: number; pollIntervalMs?: number; maintenanceIntervalSeconds?: number };
}

const FEED_TIMEOUT_MS = 10_000;
/** Twice the lease's TTL: long enough for a crashed predecessor's lease to expire. */
const ENGINE_LEASE_WAIT_MS = 60_000;
/** How long stop() gives passes in flight by default. */
const STOP_DEADLINE_MS = 10_000;
/** After the passes' deadline, how long releasing the rest (queue, lease, Redis, store) may take. */
const RELEASE_GRACE_MS = 5_000;

/**
 * Starts connect-ops and resolves once the engine has taken over (runs resumed), as tests and the
 * sandbox want; it rejects, stopped, when it could not.
 */
export async function startConnectOps(config: Config, options: StartOptions = {}): Promise<ConnectOps> {
  const ops = await bootConnectOps(config, options);
  try {
    await ops.running;
  } catch (error) {
    await ops.stop();
    throw error;
  }
  return ops;
}

/**
 * Starts connect-ops as a Heroku web process must: `$PORT` is bound and Slack answered (requests
 * recorded in the store) as soon as the store is open, and the engine takes over in the background
 * (`running`): with the embedded store once another process's lease is released or expired, with
 * Postgres once the job queue has started. Heroku's R10 kills a web dyno that has not bound
 * `$PORT` within 60 s of start (Dev Center: "Dynos and the Dyno Manager"), and with preboot the old
 * dyno still holds the lease while the new one starts.
 */
export async function bootConnectOps(config: Config, options: StartOptions = {}): Promise<ConnectOps> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets: secretsOf(config) });
  if (!config.heroku.apiKey) throw new Error('HEROKU_API_KEY is required to start the bot');

  const redactor = createRedactor(secretsOf(config));
  // On Heroku the Procfile's release phase ran `connect-ops migrate` before this dyno started: check only.
  // A cutover's store writes go ahead of other runs' on the embedded store's one connection.
  const store = await openStore({
    ...config.store,
    redact: redactor.secrets,
    migrations: config.onHeroku ? 'check' : 'apply',
    urgent: () => ambientPriority() === 'cutover',
  });
  // With Postgres every process serves Slack and drives runs through the job queue; the embedded
  // store is one process's, which drives its runs itself. Either way runs are driven only once the
  // engine has taken over (below): until then wake-ups are recorded (DeferredDriver).
  const replicas = store.dialect === 'postgres';
  let queue: JobQueue | undefined;
  const driver = new DeferredDriver(replicas);
  let state: EngineState = 'starting';
  const metrics = createMetrics({ warn: (source, err) => logger.warn({ err, source }, 'could not read figures for /metrics') });
  // Each periodic task's outcome and last success is tracked under its name (metrics/watchers.ts).
  const periodic = watcherMetrics(metrics).periodic(replicas ? queuePeriodic(() => queue!, logger) : inProcessPeriodic(logger));
  // Locks across replicas (one process edits a run's Slack messages at a time), on a connection of their own.
  const locks: StoreLocks | undefined = replicas ? storeLocks(store) : undefined;
  const limits: Limits = createLimits({ redisUrl: config.redisUrl, timeScale: config.timeScale, logger: logger.child({ component: 'limits' }) });
  const clients = createHerokuClients({
    apiKey: config.heroku.apiKey,
    apiUrl: config.heroku.apiUrl,
    dataApiUrl: config.heroku.dataApiUrl,
    connectDiscoveryUrl: config.heroku.connectDiscoveryUrl,
    limits,
    logger,
    timeScale: config.timeScale,
    metrics: metrics.heroku,
  });

  const incidents = new IncidentRepository(store);
  // The runbook form's and plan-change's plan choices, read live (cached for an hour; free text when Heroku cannot be read).
  const planNames = new LivePlanNames({
    platform: clients.platform,
    onError: (error) => logger.warn({ err: error }, 'cannot read the Heroku Postgres plans; the plan is typed as free text'),
  });
  const ports: BotPorts = {
    appStatus: async (app) => appStatusForSlack(await appStatus(clients, app)),
    consumers: (app, runbook) => discoverAppConsumers({ ...clients, policyApps: Object.keys(config.policy.apps) }, app, refusalOptionsFor(runbook)),
    upcomingWindows: () => upcomingWindows(store, options.maintenanceClock?.() ?? new Date()),
    runbookNames: [...runbooks.keys()],
    livePlanNames: () => planNames.get(),
    postgresVersions: POSTGRES_VERSIONS.filter((v) => !v.deprecated || Date.parse(v.deprecated) > (options.maintenanceClock?.() ?? new Date()).getTime()).map((v) => v.major),
    health: { openIncidents: (apps) => incidents.open(apps), versionWarnings: (apps) => versionWarnings(store, apps) },
  };
  // The engine is built after the bot, with the bot as its observer; the bot reaches it lazily.
  const built: { engine?: Engine } = {};
  const bot = createBot({
    config,
    engine: () => {
      if (!built.engine) throw new Error('the engine is not ready yet');
      return built.engine;
    },
    store,
    logger,
    ports,
    botIdentity: options.botIdentity,
    exclusive: locks ? (key, task) => locks.run(key, task) : undefined,
    updateBudget: (task) => limits.slackUpdates.schedule({ priority: 'interactive' }, task),
    routes: [metricsRoute(metrics, { token: config.metricsToken, warn: (err) => logger.error({ err }, '/metrics failed') })],
    metrics: metrics.slack,
    engineState: () => state,
    listener: options.listener,
  });
  const engine = createEngine({
    store,
    runbooks,
    // Cutovers refuse a database that is also attached to an app the policy does not name (reads/consumers.ts).
    deps: { ...clients, policyApps: Object.keys(config.policy.apps) },
    logger,
    observer: bot.observer,
    timeScale: config.timeScale,
    cutoverGuard: maintenanceGuard(store, options.maintenanceClock),
    driver,
    // Replicas: each audit event says which process wrote it (the dyno on Heroku).
    process: replicas ? (config.dyno ?? `${hostname()}.${process.pid}`) : undefined,
  });
  built.engine = engine;

  const feedSchedule = <T>(task: () => Promise<T>) => limits.statusFeeds.schedule({ priority: 'background' }, task);
  const watcher = new MaintenanceWatcher({
    store,
    sources: {
      status: createStatusFeedClient({ baseUrl: config.status.herokuStatusUrl, timeoutMs: FEED_TIMEOUT_MS, schedule: feedSchedule }),
      trust: createTrustClient({ baseUrl: config.status.salesforceTrustUrl, timeoutMs: FEED_TIMEOUT_MS, schedule: feedSchedule }),
    },
    notifier: bot.maintenanceNotifier,
    policy: config.policy.maintenance,
    log: logger.child({ component: 'maintenance-watcher' }),
    now: options.maintenanceClock,
    afterPoll: cutoverOverlapCheck({
      store,
      engine,
      warn: (run, window) =>
        bot.observer.warnOfMaintenance(run, { ...window, start: window.start.toISOString(), end: window.end.toISOString() }),
    }),
  });

  periodic.every('maintenance-watcher', config.status.cron, () => watcher.tick());
  // The health watcher and the radar spend their own budget, after runs (watch-budget.ts).
  const watchBudget = watchLimits(limits, { requestsPerHour: config.policy.health.requests_per_hour });
  const watchClients = createHerokuClients({
    apiKey: config.heroku.apiKey,
    apiUrl: config.heroku.apiUrl,
    dataApiUrl: config.heroku.dataApiUrl,
    connectDiscoveryUrl: config.heroku.connectDiscoveryUrl,
    limits: watchBudget,
    logger,
    timeScale: config.timeScale,
    metrics: metrics.heroku,
  });
  const watched = { store, clients: watchClients, notifier: bot.healthNotifier, apps: config.policy.apps, policy: config.policy.health, now: options.maintenanceClock };
  const health = new HealthWatcher({
    ...watched,
    runActive: async (app) => (await engine.listRuns({ app, active: true, limit: 1 })).length > 0,
    log: logger.child({ component: 'health-watcher' }),
  });
  const radar = new VersionRadar({ ...watched, log: logger.child({ component: 'version-radar' }) });
  if (config.policy.health.enabled) {
    periodic.every('health-watcher', config.status.cron, () => health.tick());
    if (config.policy.health.versions.enabled) periodic.every('version-radar', config.status.cron, () => radar.tick());
  }

  const stats = async () => ({ slack: bot.stats(), heroku: await limits.stats() });
  loadMetrics(metrics, { stats, watchersWaiting: () => watchBudget.waiting() });
  storeGauges(metrics, { store, runs: engine, apps: () => Object.keys(config.policy.apps) });

  let lease: Lease | undefined;
  const takeover = new AbortController();

  /** Drives runs here from now on: after the engine lease (embedded store) or the job queue (Postgres). */
  async function takeOver(signal: AbortSignal): Promise<void> {
    if (replicas) {
      queue = await startJobQueue({ store, logger, maintenanceIntervalSeconds: options.queue?.maintenanceIntervalSeconds });
      const queueDriver = new QueueRunDriver({ queue, logger, expirySeconds: options.queue?.expirySeconds, pollIntervalMs: options.queue?.pollIntervalMs });
      await queueDriver.init();
      driver.provide(queueDriver);
    } else {
      // The embedded store is one process's: two would send the same mutation. A crashed
      // predecessor's lease expires within its TTL, so a restart waits for it rather than failing.
      lease = createLease({
        store,
        name: 'engine',
        owner: `${hostname()} pid ${process.pid} ${randomBytes(3).toString('hex')}`,
        onLost: (holder) => {
          logger.error({ holder }, 'another process took over the engine lease; stopping so that no run is driven twice');
          void stop();
        },
      });
      await lease.acquire(options.engineLeaseWaitMs ?? ENGINE_LEASE_WAIT_MS, signal);
      driver.provide(new InProcessDriver(() => Date.now()));
    }
    signal.throwIfAborted();
    // Wake-ups recorded while starting (commands, clicks) are passed on here, with every unfinished run.
    await engine.resumeAll();
    signal.throwIfAborted();
    // A process that died may have taken with it the edit that showed a run's buttons (approve, done):
    // the runs that wait on people are shown again, as the store has them.
    for (const run of await engine.listRuns({ active: true, limit: 1000 })) {
      if (run.status === 'awaiting_approval' || run.status === 'awaiting_manual') bot.observer.show(run);
    }
    await periodic.start();
    signal.throwIfAborted();
    state = 'running';
    logger.info({ port: bot.port(), apps: Object.keys(config.policy.apps), replicas: replicas ? 'job queue' : 'single process' }, 'connect-ops is running');
  }

  let stopping: Promise<void> | undefined;
  // Set once the port is bound; stop() may come before.
  const takeOverDone: { running?: Promise<void> } = {};
  function stop(deadlineMs = Date.now() + STOP_DEADLINE_MS): Promise<void> {
    const releaseBy = deadlineMs + RELEASE_GRACE_MS;
    const step = (name: string, work: () => Promise<unknown> | undefined, until: number) => within(name, work, until, logger);
    stopping ??= (async () => {
      state = 'stopping';
      takeover.abort(new Error('connect-ops is stopping'));
      // No new work: Slack requests in flight finish, periodic ticks end, passes reach a persisted
      // point, all at once and by the deadline.
      await Promise.all([
        step('slack receiver', () => bot.stopReceiving(deadlineMs), deadlineMs),
        step('periodic tasks', async () => {
          await periodic.stop();
          await Promise.all([health.stop(), radar.stop(), watcher.stop()]);
        }, deadlineMs),
        step('engine', () => engine.stop(deadlineMs), deadlineMs),
        step('engine takeover', () => takeOverDone.running?.catch(() => undefined), deadlineMs),
      ]);
      // Then what this process holds is released, each step bounded (a Heroku call that hangs holds nothing).
      await step('slack messages', () => bot.stop(), releaseBy);
      await step('job queue', () => queue?.stop(Math.max(1, releaseBy - Date.now() - 1_000)), releaseBy);
      await step('store locks', () => locks?.close(), releaseBy);
      await step('engine lease', () => lease?.release(), releaseBy);
      await step('redis', () => Promise.all([watchBudget.disconnect(), limits.disconnect()]), releaseBy);
      await step('store', () => store.close(), releaseBy);
    })();
    return stopping;
  }

  try {
    await bot.start();
  } catch (error) {
    await stop(Date.now());
    throw error;
  }
  const running = takeOver(takeover.signal);
  takeOverDone.running = running;
  running.catch((error: unknown) => {
    if (takeover.signal.aborted) return;
    state = 'failed';
    logger.error({ err: error }, 'the engine could not take over');
  });

  return {
    config,
    logger,
    store,
    clients,
    engine,
    bot,
    watcher,
    stats,
    periodic,
    get queue() {
      return queue;
    },
    engineState: () => state,
    running,
    metrics,
    health,
    radar,
    stop,
  };
}

/** Runs one step of stopping until `untilMs` (epoch ms) at most: past it, stopping goes on without it. */
async function within(name: string, work: () => Promise<unknown> | undefined, untilMs: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<'time up'>((resolve) => (timer = setTimeout(() => resolve('time up'), Math.max(0, untilMs - Date.now()))));
  try {
    const outcome = await Promise.race([Promise.resolve(work()).then(() => 'done' as const), timeUp]);
    if (outcome === 'time up') logger.warn({ step: name }, 'stopping went on without waiting for this step any longer');
  } catch (error) {
    logger.warn({ err: error, step: name }, 'a step of stopping failed; stopping goes on');
  } finally {
    clearTimeout(timer);
  }
}
