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
  ['plan-change', { plan: 'standard-2', via: 'follower' }],
  ['plan-change', { plan: 'standard-2', via: 'copy' }],
  ['plan-change-via-follower', { plan: 'standard-2' }],
  ['copy', { plan: 'standard-0', version: 17 }],
  ['upgrade', { version: 17 }],
  ['upgrade', { via: 'follower' }],
  ['upgrade-via-follower', { version: '17' }],
];

describe('the runbook registry', () => {
  it('has every runbook under the name the bot and the CLI use', () => {
    expect([...runbooks.keys()].sort()).toEqual(
      ['add-column', 'copy', 'field-change', 'pause', 'plan-change', 'plan-change-via-follower', 'recreate', 'reload', 'resume', 'upgrade', 'upgrade-via-follower'].sort(),
    );
  });

  it.each(DATABASE_RUNBOOKS)('%s %j starts with checks, and lists the calls of every action and wait', (runbook, params) => {
    const { steps } = plan(runbook, params);
    expect(steps[0]?.kind).toBe('check');
    for (const step of steps.filter((s) => s.kind === 'action' || s.kind === 'wait')) expect(step.calls.length).toBeGreaterThan(0);
    for (const step of steps.filter((s) => s.kind === 'wait')) expect(step.timeout).toBeDefined();
  });

  it.each([
    ['upgrade', { version: 17 }, 'Pause Heroku Connect', 'Resume Heroku Connect'],
    ['upgrade', { version: 17, via: 'follower' }, 'Turn maintenance mode on', 'Turn maintenance mode off'],
    ['plan-change', { plan: 'premium-0', via: 'follower' }, 'Turn maintenance mode on', 'Turn maintenance mode off'],
    ['copy', { plan: 'standard-0' }, 'Turn maintenance mode on', 'Turn maintenance mode off'],
  ])('%s %j shows the expected downtime from "%s" to "%s"', (runbook, params, starts, ends) => {
    const { steps, expectedDowntime } = plan(runbook, params);
    expect(steps.filter((s) => s.downtime).map((s) => [s.title, s.downtime])).toEqual([
      [starts, 'starts'],
      [ends, 'ends'],
    ]);
    expect(expectedDowntime?.maxMinutes).toBeGreaterThan(expectedDowntime?.minMinutes ?? Infinity);
  });

  it('names every rollback: resume, restore the formation, maintenance off, destroy the new database', () => {
    const undo = plan('upgrade', { via: 'follower' }).steps.filter((s) => s.undo).map((s) => [s.title, s.undo]);
    expect(undo).toEqual([
      ['Create a follower of the database on the same plan', 'Destroy the new database'],
      ['Turn maintenance mode on', 'Turn maintenance mode off'],
      ['Record the formation and scale the worker dynos to 0', 'Scale the worker dynos back to the recorded formation'],
      ['Pause Heroku Connect', 'Resume Heroku Connect'],
    ]);
  });

  it('normalises plans with or without the heroku-postgresql: prefix', () => {
    expect(plan('plan-change', { plan: 'heroku-postgresql:Standard-2' }).parametersShown).toMatchObject({ plan: 'heroku-postgresql:standard-2' });
    expect(plan('plan-change', { plan: 'standard-2' }).hash).toBe(plan('plan-change', { plan: 'heroku-postgresql:standard-2' }).hash);
    expect(() => plan('upgrade', { version: 'seventeen' })).toThrow(/version: must be a Postgres major version such as 17/);
    expect(() => plan('upgrade', { version: '17.5' })).toThrow(/version: must be a Postgres major version such as 17/);
  });
});
