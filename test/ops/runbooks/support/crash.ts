import type { RunView, TransitionPoint } from '../../../../src/ops/engine/index.js';
import type { Harness } from './harness.js';

/**
 * Runs killed and resumed on the same store by a new engine (driven by `drive` in connect-runs.ts):
 * at every step boundary, and in the middle of every mutation, after Heroku received it and before
 * the engine recorded it.
 */

/** A test that crashes at every transition restarts the engine once per transition: it gets longer than jest's default. */
export const CRASH_TIMEOUT = 90_000;

/** A crash the test asked for: the driver restarts the engine on the same store when it happens. */
export interface Crash {
  happened: boolean;
  /** The crashed engine hangs mid-request: it cannot be stopped, only left behind. */
  abandoned: boolean;
  count: number;
  onTransition?: (point: TransitionPoint, runId: string, stepIdx: number) => void;
}

/** The client methods that change something on Heroku. */
const MUTATIONS = {
  platform: ['setMaintenance', 'updateFormation', 'updateConfigVars', 'createAddOn', 'changeAddOnPlan', 'destroyAddOn', 'createAttachment', 'deleteAttachment', 'stopDyno'],
  data: ['unfollow', 'upgradePrepare', 'upgradeRun', 'upgradeCancel', 'createTransfer'],
  connect: ['pause', 'resume', 'restart', 'setDatabase', 'importConfiguration', 'updateMapping', 'reloadMapping', 'deleteMapping'],
} as const;

/** Crashes the engine at each transition point (`before_step@3`...) the first time a run reaches it. Pass `crash.onTransition` to the harness. */
export function crashAtEveryTransition(): { crash: Crash; crashedAt: Set<string> } {
  const crashedAt = new Set<string>();
  const crash: Crash = { happened: false, abandoned: false, count: 0 };
  crash.onTransition = (point, _runId, stepIdx) => {
    const at = `${point}@${stepIdx}`;
    if (crashedAt.has(at)) return;
    crashedAt.add(at);
    crash.happened = true;
    throw new Error(`crash at ${at}`);
  };
  return { crash, crashedAt };
}

/**
 * The transition points a finished run passed: before every step and (unless a person completed it)
 * after it was recorded, and for every action that sent its mutation, right before and right after sending it.
 */
export function transitionsOf(run: RunView): string[] {
  return run.steps.flatMap((s) => {
    const points: TransitionPoint[] =
      // A manual step a person completes has no after_step of the engine's; a skipped one does.
      s.kind === 'manual' && s.status !== 'skipped' ? ['before_step'] : s.kind === 'action' && s.attempts > 0 ? ['before_step', 'before_do', 'after_do', 'after_step'] : ['before_step', 'after_step'];
    return points.map((p) => `${p}@${s.idx}`);
  });
}

/**
 * Makes each mutation crash the engine the first time it is made: Heroku gets it, then the process
 * hangs before the answer is used. Returns the crashed calls (`platform.createAddOn`...), in order.
 */
export function crashMidEveryMutation(h: Harness): { crash: Crash; crashed: string[] } {
  const crash: Crash = { happened: false, abandoned: true, count: 0 };
  const calls: string[] = [];
  for (const [client, methods] of Object.entries(MUTATIONS)) {
    const target = h.clients[client as keyof typeof MUTATIONS] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const method of methods) {
      const real = target[method]!.bind(target);
      target[method] = async (...args: unknown[]) => {
        const result = await real(...args);
        const call = `${client}.${method}(${JSON.stringify(args)})`;
        if (calls.includes(call)) return result;
        calls.push(call);
        crash.happened = true;
        return new Promise(() => undefined);
      };
    }
  }
  return {
    crash,
    get crashed() {
      return calls.map((c) => c.slice(0, c.indexOf('(')));
    },
  };
}
