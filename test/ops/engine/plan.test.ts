import { describe, expect, it } from '@jest/globals';
import { createEngine, EngineError } from '../../../src/ops/engine/index.js';
import { createTestStore } from '../../support/backends.js';
import { FakeApp, registry, silent, type Deps } from './support.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}

describe('plan (dry run)', () => {
  it('renders every step with its calls, the expected downtime and a hash, without side effects', async () => {
    const t = await createTestStore('sqlite');
    const fake = new FakeApp();
    const engine = createEngine<Deps>({ store: t.store, runbooks: registry, deps: { apps: new Map([['acme-prod', fake]]) }, logger: silent });
    try {
      const plan = engine.plan('changeover', {}, 'acme-prod');
      expect(plan).toMatchObject({
        runbook: 'changeover',
        app: 'acme-prod',
        summary: 'Move the app to a new follower, with maintenance mode around the cutover',
        parametersShown: { app: 'acme-prod' },
        // From maintenance on to maintenance off: the catch-up wait's 1 to 10 minutes.
        expectedDowntime: { minMinutes: 1, maxMinutes: 10 },
      });
      expect(plan.steps.map((s) => [s.idx, s.kind, s.title])).toEqual([
        [0, 'check', 'the app exists'],
        [1, 'action', 'create the follower'],
        [2, 'wait', 'the follower is available'],
        [3, 'approval', 'cutover'],
        [4, 'action', 'turn maintenance mode on'],
        [5, 'action', 'scale the workers to 0'],
        [6, 'wait', 'the database has caught up'],
        [7, 'action', 'turn maintenance mode off'],
      ]);
      expect(plan.steps[4]).toEqual({
        idx: 4,
        title: 'turn maintenance mode on',
        kind: 'action',
        calls: ['PATCH /apps/{app} {"maintenance": true}'],
        downtime: 'starts',
        undo: 'turn maintenance mode off',
      });
      expect(plan.steps[2]).toMatchObject({ every: '10s', timeout: '1h' });
      expect(plan.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(engine.plan('changeover', { app: 'acme-prod' }).hash).toBe(plan.hash);
      expect(engine.plan('changeover', {}, 'acme-staging').hash).not.toBe(plan.hash);

      expect(Object.values(fake.applied).every((n) => n === 0)).toBe(true);
      expect(fake.probes).toBe(0);
      expect(await engine.listRuns()).toEqual([]);
    } finally {
      await engine.stop();
      await t.dispose();
    }
  });

  it('refuses bad parameters listing each problem, and unknown runbooks', async () => {
    const t = await createTestStore('sqlite');
    const engine = createEngine<Deps>({ store: t.store, runbooks: registry, deps: { apps: new Map() }, logger: silent });
    try {
      expect(thrown(() => engine.plan('changeover', {}, 'Acme Prod'))).toMatchObject({ code: 'invalid_params', problems: ['app: must be a Heroku app name'] });
      const missing = thrown(() => engine.plan('changeover', {}));
      expect(missing).toBeInstanceOf(EngineError);
      expect(missing).toMatchObject({ code: 'invalid_params', problems: ['app: Invalid input: expected string, received undefined'] });
      expect(thrown(() => engine.plan('nope', {}, 'acme'))).toMatchObject({ code: 'unknown_runbook', message: expect.stringMatching(/There is no runbook named nope/) });
    } finally {
      await engine.stop();
      await t.dispose();
    }
  });
});
