import { expect } from '@jest/globals';
import { isFinished, type RunView, type StepView } from '../../../../src/ops/engine/index.js';
import { ApiError } from '../../../../src/sandbox/heroku/errors.js';
import type { Consumers } from '../../../../src/ops/runbooks/outputs.js';
import type { RequestLogEntry, World } from '../../../../src/sandbox/heroku/index.js';
import type { Connection } from '../../../../src/sandbox/heroku/world/connections.js';
import type { Mapping } from '../../../../src/sandbox/heroku/world/mappings.js';
import { setMaintenance } from '../../../../src/sandbox/heroku/world/apps.js';
import { scale } from '../../../../src/sandbox/heroku/world/formation.js';
import type { Crash } from './crash.js';
import { addOnAttachedAs, APPROVER, type Harness } from './harness.js';

/**
 * Driving the Heroku Connect runbooks (reload, recreate, field-change, add-column) in tests: they
 * have manual steps besides approvals, and the Salesforce login one needs the simulated person who
 * opens the link and logs in.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Simulated ms per real ms for runs under injected faults: slower than the harness's default, as
 * each poll then takes several requests and a simulated timeout must not pass in a few real ms.
 */
export const FAULTS_TIME_SCALE = 3_000;

/** Plays the operator: logs in to Salesforce when asked to, and confirms every manual step. */
export async function doManualStep(h: Harness, run: RunView): Promise<void> {
  const step = run.steps.find((s) => s.kind === 'manual' && s.status === 'held');
  if (!step) return;
  if (/Salesforce/.test(step.title)) {
    try {
      h.sim.authorizeSalesforce(run.app);
    } catch (error) {
      // Already logged in before a crash: nothing waits for authorization any more.
      if (!(error instanceof ApiError && error.status === 409)) throw error;
    }
  }
  // The Scheduler dashboard (no API): the person switches the jobs of every app the plan listed off, and on again at the end.
  if (/^(Disable|Enable) the jobs .*Heroku Scheduler dashboard$/.test(step.title)) {
    const apps = ((run.outputs.consumers as Consumers | undefined)?.schedulers ?? []).map((s) => s.app);
    for (const app of apps) for (const job of h.world.apps.get(app)?.schedulerJobs ?? []) job.enabled = step.title.startsWith('Enable');
  }
  const abort = /^Abort the initial load of (.+) in the new connection$/.exec(step.title);
  for (const object of abort?.[1]?.split(', ') ?? []) {
    try {
      h.sim.abortMappingLoad(run.app, object);
    } catch (error) {
      // Aborted before a crash, or loaded already: nothing loads it any more.
      if (!(error instanceof ApiError && error.status === 409)) throw error;
    }
  }
  await h.engine.completeManualStep({ runId: run.id, stepIdx: step.idx, userId: APPROVER });
}

/**
 * Drives a run to its end: approves approvals, performs manual steps (unless `stopAt` names a
 * status to hand back at), and restarts the engine whenever `crash` says one happened.
 */
export async function drive(
  h: Harness,
  runId: string,
  options: { crash?: Crash; stopAt?: 'awaiting_approval' | 'awaiting_manual'; onManual?: (run: RunView, step: StepView) => void | Promise<void> } = {},
): Promise<RunView> {
  const { crash } = options;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (crash?.happened) {
      crash.happened = false;
      crash.count += 1;
      await h.restartEngine({ abandoned: crash.abandoned, onTransition: crash.onTransition });
      continue;
    }
    const run = await h.engine.getRun(runId);
    if (!run) throw new Error(`no run ${runId}`);
    if (isFinished(run.status) || run.status === options.stopAt) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} is still ${run.status} after 60 s`);
    if (run.status === 'awaiting_approval') await h.engine.approve({ runId, userId: APPROVER, planHash: run.planHash }).catch(() => undefined);
    if (run.status === 'awaiting_manual') {
      const step = run.steps.find((s) => s.kind === 'manual' && s.status === 'held');
      if (step && options.onManual) await options.onManual(run, step);
      await doManualStep(h, run);
    }
    await sleep(5);
  }
}

/** Starts a runbook and drives it to its end. */
export async function runToEnd(h: Harness, runbook: string, app: string, params: Record<string, unknown> = {}): Promise<RunView> {
  return drive(h, (await h.start(runbook, app, params)).id);
}

/** What the runbooks' checks want before a recreate: maintenance mode on and the workers at 0. */
export function stopWrites(world: World, appName: string): void {
  const app = world.apps.get(appName);
  if (!app) throw new Error(`no app ${appName}`);
  setMaintenance(world, app, true);
  scale(world, app, app.formation.filter((f) => f.type !== 'web').map((f) => ({ type: f.type, quantity: 0 })));
}

/** Asking Heroku Connect for a Salesforce login link changes nothing, though it is a POST. */
const LOGIN_LINK = /\/authorize_url$/;

/** The requests that changed something, as `METHOD path`. */
export function changes(h: Harness): string[] {
  return h
    .mutations()
    .filter((r: RequestLogEntry) => !LOGIN_LINK.test(r.path))
    .map((r) => `${r.method} ${r.path}`);
}

/** The step titled `title` (to assert on its status and attempts). */
export function stepOf(run: RunView, title: string | RegExp) {
  const step = run.steps.find((s) => (typeof title === 'string' ? s.title === title : title.test(s.title)));
  if (!step) throw new Error(`run ${run.id} has no step ${String(title)}`);
  return step;
}

/** The simulated connections of an app, oldest first. */
export function connectionsOf(world: World, appName: string): Connection[] {
  const app = world.apps.get(appName);
  return [...world.connections.values()].filter((c) => c.appId === app?.id).sort((a, b) => a.createdAt - b.createdAt);
}

/** The mapping of `object` on a simulated connection. */
export function mappingOf(connection: Connection, object: string): Mapping {
  const mapping = connection.mappings.find((m) => m.objectName === object);
  if (!mapping) throw new Error(`no ${object} mapping`);
  return mapping;
}

// ---------------------------------------------------------------------------------------------
// add-column

const OBJECTS = ['Account', 'Contact', 'Opportunity', 'Case'];

/** Everything `add-column` sends, in order; each exactly once. */
function expectedChanges(old: string, added: string, mappings: string[]): string[] {
  return [
    'POST /apps/acme-prod/addons',
    'POST /apps/acme-prod/addons',
    `PATCH /api/v3/connections/${added}`,
    `POST /api/v3/connections/${added}/actions/import`,
    ...mappings.map((id) => `PUT /api/v3/mappings/${id}`),
    ...mappings.map((id) => `POST /api/v3/mappings/${id}/actions/reload`),
    'PATCH /apps/acme-prod',
    'PATCH /apps/acme-prod/formation',
    `POST /api/v3/connections/${old}/actions/pause`,
    `POST /api/v3/connections/${added}/actions/pause`,
    'POST /addon-attachments',
    'POST /addon-attachments',
    `PATCH /api/v3/connections/${old}`,
    `PATCH /api/v3/connections/${added}`,
    `POST /api/v3/connections/${added}/actions/resume`,
    'PATCH /apps/acme-prod/formation',
    'PATCH /apps/acme-prod',
  ];
}

/** The end state of a cutover: the new database on DATABASE_URL with the new connection, the old one paused beside it. */
export function expectCutOver(h: Harness, run: RunView, fields: Record<string, string[]>): void {
  const tag = run.id.slice(0, 8);
  const [old, added, ...more] = connectionsOf(h.world, 'acme-prod');
  expect(more).toEqual([]);
  const promoted = addOnAttachedAs(h.world, 'acme-prod', 'DATABASE');
  expect(promoted.addon).toMatchObject({ name: `acme-prod-db-${tag}`, plan: { name: 'heroku-postgresql:standard-0' } });
  expect(promoted.database?.version).toBe(15);
  expect(h.world.addons.get(added!.addonId)?.name).toBe(`acme-prod-connect-${tag}`);
  expect(added).toMatchObject({ dbKey: 'DATABASE_URL', schemaName: 'salesforce' });
  expect(added?.state).not.toBe('PAUSED');
  for (const object of OBJECTS) expect(mappingOf(added!, object).state).toBe('DATA_SYNCED');
  for (const [object, names] of Object.entries(fields)) expect(Object.keys(mappingOf(added!, object).config.fields)).toEqual(expect.arrayContaining(names));
  // The old connection keeps the old database, under the config var it was given at the promote.
  const oldVar = old!.dbKey!;
  expect(oldVar).toMatch(/^OLD_DATABASE_[A-Z0-9]{8}_URL$/);
  expect(addOnAttachedAs(h.world, 'acme-prod', oldVar.replace(/_URL$/, '')).addon.id).not.toBe(promoted.addon.id);
  expect(old?.state).toBe('PAUSED');
  const app = h.world.apps.get('acme-prod')!;
  expect(app.maintenance).toBe(false);
  expect(app.formation.map((f) => [f.type, f.quantity])).toEqual([['web', 2], ['worker', 3], ['release', 0]]);
  const ids = (connection: typeof old, objects: string[]) => objects.map((o) => mappingOf(connection!, o).id);
  expect(changes(h)).toEqual(expectedChanges(old!.id, added!.id, ids(added, Object.keys(fields))));
}
