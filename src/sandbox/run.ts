import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUNBOOK_SHORTCUT } from '../bot/app.js';
import { loadConfig } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { startConnectOps, type ConnectOps } from '../main.js';
import { ApiError } from './heroku/errors.js';
import { startSimulatedHeroku, type SimulatedHeroku } from './heroku/index.js';
import { findApp } from './heroku/world/apps.js';
import { failConnection } from './heroku/world/connections.js';
import { SUPPORTED_VERSIONS } from './heroku/world/databases.js';
import { deleteSalesforceField, exhaustApiCalls, refuseWrites } from './heroku/world/trouble.js';
import { sandboxPeople, sandboxPolicy, seedSandboxWorkspace } from './policy.js';
import { PanelError, SlackWorkspace, startSlackStandIn, type PanelState, type SandboxPanel, type SlackStandIn } from './slack/index.js';

/**
 * `npm run sandbox`: the simulated Heroku (seed scenario, time-scaled), the bot itself as
 * `connect-ops start` runs it (Bolt over HTTP, embedded store, engine, maintenance watcher), and
 * the Slack stand-in with its page, wired together on loopback. Nothing outside the machine.
 */

/** Fixed so the printed env block stays the same from one start to the next; 0 picks a free port. */
export const DEFAULT_PORTS = { page: 4000, heroku: 4001 } as const;

/**
 * Simulated ms per real ms. At 600 the seeded `upgrade acme-prod` prepares in about 20 s and runs
 * in seconds once approved, a follower catches up in about half a minute, and a maintenance
 * announced 3 simulated hours ahead starts 18 s later.
 */
export const DEFAULT_TIME_SCALE = 600;

export interface SandboxOptions {
  /** The page (Slack stand-in), the simulated Heroku and the bot's HTTP port (a free one by default). */
  ports?: { page?: number; heroku?: number; bot?: number };
  timeScale?: number;
  /** false: the simulated Heroku alone, for the CLI (`connect-ops sandbox --no-bot`). */
  bot?: boolean;
  /** The bot's logger; warnings and errors only by default. */
  logger?: Logger;
}

export interface Sandbox {
  heroku: SimulatedHeroku;
  /** The Slack stand-in and the bot; absent with `bot: false`. */
  slack?: SlackStandIn;
  connectOps?: ConnectOps;
  urls: { heroku: string; page?: string; events?: string };
  /** What `connect-ops` needs in another terminal to work against the simulated Heroku. */
  env: Record<string, string>;
  timeScale: number;
  /** Stops the bot (in-flight steps reach a persisted point), then the servers; removes the bot's data. */
  stop(): Promise<void>;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The watcher reads the simulated status feeds every five seconds. */
const MAINTENANCE_CRON = '*/5 * * * * *';

/** Regions the panel can announce a maintenance for, with the tag Heroku's status items carry for each. */
const REGION_TAGS: Record<string, string> = { Virginia: 'NA', Oregon: 'NA', Dublin: 'EMEA', Frankfurt: 'EMEA', Tokyo: 'APAC' };

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const timeScale = options.timeScale ?? DEFAULT_TIME_SCALE;
  const cleanup: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    const heroku = await startSimulatedHeroku({ port: options.ports?.heroku ?? DEFAULT_PORTS.heroku, timeScale, seed: 'default' });
    cleanup.push(() => heroku.close());
    const env = cliEnv(heroku, timeScale);
    const sandbox: Sandbox = { heroku, urls: { heroku: heroku.url }, env, timeScale, stop };
    if (options.bot === false) return sandbox;

    const workspace = new SlackWorkspace();
    seedSandboxWorkspace(workspace);
    const botToken = `xoxb-sandbox-${randomBytes(8).toString('hex')}`;
    const signingSecret = randomBytes(16).toString('hex');
    const slack = await startSlackStandIn({
      workspace,
      botToken,
      port: options.ports?.page ?? DEFAULT_PORTS.page,
      web: { people: sandboxPeople(), panel: herokuPanel(heroku), shortcuts: [{ name: 'Run a runbook', callbackId: RUNBOOK_SHORTCUT }] },
    });
    cleanup.push(() => slack.close());

    const dataDir = await mkdtemp(join(tmpdir(), 'connect-ops-sandbox-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const config = loadConfig({
      env: {
        ...env,
        SLACK_BOT_TOKEN: botToken,
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: slack.apiUrl,
        PORT: String(options.ports?.bot ?? 0),
        CONNECT_OPS_DATA_DIR: dataDir,
        MAINTENANCE_CRON,
      },
      require: ['slack', 'heroku'],
      readPolicy: () => sandboxPolicy({ timeScale }),
    });
    const connectOps = await startConnectOps(config, {
      logger: options.logger ?? createLogger({ level: 'warn' }),
      botIdentity: { botId: workspace.bot.botId, botUserId: workspace.bot.id },
      // The status feeds speak simulated time, so the watcher judges windows by the simulated clock.
      maintenanceClock: () => new Date(heroku.world.clock.now()),
    });
    cleanup.push(() => connectOps.stop());
    const events = `http://127.0.0.1:${connectOps.bot.port()}/slack/events`;
    slack.connectBot({ eventsUrl: events, signingSecret });
    return { ...sandbox, slack, connectOps, urls: { heroku: heroku.url, page: slack.url, events } };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The env block: every Heroku base URL on the simulated Heroku, its token, and the time scale. */
function cliEnv(heroku: SimulatedHeroku, timeScale: number): Record<string, string> {
  return {
    HEROKU_API_URL: heroku.url,
    HEROKU_DATA_API_URL: heroku.url,
    HEROKU_CONNECT_DISCOVERY_URL: heroku.url,
    HEROKU_STATUS_URL: heroku.url,
    SALESFORCE_TRUST_URL: `${heroku.url}/v1`,
    HEROKU_API_KEY: heroku.token,
    CONNECT_OPS_TIME_SCALE: String(timeScale),
  };
}

/** The page's sandbox panel, on the simulated Heroku's clock, notice board and faults. */
function herokuPanel(heroku: SimulatedHeroku): SandboxPanel {
  const { world, notices } = heroku;
  const state = (): PanelState => {
    const faults = world.faults.current;
    return {
      clock: { now: world.clock.iso(), timeScale: world.clock.timeScale },
      apps: [...world.apps.keys()],
      regions: Object.keys(REGION_TAGS),
      notices: notices
        .list()
        .filter((n) => n.kind === 'maintenance')
        .map((n) => ({
          id: n.id,
          title: n.title,
          phase: n.phase,
          region: n.region ?? null,
          start: n.window ? new Date(n.window.start).toISOString() : null,
          end: n.window ? new Date(n.window.end).toISOString() : null,
        })),
      faults: { rateLimitBurst: faults.rateLimitBurst, errorRate: faults.errorRate, stuckPolling: faults.stuckPolling },
      mappings: Object.fromEntries(
        [...world.apps.values()].map((app) => [
          app.name,
          [...world.connections.values()].filter((c) => c.appId === app.id).flatMap((c) => c.mappings.map((m) => ({ object: m.objectName, fields: Object.keys(m.config.fields) }))),
        ]),
      ),
      versions: SUPPORTED_VERSIONS.map((major) => {
        const deprecation = world.versions.deprecation(major);
        return { major, deprecatedAt: deprecation ? world.clock.iso(deprecation.deprecatedAt) : null, forcedUpgradesFrom: deprecation ? world.clock.iso(deprecation.forcedUpgradesFrom) : null };
      }),
    };
  };
  /** Heroku's refusals (an unknown field, an app without a connection) are the page's to show. */
  const play = (act: () => void) => {
    try {
      act();
    } catch (error) {
      if (error instanceof ApiError) throw new PanelError(error.message);
      throw error;
    }
  };
  const connectionsOf = (name: string) => {
    const app = world.apps.get(name);
    if (!app) throw new PanelError(`There is no app ${name} in the simulated Heroku.`);
    return [...world.connections.values()].filter((c) => c.appId === app.id);
  };
  return {
    state,
    apply(action) {
      switch (action.action) {
        case 'advance':
          world.advance(action.ms);
          break;
        case 'announce': {
          // On a five-minute mark, as Heroku announces them.
          const start = Math.ceil((world.clock.now() + action.startsInHours * HOUR) / (5 * MINUTE)) * 5 * MINUTE;
          const tag = REGION_TAGS[action.region];
          if (!tag) throw new PanelError(`Announce for one of ${Object.keys(REGION_TAGS).join(', ')}.`);
          notices.announce({ window: { start, end: start + action.durationMinutes * MINUTE }, region: action.region, tags: [tag] });
          break;
        }
        case 'break-mapping':
          play(() => deleteSalesforceField(world, findApp(world, action.app), action.object, action.field));
          break;
        case 'refuse-writes':
          play(() => refuseWrites(world, findApp(world, action.app), undefined, action.count));
          break;
        case 'connection-state': {
          const connections = connectionsOf(action.app);
          if (connections.length === 0) throw new PanelError(`${action.app} has no Heroku Connect connection.`);
          for (const connection of connections) failConnection(world, connection, action.state);
          break;
        }
        case 'api-limit':
          play(() => exhaustApiCalls(world, findApp(world, action.app), action.exhausted));
          break;
        case 'deprecate-version':
          if (!SUPPORTED_VERSIONS.includes(action.major)) throw new PanelError(`The simulated Heroku has no Postgres ${action.major}.`);
          world.versions.deprecate(action.major, world.clock.now());
          break;
        case 'faults': {
          const { action: _, ...faults } = action;
          const unknown = faults.stuckPolling?.find((app) => !world.apps.has(app));
          if (unknown) throw new PanelError(`There is no app ${unknown} in the simulated Heroku.`);
          heroku.setFaults(faults);
          break;
        }
        default: {
          const notice = notices.get(action.id);
          if (!notice) throw new PanelError(`There is no notice ${action.id}.`);
          if (notice.resolved) throw new PanelError(`${notice.title} is over already.`);
          notice[action.action]();
        }
      }
      return state();
    },
  };
}
