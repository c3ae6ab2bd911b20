import { afterEach, describe, expect, it } from '@jest/globals';
import type { TransitionPoint } from '../../../src/ops/engine/index.js';
import { addOnAttachedAs, CHANGEOVER_TIME_SCALE, connectionOf, lines, startHarness, why, type Harness } from './support/harness.js';

/**
 * `upgrade --via follower` killed at every step boundary, and in the middle of every mutation (after
 * Heroku received it, before the engine recorded it), then resumed on the same store by a new engine:
 * it finishes, and the simulator's request log shows every mutation sent exactly once.
 */

const CHANGEOVER = [
  /^POST \/apps\/acme-prod\/addons$/,
  /^PATCH \/apps\/acme-prod$/,
  /^PATCH \/apps\/acme-prod\/formation$/,
  /^POST \/api\/v3\/connections\/[^/]+\/actions\/pause$/,
  /^POST \/client\/v11\/databases\/[^/]+\/upgrade\/run$/,
  /^POST \/addon-attachments$/,
  /^POST \/addon-attachments$/,
  /^POST \/api\/v3\/connections\/[^/]+\/actions\/resume$/,
  /^PATCH \/apps\/acme-prod\/formation$/,
  /^PATCH \/apps\/acme-prod$/,
];

/** The client methods that change something on Heroku. */
const MUTATIONS = {
  platform: ['setMaintenance', 'updateFormation', 'updateConfigVars', 'createAddOn', 'changeAddOnPlan', 'destroyAddOn', 'createAttachment', 'deleteAttachment'],
  data: ['unfollow', 'upgradePrepare', 'upgradeRun', 'upgradeCancel', 'createTransfer'],
  connect: ['pause', 'resume', 'restart', 'setDatabase', 'importConfiguration'],
} as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Drives the run through crashes: approves approvals, restarts the engine after each crash, until it finishes. */
interface Crash {
  happened: boolean;
  /** The crashed engine hangs mid-request: it cannot be stopped, only left behind. */
  abandoned: boolean;
  count: number;
  onTransition?: (point: TransitionPoint, runId: string, stepIdx: number) => void;
}

async function survive(h: Harness, runId: string, crash: Crash) {
  for (;;) {
    if (crash.happened) {
      crash.happened = false;
      crash.count += 1;
      await h.restartEngine({ abandoned: crash.abandoned, onTransition: crash.onTransition });
      continue;
    }
    const run = await h.engine.getRun(runId);
    if (!run) throw new Error(`no run ${runId}`);
    if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'cancelled') return run;
    if (run.status === 'awaiting_approval') await h.engine.approve({ runId, userId: 'U_APPROVER', planHash: run.planHash }).catch(() => undefined);
    await sleep(5);
  }
}

function expectChangedOverOnce(h: Harness, runId: string) {
  const promoted = addOnAttachedAs(h.world, 'acme-prod', 'DATABASE');
  expect(promoted.addon.name).toBe(`acme-prod-follower-${runId.slice(0, 8)}`);
  expect(promoted.database?.version).toBe(17);
  const app = h.world.apps.get('acme-prod')!;
  expect(app.maintenance).toBe(false);
  expect(app.formation.map((f) => [f.type, f.quantity])).toEqual([['web', 2], ['worker', 3], ['release', 0]]);
  expect(connectionOf(h.world, 'acme-prod').state).not.toBe('PAUSED');
  expect(lines(h.mutations())).toEqual(CHANGEOVER.map((p) => expect.stringMatching(p)));
}

describe('upgrade --via follower under crashes', () => {
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
    h = await startHarness({ timeScale: CHANGEOVER_TIME_SCALE, engine: { onTransition: crash.onTransition } });
    const started = await h.start('upgrade', 'acme-prod', { version: 17, via: 'follower' });
    const run = await survive(h, started.id, crash);
    expect(why(run)).toBe('succeeded');

    // Every step was crashed before it started and after it was recorded; every action that sent
    // its mutation also right before and right after sending it.
    const expected = run.steps.flatMap((s) => {
      const points: TransitionPoint[] = s.kind === 'action' && s.attempts > 0 ? ['before_step', 'before_do', 'after_do', 'after_step'] : ['before_step', 'after_step'];
      return points.map((p) => `${p}@${s.idx}`);
    });
    expect([...crashedAt].sort()).toEqual(expected.sort());
    expect(crash.count).toBe(expected.length);
    expectChangedOverOnce(h, run.id);
  });

  it('resumes after a crash in the middle of every mutation and sends each one once', async () => {
    const crash: Crash = { happened: false, abandoned: true, count: 0 };
    h = await startHarness({ timeScale: CHANGEOVER_TIME_SCALE });
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
    const started = await h.start('upgrade', 'acme-prod', { version: 17, via: 'follower' });
    const run = await survive(h, started.id, crash);
    expect(why(run)).toBe('succeeded');
    expect(crashed.map((c) => c.slice(0, c.indexOf('(')))).toEqual([
      'platform.createAddOn',
      'platform.setMaintenance',
      'platform.updateFormation',
      'connect.pause',
      'data.upgradeRun',
      'platform.createAttachment',
      'platform.createAttachment',
      'connect.resume',
      'platform.updateFormation',
      'platform.setMaintenance',
    ]);
    expect(crash.count).toBe(CHANGEOVER.length);
    expectChangedOverOnce(h, run.id);
  });
});
