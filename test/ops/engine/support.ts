import { z } from 'zod';
import { createLogger } from '../../../src/log.js';
import { createEngine } from '../../../src/ops/engine/index.js';
import type { Engine, EngineEvent, EngineOptions, RunObserver, RunView } from '../../../src/ops/engine/index.js';
import { action, approval, check, manual, runbook, runbookRegistry, wait, type Runbook, type StepContext } from '../../../src/ops/runbooks/runbook.js';
import type { Store } from '../../../src/store/index.js';

/** An error as the Heroku clients throw it: HTTP status, Heroku's error id, message and request id. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    readonly requestId = 'req-1',
  ) {
    super(message);
  }
}

type Mutation = 'createFollower' | 'destroyFollower' | 'maintenanceOn' | 'maintenanceOff' | 'scaleDown' | 'scaleUp' | 'pause' | 'resume';

/**
 * A Heroku app in memory: its state, how often each mutation took effect, and how often probes ran.
 * A queued failure makes the next call of that name throw, before or after the mutation applies.
 */
export class FakeApp {
  maintenance = false;
  connection: 'IDLE' | 'PAUSED' = 'IDLE';
  workers = 3;
  followers = new Map<string, { polls: number }>();
  /** Polls until a follower is available. */
  followerReadyAfter = 2;
  applied: Record<Mutation, number> = {
    createFollower: 0, destroyFollower: 0, maintenanceOn: 0, maintenanceOff: 0, scaleDown: 0, scaleUp: 0, pause: 0, resume: 0,
  };
  probes = 0;
  private readonly failures: Array<{ name: string; error: Error; after: boolean }> = [];

  failNext(name: Mutation | 'probe', error: Error, options: { after?: boolean } = {}): void {
    this.failures.push({ name, error, after: options.after ?? false });
  }

  async mutate(name: Mutation, apply: () => void): Promise<void> {
    const failure = this.take(name);
    if (failure && !failure.after) throw failure.error;
    apply();
    this.applied[name] += 1;
    if (failure) throw failure.error;
  }

  async probe<T>(read: () => T): Promise<T> {
    this.probes += 1;
    const failure = this.take('probe');
    if (failure) throw failure.error;
    return read();
  }

  private take(name: string) {
    const i = this.failures.findIndex((f) => f.name === name);
    return i === -1 ? undefined : this.failures.splice(i, 1)[0];
  }
}

export interface Deps {
  apps: Map<string, FakeApp>;
}

type Ctx = StepContext<Deps, { app: string }>;
const appOf = (ctx: Ctx): FakeApp => {
  const app = ctx.deps.apps.get(ctx.app);
  if (!app) throw new HttpError(404, 'not_found', `Couldn't find that app.`);
  return app;
};
const followerName = (runId: string) => `follower-${runId}`;

const appParams = z.object({ app: z.string().regex(/^[a-z][a-z0-9-]+$/, { error: 'must be a Heroku app name' }) });

/** A changeover in miniature: every kind of step, outputs passed along, undo for each mutation. */
export const changeover: Runbook<Deps, { app: string }> = runbook({
  name: 'changeover',
  summary: 'Move the app to a new follower, with maintenance mode around the cutover',
  params: appParams,
  steps: () => [
    check('the app exists', async (ctx) => {
      appOf(ctx);
      return { ok: true };
    }, { calls: ['GET /apps/{app}'] }),
    action('create the follower', {
      do: async (ctx) => {
        const name = followerName(ctx.runId);
        await appOf(ctx).mutate('createFollower', () => appOf(ctx).followers.set(name, { polls: 0 }));
        await ctx.record('follower', name);
      },
      // The name is derived from the run id, so the probe finds it after a crash, and records it.
      done: async (ctx) => {
        const name = followerName(ctx.runId);
        const found = await appOf(ctx).probe(() => appOf(ctx).followers.has(name));
        if (found) await ctx.record('follower', name);
        return found;
      },
      calls: ['POST /apps/{app}/addons {"plan": "heroku-postgresql:standard-0"}'],
      undo: {
        title: 'destroy the follower',
        do: (ctx) => appOf(ctx).mutate('destroyFollower', () => appOf(ctx).followers.delete(String(ctx.outputs.follower))),
        done: (ctx) => appOf(ctx).probe(() => !appOf(ctx).followers.has(String(ctx.outputs.follower))),
        calls: ['DELETE /apps/{app}/addons/{follower}'],
      },
    }),
    wait('the follower is available', async (ctx) => {
      const follower = appOf(ctx).followers.get(String(ctx.outputs.follower));
      if (!follower) throw new HttpError(404, 'not_found', 'Couldn\'t find that add-on.');
      const polls = await appOf(ctx).probe(() => ++follower.polls);
      const ready = polls >= appOf(ctx).followerReadyAfter;
      return ready ? { done: true } : { done: false, progress: `${polls} polls`, near: true };
    }, { every: '10s', timeout: '1h', expect: ['5m', '20m'] }),
    approval('cutover'),
    action('turn maintenance mode on', {
      do: (ctx) => appOf(ctx).mutate('maintenanceOn', () => (appOf(ctx).maintenance = true)),
      done: (ctx) => appOf(ctx).probe(() => appOf(ctx).maintenance),
      calls: ['PATCH /apps/{app} {"maintenance": true}'],
      downtime: 'starts',
      undo: {
        title: 'turn maintenance mode off',
        do: (ctx) => appOf(ctx).mutate('maintenanceOff', () => (appOf(ctx).maintenance = false)),
        done: (ctx) => appOf(ctx).probe(() => !appOf(ctx).maintenance),
        calls: ['PATCH /apps/{app} {"maintenance": false}'],
      },
    }),
    action('scale the workers to 0', {
      // The formation is recorded before it changes, so a crash cannot lose what to restore.
      do: async (ctx) => {
        await ctx.record('workers', appOf(ctx).workers);
        await appOf(ctx).mutate('scaleDown', () => (appOf(ctx).workers = 0));
      },
      done: (ctx) => appOf(ctx).probe(() => appOf(ctx).workers === 0),
      calls: ['PATCH /apps/{app}/formation {"updates": [{"type": "worker", "quantity": 0}]}'],
      undo: {
        title: 'restore the worker formation',
        do: (ctx) => appOf(ctx).mutate('scaleUp', () => (appOf(ctx).workers = Number(ctx.outputs.workers))),
        done: (ctx) => appOf(ctx).probe(() => appOf(ctx).workers === Number(ctx.outputs.workers)),
        calls: ['PATCH /apps/{app}/formation {"updates": [{"type": "worker", "quantity": {workers}}]}'],
      },
    }),
    wait('the database has caught up', async () => ({ done: true }), { every: '10s', timeout: '30m', expect: ['1m', '10m'] }),
    action('turn maintenance mode off', {
      do: (ctx) => appOf(ctx).mutate('maintenanceOff', () => (appOf(ctx).maintenance = false)),
      done: (ctx) => appOf(ctx).probe(() => !appOf(ctx).maintenance),
      calls: ['PATCH /apps/{app} {"maintenance": false}'],
      downtime: 'ends',
    }),
  ],
});

/** Pause, confirm by hand, resume: an action, a manual step, an action. */
export const pauseResume: Runbook<Deps, { app: string }> = runbook({
  name: 'pause-resume',
  summary: 'Pause Heroku Connect while someone does something by hand',
  params: appParams,
  steps: () => [
    action('pause Heroku Connect', {
      do: (ctx) => appOf(ctx).mutate('pause', () => (appOf(ctx).connection = 'PAUSED')),
      done: (ctx) => appOf(ctx).probe(() => appOf(ctx).connection === 'PAUSED'),
      calls: ['POST /api/v3/connections/{cid}/actions/pause'],
      undo: {
        title: 'resume Heroku Connect',
        do: (ctx) => appOf(ctx).mutate('resume', () => (appOf(ctx).connection = 'IDLE')),
        done: (ctx) => appOf(ctx).probe(() => appOf(ctx).connection !== 'PAUSED'),
        calls: ['POST /api/v3/connections/{cid}/actions/resume'],
      },
    }),
    manual('authorize Salesforce', async (ctx) => `Open https://connect.example/${ctx.app}/authorize and log in.`),
    action('resume Heroku Connect', {
      do: (ctx) => appOf(ctx).mutate('resume', () => (appOf(ctx).connection = 'IDLE')),
      done: (ctx) => appOf(ctx).probe(() => appOf(ctx).connection !== 'PAUSED'),
      calls: ['POST /api/v3/connections/{cid}/actions/resume'],
    }),
  ],
});

export const registry = runbookRegistry<Deps>(changeover, pauseResume);

/** Collects every observer event. */
export class Recorder implements RunObserver {
  readonly events: EngineEvent[] = [];
  onEvent(event: EngineEvent): void {
    this.events.push(event);
  }
  types(runId: string): string[] {
    return this.events.filter((e) => e.run.id === runId).map((e) => e.type);
  }
  /** Deliveries trail the store a little: waits until the run's event of this type arrived. */
  async seen(runId: string, type: string, timeoutMs = 2000): Promise<EngineEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.events.find((e) => e.run.id === runId && e.type === type);
      if (event) return event;
      if (Date.now() > deadline) throw new Error(`no ${type} event for ${runId}; saw ${this.types(runId).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

export const silent = createLogger({ level: 'silent' });

export function buildEngine(store: Store, apps: Map<string, FakeApp>, options: Partial<EngineOptions<Deps>> = {}): Engine {
  return createEngine<Deps>({ store, runbooks: registry, deps: { apps }, logger: silent, timeScale: 1000, ...options });
}

/** Polls the store until the run satisfies `predicate`; fails with the run's last state otherwise. */
export async function until(engine: Engine, runId: string, predicate: (run: RunView) => boolean, timeoutMs = 4000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await engine.getRun(runId);
    if (run && predicate(run)) return run;
    if (Date.now() > deadline) {
      throw new Error(`run ${runId} did not get there in time; it is ${run?.status}: ${JSON.stringify(run?.steps.map((s) => [s.title, s.status]))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const statusIs = (...statuses: string[]) => (run: RunView) => statuses.includes(run.status);

export const startChangeover = (engine: Engine, app: string, overrides: Partial<Parameters<Engine['start']>[0]> = {}) =>
  engine.start({
    runbook: 'changeover',
    app,
    requestedBy: 'U0REQUEST',
    channel: 'C0OPS',
    approvalsRequired: 1,
    approvalTimeoutMs: 4 * 3_600_000,
    ...overrides,
  });
