import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { RunView, StepView } from '../../../src/ops/engine/index.js';
import type { Consumers, OtherAppBefore, RecordedDatabase } from '../../../src/ops/runbooks/outputs.js';
import { writerLines } from '../../../src/ops/runbooks/reads/writers.js';
import type { RequestLogEntry, World } from '../../../src/sandbox/heroku/index.js';
import { startOneOff } from '../../../src/sandbox/heroku/world/dynos.js';
import { drive } from './support/connect-runs.js';
import { CRASH_TIMEOUT, crashAtEveryTransition, crashMidEveryMutation, transitionsOf } from './support/crash.js';
import { setDatabase } from '../../../src/sandbox/heroku/world/connections.js';
import { CHANGEOVER_TIME_SCALE, connectionOf, startHarness, why, type Harness } from './support/harness.js';

/**
 * Every writer of the database stops for the cutover and starts again after (issue 10, part 3), on
 * the seeded hooli-prod: its web reads the connection pool, its worker DATABASE_URL, a Heroku
 * Scheduler job writes every 10 minutes through maintenance mode, and hooli-reports's worker writes
 * the same database as HOOLI_DB; someone left a `heroku run` console open on hooli-reports.
 */

const DISABLE = 'Disable the jobs in the Heroku Scheduler dashboard';
const ENABLE = 'Enable the jobs again in the Heroku Scheduler dashboard';

interface Case {
  runbook: string;
  params: Record<string, unknown>;
  /** The request after which a write to the old database would be lost. */
  change: RegExp;
  proof: RegExp;
}

const CASES: Case[] = [
  { runbook: 'upgrade', params: { version: 17 }, change: /^POST \/client\/v11\/databases\/[^/]+\/upgrade\/run$/, proof: /^Proof: the platform shows hooli-prod, hooli-reports in maintenance mode/ },
  { runbook: 'upgrade-via-follower', params: { version: 17 }, change: /^POST \/client\/v11\/databases\/[^/]+\/upgrade\/run$/, proof: /^Proof: the follower 0 commits behind covers hooli-prod processes, hooli-reports processes, one-off dynos, Heroku Scheduler jobs on hooli-prod/ },
  { runbook: 'plan-change-via-follower', params: { plan: 'heroku-postgresql:standard-2' }, change: /^PUT \/client\/v11\/databases\/[^/]+\/unfollow$/, proof: /^Proof: the follower 0 commits behind covers/ },
  { runbook: 'copy', params: { plan: 'heroku-postgresql:standard-2' }, change: /^POST \/client\/v11\/databases\/[^/]+\/transfers$/, proof: /^Proof: before and after the change, the platform shows hooli-prod, hooli-reports in maintenance mode/ },
];

const line = (e: RequestLogEntry) => `${e.method} ${e.path}`;
const at = (e: RequestLogEntry) => Date.parse(e.at);

/** The writers (app/writer) that wrote to any database of theirs between two simulated instants. */
function writingBetween(world: World, apps: string[], from: number, to: number): string[] {
  const entries = world.writeLedger.entries();
  return entries.flatMap((entry, i) => {
    if (!apps.includes(entry.app) || entry.addonId === null) return [];
    const next = entries.slice(i + 1).find((e) => e.app === entry.app && e.writer === entry.writer);
    const end = next?.at ?? Number.POSITIVE_INFINITY;
    return entry.at < to && end > from ? [`${entry.app}/${entry.writer}@${world.addons.get(entry.addonId)?.name ?? entry.addonId}`] : [];
  });
}

/** The person at the Scheduler dashboard: jobs off when asked, on again at the end. */
function schedulerPerson(h: Harness, seen: string[] = []) {
  return (_run: RunView, step: StepView) => {
    seen.push(step.title);
    for (const job of app(h, 'hooli-prod').schedulerJobs) {
      if (step.title === DISABLE) job.enabled = false;
      if (step.title === ENABLE) job.enabled = true;
    }
  };
}

function app(h: Harness, name: string) {
  const found = h.world.apps.get(name);
  if (!found) throw new Error(`seed: no ${name}`);
  return found;
}

describe('every writer of the database stops for the cutover', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeScale: CHANGEOVER_TIME_SCALE });
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  for (const c of CASES) {
    it(`${c.runbook}: the plan lists the writers; the other app, one-off dynos and Scheduler stop, nothing writes during the change, and all come back as they were`, () => expectEveryWriterStopped(h, c));
  }
});

/** add-column, at the harness's default scale (its initial loads need it); Heroku Connect reads DATABASE_URL, which it promotes. */
describe('every writer of the database stops for the add-column cutover', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  it('add-column: the plan lists the writers; the other app, one-off dynos and Scheduler stop, nothing writes during the change, and all come back as they were', async () => {
    setDatabase(h.world, connectionOf(h.world, 'hooli-prod'), { db_key: 'DATABASE_URL' });
    await expectEveryWriterStopped(h, {
      runbook: 'add-column',
      params: { object: 'Account', fields: ['Region__c'] },
      // The promote: from there a write to the old database would stay behind.
      change: /^POST \/addon-attachments$/,
      proof: /^Proof: the platform shows hooli-prod, hooli-reports in maintenance mode/,
    });
  });
});

async function expectEveryWriterStopped(h: Harness, c: Case): Promise<void> {
  const consoleDyno = startOneOff(h.world, app(h, 'hooli-reports'), { command: 'bin/rails console', configVar: 'HOOLI_DB_URL' });
  const manual: string[] = [];
  const onManual = schedulerPerson(h, manual);
  const started = await h.start(c.runbook, 'hooli-prod', c.params);
  const run = await drive(h, started.id, { onManual });
  expect(why(run)).toBe('succeeded');

  // The plan: who stops, and what the proof covers.
  const consumers = run.outputs.consumers as Consumers;
  const plan = writerLines(consumers, 'hooli-prod', run.steps.map((s) => s.title));
  expect(plan[0]).toContain('hooli-prod (maintenance mode, worker=1 scaled to 0), hooli-reports (maintenance mode, worker=1 scaled to 0)');
  expect(plan[0]).toContain(`${consoleDyno.name} on hooli-reports`);
  expect(plan[0]).toContain('Heroku Scheduler jobs on hooli-prod disabled by hand');
  expect(plan).toContainEqual(expect.stringMatching(c.proof));

  // The Scheduler by hand, before writes stop and after they start again.
  expect(manual.filter((t) => t === DISABLE || t === ENABLE)).toEqual([DISABLE, ENABLE]);
  expect(app(h, 'hooli-prod').schedulerJobs.every((j) => j.enabled)).toBe(true);

  // The other app, as it was, recorded for a restart to restore the same.
  expect(run.outputs.otherApps as OtherAppBefore[]).toEqual([{ app: 'hooli-reports', maintenance: false, formation: [{ type: 'worker', quantity: 1 }] }]);
  const reports = app(h, 'hooli-reports');
  expect(reports.maintenance).toBe(false);
  expect(reports.formation.map((f) => [f.type, f.quantity])).toEqual([['web', 1], ['worker', 1]]);
  const hooli = app(h, 'hooli-prod');
  expect(hooli.maintenance).toBe(false);
  expect(hooli.formation.map((f) => [f.type, f.quantity])).toEqual([['web', 2], ['worker', 1], ['release', 0]]);

  // Each change to the other app once, in order; each one-off dyno stopped once, the console among them.
  const mutations = h.mutations();
  expect(mutations.filter((e) => e.path.startsWith('/apps/hooli-reports')).map(line)).toEqual([
    'PATCH /apps/hooli-reports',
    'PATCH /apps/hooli-reports/formation',
    `POST /apps/hooli-reports/dynos/${consoleDyno.name}/actions/stop`,
    'PATCH /apps/hooli-reports/formation',
    'PATCH /apps/hooli-reports',
  ]);
  const stops = mutations.filter((e) => e.path.endsWith('/actions/stop')).map(line);
  expect(new Set(stops).size).toBe(stops.length);
  expect(run.outputs.stoppedDynos).toContainEqual({ app: 'hooli-reports', name: consoleDyno.name, type: 'run' });
  expect(reports.dynos).toEqual([]);

  // From the change until writes start again, no writer of either app wrote anywhere: the old database got nothing.
  const change = mutations.find((e) => c.change.test(line(e)));
  // Writes start again with the first scale back (workers come back before maintenance mode goes off).
  const restart = mutations.find((e) => change !== undefined && at(e) >= at(change) && /^PATCH \/apps\/hooli-(prod|reports)(\/formation)?$/.test(line(e)));
  if (!change || !restart) throw new Error(`no change or restart in ${mutations.map(line).join(', ')}`);
  expect(at(change)).toBeLessThan(at(restart));
  expect(writingBetween(h.world, ['hooli-prod', 'hooli-reports'], at(change), at(restart))).toEqual([]);
  const old = (run.outputs.database as RecordedDatabase).addonId;
  expect(h.world.writeLedger.writersOf(old, at(change)).filter((w) => w.at < at(restart))).toEqual([]);
  // And once every name moved, nothing wrote to the old database after the change, to this day (in place, it is the same database).
  if (c.runbook !== 'upgrade') expect(h.world.writeLedger.writersOf(old, at(change))).toEqual([]);
}

/**
 * The writers' steps under crashes, on hooli-prod (an upgrade via follower): killed in the middle of
 * every mutation (after Heroku received it, before the engine recorded it) and at every step
 * boundary, resumed by a new engine on the same store: every change to every app, and every stop of
 * a one-off dyno, is in the request log once, and the other app comes back as it was recorded.
 */
describe('stopping every writer under crashes', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  function expectStoppedAndRestoredOnce(harness: Harness, consoleName: string) {
    const reports = app(harness, 'hooli-reports');
    expect(reports.maintenance).toBe(false);
    expect(reports.formation.map((f) => [f.type, f.quantity])).toEqual([['web', 1], ['worker', 1]]);
    expect(app(harness, 'hooli-prod').formation.map((f) => [f.type, f.quantity])).toEqual([['web', 2], ['worker', 1], ['release', 0]]);
    const mutations = harness.mutations().map(line);
    expect(mutations.filter((m) => m.startsWith('PATCH /apps/hooli-reports') || m.startsWith('POST /apps/hooli-reports'))).toEqual([
      'PATCH /apps/hooli-reports',
      'PATCH /apps/hooli-reports/formation',
      `POST /apps/hooli-reports/dynos/${consoleName}/actions/stop`,
      'PATCH /apps/hooli-reports/formation',
      'PATCH /apps/hooli-reports',
    ]);
    expect(mutations.filter((m) => /^PATCH \/apps\/hooli-prod(\/formation)?$/.test(m))).toEqual([
      'PATCH /apps/hooli-prod',
      'PATCH /apps/hooli-prod/formation',
      'PATCH /apps/hooli-prod/formation',
      'PATCH /apps/hooli-prod',
    ]);
    const stops = mutations.filter((m) => m.endsWith('/actions/stop'));
    expect(new Set(stops).size).toBe(stops.length);
  }

  it('sends each change once after a crash in the middle of every mutation', async () => {
    h = await startHarness({ timeScale: CHANGEOVER_TIME_SCALE });
    const harness = h;
    const mid = crashMidEveryMutation(harness);
    const consoleDyno = startOneOff(harness.world, app(harness, 'hooli-reports'), { command: 'bin/rails console', configVar: 'HOOLI_DB_URL' });
    const started = await harness.start('upgrade-via-follower', 'hooli-prod', { version: 17 });
    const run = await drive(harness, started.id, { crash: mid.crash, onManual: schedulerPerson(harness) });
    expect(why(run)).toBe('succeeded');
    expect(mid.crashed).toEqual(expect.arrayContaining(['platform.setMaintenance', 'platform.updateFormation', 'platform.stopDyno']));
    expectStoppedAndRestoredOnce(harness, consoleDyno.name);
  }, CRASH_TIMEOUT);

  it('resumes after a crash at every step boundary and sends each change once', async () => {
    const { crash, crashedAt } = crashAtEveryTransition();
    h = await startHarness({ timeScale: CHANGEOVER_TIME_SCALE, engine: { onTransition: crash.onTransition } });
    const harness = h;
    const consoleDyno = startOneOff(harness.world, app(harness, 'hooli-reports'), { command: 'bin/rails console', configVar: 'HOOLI_DB_URL' });
    const started = await harness.start('upgrade-via-follower', 'hooli-prod', { version: 17 });
    const run = await drive(harness, started.id, { crash, onManual: schedulerPerson(harness) });
    expect(why(run)).toBe('succeeded');
    expect([...crashedAt].sort()).toEqual(transitionsOf(run).sort());
    expectStoppedAndRestoredOnce(harness, consoleDyno.name);
  }, CRASH_TIMEOUT);
});

describe('rolling back after the writers stopped', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeScale: CHANGEOVER_TIME_SCALE });
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  it('brings the other app back as recorded, its maintenance mode and formation, from the run outputs', async () => {
    // Heroku Connect stays busy: the run holds before the pause, with every writer stopped.
    h.sim.setFaults({ stuckPolling: ['hooli-prod'] });
    const started = await h.start('copy', 'hooli-prod', { plan: 'heroku-postgresql:standard-2' });
    const onManual = schedulerPerson(h);
    await h.approve(await h.waitFor(started.id, ['awaiting_approval']));
    const manual = await h.waitFor(started.id, ['awaiting_manual']);
    const step = manual.steps.find((s) => s.status === 'held');
    if (!step) throw new Error(`no manual step held: ${why(manual)}`);
    onManual(manual, step);
    await h.engine.completeManualStep({ runId: started.id, stepIdx: step.idx, userId: 'U_APPROVER' });
    await h.waitForStep(started.id, 'Wait until Heroku Connect is IDLE', (s) => s.status === 'waiting');
    const reports = app(h, 'hooli-reports');
    expect(reports.maintenance).toBe(true);
    expect(reports.formation.find((f) => f.type === 'worker')?.quantity).toBe(0);

    const { run } = await h.engine.cancel({ runId: started.id, userId: 'U_OPERATOR' });
    expect(run?.rollback?.steps.map((s) => s.title)).toEqual([
      'Scale the other apps back to their recorded formation',
      'Turn maintenance mode off again on the other apps that had it off',
      'Scale the worker dynos back to the recorded formation',
      'Turn maintenance mode off',
      // The person who disabled the Scheduler jobs enables them again once writes are back (issue 10: the rollback names the manual step).
      'Enable the jobs again in the Heroku Scheduler dashboard',
      'Destroy the new database',
    ]);
    expect(app(h, 'hooli-prod').schedulerJobs.every((j) => !j.enabled)).toBe(true);
    h.sim.setFaults({ stuckPolling: [] });
    const rollback = await drive(h, (await h.engine.rollback({ runId: started.id, userId: 'U_OPERATOR' })).id);
    expect(why(rollback)).toBe('succeeded');
    expect(rollback.steps.filter((s) => s.kind === 'manual').map((s) => [s.title, s.status])).toEqual([['Enable the jobs again in the Heroku Scheduler dashboard', 'done']]);
    expect(app(h, 'hooli-prod').schedulerJobs.every((j) => j.enabled)).toBe(true);
    expect(reports.maintenance).toBe(false);
    expect(reports.formation.map((f) => [f.type, f.quantity])).toEqual([['web', 1], ['worker', 1]]);
    expect(app(h, 'hooli-prod').maintenance).toBe(false);
    expect(app(h, 'hooli-prod').formation.map((f) => [f.type, f.quantity])).toEqual([['web', 2], ['worker', 1], ['release', 0]]);
  });
});
