import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRunReader, isFinished, type RunView } from '../../src/ops/engine/index.js';
import { runbooks } from '../../src/ops/runbooks/index.js';
import { startReplicaWorld, type Replica, type ReplicaWorld } from '../../bench/support/replicas.js';
import { CHANNEL, USERS } from '../bot/support/harness.js';
import { postgresAvailable } from '../support/backends.js';

/**
 * Issue 15, part 5, with `DATABASE_URL` (the job queue drives runs): `connect-ops start` gets
 * SIGTERM while one run waits and another's mutation hangs (the simulated Heroku's `hang` fault),
 * exits within Heroku's 25 s, and the process started after it finishes both runs, each mutation
 * reaching Heroku once (the hung one is re-probed once its job expires, as after a crash).
 */

const TIME_SCALE = 30;
const EXIT_WITHIN_MS = 25_000;
const PAUSE_PATH = '^/api/v3/connections/[^/]+/actions/pause$';
const NOT_MUTATIONS = /^\/actions\/addon(-attachment)?s\/resolve$|^\/auth\/|\/authorize_url$/;
const available = await postgresAvailable();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually<T>(find: () => Promise<T | undefined> | T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await find();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: nothing turned up within ${timeoutMs} ms`);
    await sleep(100);
  }
}

(available ? describe : describe.skip)('connect-ops start stops like a Heroku process (Postgres, job queue)', () => {
  let world: ReplicaWorld;

  beforeAll(async () => {
    world = await startReplicaWorld({ timeScale: TIME_SCALE, apps: [{ name: 'boot-a', kind: 'connect' }, { name: 'boot-b', kind: 'connect' }] });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
  }, 60_000);

  it('SIGTERM with a run mid-wait and one mid-action exits within 25 s; the next process finishes both, each pause once', async () => {
    const reader = createRunReader({ store: world.store, runbooks, timeScale: TIME_SCALE });
    const first = await world.start('web.1');
    const health = await fetch(`http://127.0.0.1:${first.port}/healthz`);
    expect(await health.json()).toEqual({ ok: true, engine: 'running' });

    // boot-b waits for IDLE until the test lets it go; boot-a's pause gets no answer (it takes effect).
    world.sim.setFaults({ stuckPolling: ['boot-b'], hang: { method: 'POST', path: PAUSE_PATH, count: 1 } });
    for (const app of ['boot-b', 'boot-a']) expect((await first.driver.command({ user: USERS.operator, channel: CHANNEL, text: `pause ${app}` })).status).toBe(200);
    const waiting = await eventually(async () => {
      const [run] = await reader.listRuns({ app: 'boot-b', limit: 1 });
      return currentStep(run, 'Wait until Heroku Connect is IDLE') && run;
    }, 30_000, 'boot-b waiting for IDLE');
    await eventually(() => world.sim.requests().find((e) => e.method === 'POST' && new RegExp(PAUSE_PATH).test(e.path)), 30_000, 'boot-a’s pause sent');
    const [acting] = await reader.listRuns({ app: 'boot-a', limit: 1 });
    expect(currentStep(acting, 'Pause Heroku Connect')).toBeDefined();

    const exit = await sigterm(first);
    expect(exit.ms).toBeLessThanOrEqual(EXIT_WITHIN_MS);

    world.sim.setFaults({ stuckPolling: [] });
    await world.start('web.2');
    for (const run of [waiting, acting!]) {
      const finished = await eventually(async () => {
        const view = await reader.getRun(run.id);
        return view && isFinished(view.status) ? view : undefined;
      }, 90_000, `${run.app} finished`);
      expect([run.app, finished.status, finished.error]).toEqual([run.app, 'succeeded', undefined]);
    }
    const writes = new Map<string, number>();
    for (const entry of world.sim.requests()) {
      if (entry.method === 'GET' || entry.status >= 300 || NOT_MUTATIONS.test(entry.path)) continue;
      const key = `${entry.method} ${entry.path} ${JSON.stringify(entry.body ?? null)}`;
      writes.set(key, (writes.get(key) ?? 0) + 1);
    }
    expect([...writes].filter(([key]) => /actions\/pause/.test(key)).map(([, n]) => n)).toEqual([1, 1]);
    expect([...writes].filter(([, n]) => n > 1)).toEqual([]);
    process.stdout.write(`boot-and-shutdown (Postgres): SIGTERM to exit with a run mid-wait and one mid-action: ${exit.ms} ms\n`);
  }, 240_000);

  /** SIGTERM, as Heroku sends it; how long the process took to exit. */
  async function sigterm(replica: Replica): Promise<{ ms: number; code: number | null }> {
    const sent = Date.now();
    replica.child.kill('SIGTERM');
    const killer = setTimeout(() => replica.child.kill('SIGKILL'), 30_000);
    const code = await replica.exited;
    clearTimeout(killer);
    world.replicas.splice(world.replicas.indexOf(replica), 1);
    return { ms: Date.now() - sent, code };
  }
});

function currentStep(run: RunView | undefined, title: string) {
  const step = run?.steps.find((s) => s.status !== 'done' && s.status !== 'skipped');
  return step?.title === title ? step : undefined;
}
