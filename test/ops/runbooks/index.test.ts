import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../../src/log.js';
import { createEngine, type Engine } from '../../../src/ops/engine/index.js';
import { runbooks } from '../../../src/ops/runbooks/index.js';
import type { RunbookDeps } from '../../../src/ops/runbooks/deps.js';
import { createTestStore, type TestStore } from '../../support/backends.js';

let store: TestStore;
let engine: Engine;
beforeAll(async () => {
  store = await createTestStore('sqlite');
  // Plans render without side effects: Heroku is never asked.
  engine = createEngine<RunbookDeps>({ store: store.store, runbooks, deps: {} as RunbookDeps, logger: createLogger({ level: 'silent' }) });
});
afterAll(async () => {
  await engine.stop();
  await store.dispose();
});
const plan = (runbook: string, params: Record<string, unknown>) => engine.plan(runbook, params, 'acme-prod');

const DATABASE_RUNBOOKS: Array<[string, Record<string, unknown>]> = [
  ['pause', {}],
  ['resume', {}],
  ['plan-change', { plan: 'standard-2' }],
  ['plan-change-via-follower', { plan: 'standard-2' }],
  ['copy', { plan: 'standard-0', version: 17 }],
  ['upgrade', { version: 17 }],
  ['upgrade-via-follower', {}],
  ['upgrade-via-follower', { version: '17' }],
];

describe('the runbook registry', () => {
  it('has every runbook under the name the bot and the CLI use', () => {
    expect([...runbooks.keys()].sort()).toEqual(
      ['add-column', 'copy', 'field-change', 'pause', 'plan-change', 'plan-change-via-follower', 'recreate', 'reload', 'restart', 'resume', 'upgrade', 'upgrade-via-follower'].sort(),
    );
  });

  it.each(DATABASE_RUNBOOKS)('%s %j starts with checks, and lists the calls of every action and wait', (runbook, params) => {
    const { steps } = plan(runbook, params);
    expect(steps[0]?.kind).toBe('check');
    for (const step of steps.filter((s) => s.kind === 'action' || s.kind === 'wait')) expect(step.calls.length).toBeGreaterThan(0);
    for (const step of steps.filter((s) => s.kind === 'wait')) expect(step.timeout).toBeDefined();
  });

  it.each([
    // pg:upgrade in place stops every writer too (issue 10): its downtime is maintenance mode's.
    ['upgrade', { version: 17 }, 'Turn maintenance mode on', 'Turn maintenance mode off'],
    ['upgrade-via-follower', { version: 17 }, 'Turn maintenance mode on', 'Turn maintenance mode off'],
    ['plan-change-via-follower', { plan: 'premium-0' }, 'Turn maintenance mode on', 'Turn maintenance mode off'],
    ['copy', { plan: 'standard-0' }, 'Turn maintenance mode on', 'Turn maintenance mode off'],
  ])('%s %j shows the expected downtime from "%s" to "%s"', (runbook, params, starts, ends) => {
    const { steps, expectedDowntime } = plan(runbook, params);
    expect(steps.filter((s) => s.downtime).map((s) => [s.title, s.downtime])).toEqual([
      [starts, 'starts'],
      [ends, 'ends'],
    ]);
    expect(expectedDowntime?.maxMinutes).toBeGreaterThan(expectedDowntime?.minMinutes ?? Infinity);
  });

  it('names every rollback: resume, restore the formation, maintenance off, Scheduler on again, destroy the new database', () => {
    const undo = plan('upgrade-via-follower', {}).steps.filter((s) => s.undo).map((s) => [s.title, s.undo]);
    expect(undo).toEqual([
      ['Create a follower of the database on the same plan', 'Destroy the new database'],
      ['Disable the jobs in the Heroku Scheduler dashboard', 'Enable the jobs again in the Heroku Scheduler dashboard'],
      ['Turn maintenance mode on', 'Turn maintenance mode off'],
      ['Record the formation and scale the worker dynos to 0', 'Scale the worker dynos back to the recorded formation'],
      ['Turn maintenance mode on for the other apps the database is attached to (their state recorded first)', 'Turn maintenance mode off again on the other apps that had it off'],
      ['Scale the non-web dynos of the other apps to 0', 'Scale the other apps back to their recorded formation'],
      ['Pause Heroku Connect', 'Resume Heroku Connect'],
    ]);
  });

  it('normalises plans with or without the heroku-postgresql: prefix', () => {
    expect(plan('plan-change', { plan: 'heroku-postgresql:Standard-2' }).parametersShown).toMatchObject({ plan: 'heroku-postgresql:standard-2' });
    expect(plan('plan-change', { plan: 'standard-2' }).hash).toBe(plan('plan-change', { plan: 'heroku-postgresql:standard-2' }).hash);
    expect(() => plan('upgrade', { version: 'seventeen' })).toThrow(/version: must be a Postgres major version such as 17/);
    expect(() => plan('upgrade', { version: '17.5' })).toThrow(/version: must be a Postgres major version such as 17/);
  });

  it('refuses a parameter a runbook does not have, rather than drop it', () => {
    expect(() => plan('upgrade', { via: 'follower' })).toThrow(/via: not a parameter of upgrade/);
    expect(() => plan('plan-change', { plan: 'standard-2', via: 'copy' })).toThrow(/via: not a parameter of plan-change/);
  });
});

/** Every runbook with parameters that plan it, and every branch of those that have some. */
const EVERY_RUNBOOK: Array<[string, Record<string, unknown>]> = [
  ...DATABASE_RUNBOOKS,
  ['reload', {}],
  ['reload', { mappings: ['Account'] }],
  ['recreate', {}],
  ['restart', {}],
  ['field-change', { object: 'Account', field: 'Name' }],
  ['field-change', { object: 'Account', field: 'Name', typeChange: true }],
  ['add-column', { object: 'Account', fields: ['Region__c'] }],
];

describe('every runbook', () => {
  it.each(EVERY_RUNBOOK)('%s %j names its document, and titles its steps as sentences', (runbook, params) => {
    const { steps, document } = plan(runbook, params);
    expect(document?.url).toMatch(/^https:\/\/(devcenter|help)\.heroku\.com\//);
    for (const step of steps) expect(step.title).toMatch(/^[A-Z"]/);
  });

  it.each(EVERY_RUNBOOK)('%s %j declares, for every step that reaches Heroku, the calls of the client methods it uses', (runbook, params) => {
    for (const step of plan(runbook, params).steps.filter((s) => s.kind === 'action' || s.kind === 'wait')) {
      expect(step.calls.length).toBeGreaterThan(0);
      for (const call of step.calls) expect(call).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \//);
    }
  });

  it('has a command surface, each runbook reachable by its command and --via', () => {
    for (const runbook of runbooks.values()) expect(runbook.command?.params[0]).toMatchObject({ key: 'app', kind: 'positional' });
    const surfaces = [...runbooks.values()].map((r) => [r.name, r.command?.command, r.command?.via ?? null]);
    expect(surfaces).toEqual([
      ['upgrade', 'upgrade', null],
      ['upgrade-via-follower', 'upgrade', 'follower'],
      ['plan-change', 'plan-change', null],
      ['plan-change-via-follower', 'plan-change', 'follower'],
      ['copy', 'plan-change', 'copy'],
      ['pause', 'pause', null],
      ['resume', 'resume', null],
      ['restart', 'restart', null],
      ['reload', 'reload', null],
      ['recreate', 'recreate', null],
      ['field-change', 'field-change', null],
      ['add-column', 'add-column', null],
    ]);
  });
});
