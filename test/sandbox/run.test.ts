import { describe, expect, it } from '@jest/globals';
import { createHook } from 'node:async_hooks';
import { sandboxCommand } from '../../src/cli/sandbox.js';
import { statusCommand } from '../../src/cli/status.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createHerokuClients } from '../../src/ops/heroku/clients.js';
import { createLimits } from '../../src/ops/limits.js';
import { APP_CHANNELS, MAINTENANCE_CHANNEL, SANDBOX_PEOPLE } from '../../src/sandbox/policy.js';
import { startSandbox } from '../../src/sandbox/run.js';

/**
 * `npm run sandbox` without a browser: everything starts on free ports, the env block it prints
 * points the CLI at the simulated Heroku, the page's panel drives that Heroku, and stop() leaves
 * no server or timer behind.
 */

const silent = createLogger({ level: 'silent' });

/** The `export NAME=value` lines of the banner, as a shell would read them. */
function pastedEnv(banner: string): Record<string, string> {
  return Object.fromEntries([...banner.matchAll(/^ {2}export (\w+)=(\S+)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

const refused = (url: string) => fetch(url).then(
  () => false,
  () => true,
);

/**
 * Servers, sockets and timers that `lifetime` created and left alive, with where each was created.
 * Process-wide caches (undici's timer wheel, Node's HTTP date cache) are not anyone's leak.
 */
async function leftBehind(lifetime: () => Promise<void>): Promise<string[]> {
  const alive = new Map<number, string>();
  const depth = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const hook = createHook({
    init: (id, type) => void (['Timeout', 'TCPSERVERWRAP', 'TCPWRAP'].includes(type) && alive.set(id, `${type} ${new Error().stack ?? ''}`)),
    destroy: (id) => void alive.delete(id),
  }).enable();
  try {
    await lifetime();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    hook.disable();
    Error.stackTraceLimit = depth;
  }
  return [...alive.values()].filter((stack) => !/FastTimer|node:internal\/http:/.test(stack));
}

describe('the sandbox', () => {
  it('starts the simulated Heroku, the bot and the Slack page, wired together, and stops every server and timer', async () => {
    const leaks = await leftBehind(async () => {
      const sandbox = await startSandbox({ ports: { page: 0, heroku: 0 }, logger: silent });
      const page = sandbox.urls.page ?? '';
      const state = (await (await fetch(`${page}/ui/state`)).json()) as { channels: Array<{ id: string; name: string }>; people: Array<{ id: string }> };
      expect(state.channels.map((c) => [c.id, c.name])).toEqual([...Object.entries(APP_CHANNELS).map(([app, id]) => [id, app]), [MAINTENANCE_CHANNEL.id, MAINTENANCE_CHANNEL.name]]);
      expect(state.people.map((p) => p.id)).toEqual(Object.values(SANDBOX_PEOPLE).map((p) => p.id));
      expect((await fetch(sandbox.urls.events?.replace('/slack/events', '/healthz') ?? '')).status).toBe(200);
      const events = new AbortController();
      await fetch(`${page}/ui/events`, { signal: events.signal });

      // The bot reads the simulated Heroku: the operator's /connect status shows acme-prod's database.
      const compose = (text: string) =>
        fetch(`${page}/ui/compose`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: SANDBOX_PEOPLE.operator.id, channel: APP_CHANNELS['acme-prod'], text }) });
      await compose('/connect status acme-prod');
      const workspace = sandbox.slack!.workspace;
      const status = await workspace.waitFor(() => workspace.ephemerals({ user: SANDBOX_PEOPLE.operator.id }).find((e) => JSON.stringify(e.blocks).includes('standard-0')));
      expect(JSON.stringify(status.blocks)).toContain('Account');

      // Stopped with a page still following the events, as when Ctrl-C comes with the browser open.
      await sandbox.stop();
      expect(await Promise.all([page, sandbox.urls.heroku, sandbox.urls.events ?? ''].map(refused))).toEqual([true, true, true]);
    });
    expect(leaks).toEqual([]);
  });

  it('lets the page announce maintenance, inject faults and move the simulated clock', async () => {
    const sandbox = await startSandbox({ ports: { page: 0, heroku: 0 }, logger: silent });
    try {
      const act = async (action: unknown) => {
        const response = await fetch(`${sandbox.urls.page}/ui/sandbox`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(action) });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const { world, notices } = sandbox.heroku;
      const HOUR = 3_600_000;

      const start = world.clock.now();
      const announced = await act({ action: 'announce', region: 'Frankfurt', startsInHours: 2, durationMinutes: 30 });
      const [notice] = notices.list();
      expect(notice).toMatchObject({ region: 'Frankfurt', phase: 'scheduled', tags: ['EMEA'] });
      expect(notice!.window!.start % (5 * 60_000)).toBe(0);
      expect(notice!.window!.start - start).toBeGreaterThanOrEqual(2 * HOUR);
      expect(notice!.window!.end - notice!.window!.start).toBe(30 * 60_000);
      expect(announced.body.notices).toEqual([expect.objectContaining({ id: notice!.id, phase: 'scheduled', title: notice!.title })]);

      await act({ action: 'start', id: notice!.id });
      await act({ action: 'complete', id: notice!.id });
      expect(notice!.phase).toBe('completed');
      expect(await act({ action: 'cancel', id: notice!.id })).toMatchObject({ status: 409, body: { error: `${notice!.title} is over already.` } });

      await act({ action: 'faults', rateLimitBurst: 3, errorRate: 0.25, stuckPolling: ['acme-prod'] });
      expect(world.faults.current).toMatchObject({ rateLimitBurst: 3, errorRate: 0.25, stuckPolling: ['acme-prod'] });
      expect(await act({ action: 'faults', stuckPolling: ['nowhere'] })).toMatchObject({ status: 409, body: { error: 'There is no app nowhere in the simulated Heroku.' } });

      // Unannounced trouble, as the page's panel plays it on the simulated Heroku.
      const state = (await act({ action: 'break-mapping', app: 'acme-prod', object: 'Account', field: 'External_ID__c' })).body as { mappings: Record<string, unknown> };
      expect(state.mappings['acme-prod']).toEqual(expect.arrayContaining([{ object: 'Account', fields: expect.arrayContaining(['External_ID__c']) }]));
      expect((await act({ action: 'break-mapping', app: 'acme-prod', object: 'Account', field: 'Nope__c' })).body).toEqual({ error: 'No mapping of acme-prod maps Account.Nope__c.' });
      await act({ action: 'refuse-writes', app: 'acme-prod', count: 2 });
      const acme = [...world.connections.values()].find((c) => world.apps.get('acme-prod')?.id === c.appId);
      expect(acme?.writeErrors).toHaveLength(2);
      await act({ action: 'connection-state', app: 'acme-prod', state: 'NEED_AUTHENTICATION' });
      expect(acme?.state).toBe('NEED_AUTHENTICATION');
      expect((await act({ action: 'connection-state', app: 'initech-api', state: 'SYSTEM_ERROR' })).body).toEqual({ error: 'initech-api has no Heroku Connect connection.' });
      await act({ action: 'api-limit', app: 'globex-prod', exhausted: true });
      expect(world.orgs.get([...world.connections.values()].find((c) => world.apps.get('globex-prod')?.id === c.appId)?.orgId ?? '')?.apiLimitReachedAt).toBeDefined();
      const aged = (await act({ action: 'deprecate-version', major: 16 })).body as { versions: Array<{ major: number; deprecatedAt: string | null }> };
      expect(aged.versions.find((v) => v.major === 16)?.deprecatedAt).toEqual(expect.any(String));
      expect(await act({ action: 'deprecate-version', major: 11 })).toMatchObject({ status: 409, body: { error: 'The simulated Heroku has no Postgres 11.' } });

      const before = world.clock.now();
      const advanced = await act({ action: 'advance', ms: 24 * HOUR });
      expect(Date.parse((advanced.body.clock as { now: string }).now) - before).toBeGreaterThanOrEqual(24 * HOUR);
    } finally {
      await sandbox.stop();
    }
  });

  it('`connect-ops sandbox --no-bot` prints an env block that points the CLI at the simulated Heroku', async () => {
    let banner = '';
    let stop = () => undefined as void;
    let printed = () => undefined as void;
    const bannerPrinted = new Promise<void>((resolve) => (printed = resolve));
    const command = sandboxCommand({
      write: (text) => void (banner += text),
      // Called once the banner is out; the sandbox runs until the promise resolves.
      until: () => {
        printed();
        return new Promise<void>((resolve) => (stop = resolve));
      },
    });
    const done = command.parseAsync(['--no-bot', '--port', '0', '--heroku-port', '0', '--time-scale', '3600'], { from: 'user' });
    await Promise.race([bannerPrinted, done]);
    let url = '';
    try {
      expect(banner).toContain('(no bot: --no-bot)');
      const env = pastedEnv(banner);
      url = env.HEROKU_API_URL ?? '';
      expect(Object.keys(env)).toEqual([
        'HEROKU_API_URL',
        'HEROKU_DATA_API_URL',
        'HEROKU_CONNECT_DISCOVERY_URL',
        'HEROKU_STATUS_URL',
        'SALESFORCE_TRUST_URL',
        'HEROKU_API_KEY',
        'CONNECT_OPS_TIME_SCALE',
      ]);
      expect(env.CONNECT_OPS_TIME_SCALE).toBe('3600');

      const config = loadConfig({ env, require: ['heroku'] });
      const limits = createLimits({ timeScale: config.timeScale });
      const clients = createHerokuClients({
        apiKey: config.heroku.apiKey ?? '',
        apiUrl: config.heroku.apiUrl,
        dataApiUrl: config.heroku.dataApiUrl,
        connectDiscoveryUrl: config.heroku.connectDiscoveryUrl,
        limits,
        logger: silent,
        timeScale: config.timeScale,
      });
      // `npx connect-ops status -a acme-prod` in the other terminal.
      let report = '';
      await statusCommand({ clients: () => clients, write: (text) => void (report += text) }).parseAsync(['-a', 'acme-prod'], { from: 'user' });
      expect(report).toMatch(/^=== acme-prod\n/);
      expect(report).toMatch(/Heroku Connect: herokuconnect-\S+ \((IDLE|POLLING_DB_CHANGES)\)/);
      for (const mapping of ['Account', 'Contact', 'Opportunity', 'Case']) expect(report).toMatch(new RegExp(`\\n  ${mapping} +DATA_SYNCED`));
      expect(report).toMatch(/DATABASE_URL \(\S+\) +standard-0 +PG 15\.\d+ +Available +leader/);
      expect((await fetch(`${config.status.salesforceTrustUrl}/maintenances`)).status).toBe(200);
      await limits.disconnect();
    } finally {
      stop();
      await done;
    }
    expect(banner).toMatch(/Stopping the sandbox…\n$/);
    expect(await refused(url)).toBe(true);
  });
});
