import { afterEach, describe, expect, it } from '@jest/globals';
import type { TransitionPoint } from '../../../src/ops/engine/index.js';
import { drive, expectCutOver, type Crash } from './support/connect-runs.js';
import { startHarness, why, type Harness } from './support/harness.js';

/**
 * `add-column` killed at every step boundary, and in the middle of every mutation (after Heroku
 * received it, before the engine recorded it), then resumed on the same store by a new engine: it
 * finishes, and the simulator's request log shows every mutation sent exactly once.
 */

const PARAMS = { object: 'Account', fields: ['Region__c', 'Tier__c'] };
const FIELDS = { Account: PARAMS.fields };

/** The client methods that change something on Heroku. */
const MUTATIONS = {
  platform: ['setMaintenance', 'updateFormation', 'updateConfigVars', 'createAddOn', 'changeAddOnPlan', 'destroyAddOn', 'createAttachment', 'deleteAttachment'],
  data: ['unfollow', 'upgradePrepare', 'upgradeRun', 'upgradeCancel', 'createTransfer'],
  connect: ['pause', 'resume', 'restart', 'setDatabase', 'importConfiguration', 'updateMapping', 'reloadMapping', 'deleteMapping'],
} as const;

describe('add-column under crashes', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('resumes after a crash at every step boundary and sends each mutation once', async () => {
    const crashedAt = new Set<string>();
    const crash: Crash = { happened: false, abandoned: false, count: 0 };
    crash.onTransition = (point, _runId, stepIdx) => {
      const at = `${point}@${stepIdx}`;
      if (crashedAt.has(at)) return;
      crashedAt.add(at);
      crash.happened = true;
      throw new Error(`crash at ${at}`);
    };
    h = await startHarness({ engine: { onTransition: crash.onTransition } });
    const started = await h.start('add-column', 'acme-prod', PARAMS);
    const run = await drive(h, started.id, { crash });
    expect(why(run)).toBe('succeeded');

    // Every step was crashed before it started and (unless a person completed it) after it was
    // recorded; every action that sent its mutation also right before and right after sending it.
    const expected = run.steps.flatMap((s) => {
      const points: TransitionPoint[] =
        s.kind === 'manual' ? ['before_step'] : s.kind === 'action' && s.attempts > 0 ? ['before_step', 'before_do', 'after_do', 'after_step'] : ['before_step', 'after_step'];
      return points.map((p) => `${p}@${s.idx}`);
    });
    expect([...crashedAt].sort()).toEqual(expected.sort());
    expect(crash.count).toBe(expected.length);
    expectCutOver(h, run, FIELDS);
  });

  it('resumes after a crash in the middle of every mutation and sends each one once', async () => {
    const crash: Crash = { happened: false, abandoned: true, count: 0 };
    h = await startHarness();
    const crashed: string[] = [];
    // Each mutation, the first time it is made: Heroku gets it, then the process dies before the answer is used.
    for (const [client, methods] of Object.entries(MUTATIONS)) {
      const target = h.clients[client as keyof typeof MUTATIONS] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      for (const method of methods) {
        const real = target[method]!.bind(target);
        target[method] = async (...args: unknown[]) => {
          const result = await real(...args);
          const call = `${client}.${method}(${JSON.stringify(args)})`;
          if (crashed.includes(call)) return result;
          crashed.push(call);
          crash.happened = true;
          return new Promise(() => undefined);
        };
      }
    }
    const started = await h.start('add-column', 'acme-prod', PARAMS);
    const run = await drive(h, started.id, { crash });
    expect(why(run)).toBe('succeeded');
    expect(crashed.map((c) => c.slice(0, c.indexOf('(')))).toEqual([
      'platform.createAddOn',
      'platform.createAddOn',
      'connect.setDatabase',
      'connect.importConfiguration',
      'connect.updateMapping',
      'connect.reloadMapping',
      'platform.setMaintenance',
      'platform.updateFormation',
      'connect.pause',
      'connect.pause',
      'platform.createAttachment',
      'platform.createAttachment',
      'connect.setDatabase',
      'connect.setDatabase',
      'connect.resume',
      'platform.updateFormation',
      'platform.setMaintenance',
    ]);
    expect(crash.count).toBe(crashed.length);
    expectCutOver(h, run, FIELDS);
  });
});
