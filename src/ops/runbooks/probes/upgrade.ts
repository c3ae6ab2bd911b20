import type { WaitStatus } from '../../heroku/types.js';
import type { Ctx, Probe, RunbookDeps } from '../deps.js';
import { action, StepFailed, wait, type ActionStep, type CheckResult, type UndoSpec, type WaitResult, type WaitStep } from '../runbook.js';
import { majorVersion } from './database.js';
import { required } from './outputs.js';

/**
 * pg:upgrade (reference 7.5), read through `upgrade/wait_status`: a leader is prepared first
 * (`preparing upgrade service`, then `upgrade is scheduled on ...`); a run shows its step (`3/7`)
 * and is done once `waiting?` is false and the version has changed.
 */

type UpgradePhase = 'none' | 'preparing' | 'scheduled' | 'running' | 'finished';

/** What a wait_status answer says about the upgrade; only a run reports a `step`. */
function upgradePhase(status: WaitStatus): UpgradePhase {
  if (status.step) return status['waiting?'] ? 'running' : 'finished';
  if (status['waiting?']) return 'preparing';
  return /upgrade is scheduled/i.test(status.message) ? 'scheduled' : 'none';
}

const describe = (status: WaitStatus): string => (status.step ? `(${status.step}) ${status.message}` : status.message);

/** Whose upgrade: the Connect database (pg:upgrade in place) or the new follower. */
export type Target = Probe<string>;

export const connectDatabase: Target = async (ctx) => required(ctx, 'database').addonId;

async function phaseOf(ctx: Ctx, target: Target): Promise<{ phase: UpgradePhase; status: WaitStatus }> {
  const status = await ctx.deps.data.upgradeWaitStatus(await target(ctx));
  return { phase: upgradePhase(status), status };
}

/** The target's Postgres major version is newer than the one recorded when the run started. */
async function upgraded(ctx: Ctx, target: Target): Promise<boolean> {
  const version = majorVersion(await ctx.deps.data.database(await target(ctx)));
  return version !== undefined && version > required(ctx, 'database').version;
}

/** Check: no upgrade is prepared or running already (its version could differ from the one asked for). */
export const noUpgradePending: Probe<CheckResult> = async (ctx) => {
  const { phase, status } = await phaseOf(ctx, connectDatabase);
  if (phase === 'none' || phase === 'finished') return { ok: true };
  return {
    ok: false,
    reason: `An upgrade is already under way on ${required(ctx, 'database').addonName}: ${describe(status)}.`,
    next: 'Follow it with `heroku pg:upgrade:wait`, or cancel it with `heroku pg:upgrade:cancel` and start again.',
  };
};

/** A prepared upgrade runs by itself at the next maintenance window: rolling back cancels it. */
const cancelUpgradeUndo: UndoSpec<RunbookDeps, unknown> = {
  title: 'Cancel the prepared upgrade (pg:upgrade:cancel)',
  do: async (ctx) => {
    await ctx.deps.data.upgradeCancel(await connectDatabase(ctx));
  },
  done: async (ctx) => ['none', 'finished'].includes((await phaseOf(ctx, connectDatabase)).phase),
  calls: ['POST /client/v11/databases/{id}/upgrade/cancel'],
};

/**
 * Check, after the approval: a prepared upgrade runs by itself at the next maintenance window, and
 * one that has started without Heroku Connect paused is not this runbook's to continue.
 */
export const upgradeStillScheduled: Probe<CheckResult> = async (ctx) => {
  const { phase, status } = await phaseOf(ctx, connectDatabase);
  if (phase === 'scheduled') return { ok: true };
  return {
    ok: false,
    reason: `The prepared upgrade is no longer waiting to run: ${describe(status)}.`,
    next: 'Heroku may have started it in the maintenance window: follow it with `heroku pg:upgrade:wait`, and check Heroku Connect with `heroku connect:info` after it.',
  };
};

export function prepareUpgradeStep(version: number | undefined): ActionStep<RunbookDeps, unknown> {
  return action(version ? `Prepare the upgrade to Postgres ${version} (pg:upgrade:prepare)` : 'Prepare the upgrade to the newest Postgres (pg:upgrade:prepare)', {
    do: async (ctx) => {
      await ctx.deps.data.upgradePrepare(await connectDatabase(ctx), { version: version?.toString() });
    },
    done: async (ctx) => ['preparing', 'scheduled', 'running'].includes((await phaseOf(ctx, connectDatabase)).phase),
    undo: cancelUpgradeUndo,
    calls: ['POST /client/v11/databases/{id}/upgrade/prepare'],
  });
}

const prepared: Probe<WaitResult> = async (ctx) => {
  const { phase, status } = await phaseOf(ctx, connectDatabase);
  if (phase === 'scheduled') return { done: true };
  if (phase !== 'preparing') {
    throw new StepFailed(`The upgrade is no longer being prepared: ${describe(status)}.`, {
      next: 'It was cancelled (`heroku pg:upgrade:cancel`) or Heroku could not prepare it: check `heroku pg:upgrade:wait`, then start the runbook again.',
    });
  }
  return { done: false, progress: describe(status) };
};

export function upgradePreparedStep(): WaitStep<RunbookDeps, unknown> {
  return wait('Wait until the upgrade is prepared', prepared, {
    every: '1m',
    max: '10m',
    timeout: '30h',
    expect: ['10m', '24h'],
    calls: ['GET /client/v11/databases/{id}/upgrade/wait_status'],
    next: 'Preparation can take up to a day: follow it with `heroku pg:upgrade:wait`, then start again.',
  });
}

/** Runs pg:upgrade:run on the target; a follower unfollows its leader first. */
export function runUpgradeStep(title: string, target: Target, version: number | undefined): ActionStep<RunbookDeps, unknown> {
  return action(title, {
    do: async (ctx) => {
      await ctx.deps.data.upgradeRun(await target(ctx), { version: version?.toString() });
    },
    done: async (ctx) => (await phaseOf(ctx, target)).phase === 'running' || (await upgraded(ctx, target)),
    calls: ['POST /client/v11/databases/{id}/upgrade/run'],
  });
}

const upgradeFinished =
  (target: Target): Probe<WaitResult> =>
  async (ctx) => {
    const { phase, status } = await phaseOf(ctx, target);
    if (phase !== 'running' && (await upgraded(ctx, target))) return { done: true };
    if (status['error?']) {
      throw new StepFailed(`The upgrade failed: ${describe(status)}.`, {
        next: 'Heroku Connect stays paused. Check the database with `heroku pg:info` and `heroku pg:upgrade:wait` (open a Heroku support ticket if it is not available), then roll back to resume Heroku Connect.',
      });
    }
    return { done: false, progress: describe(status), near: phase === 'finished' };
  };

export function upgradeFinishedStep(target: Target): WaitStep<RunbookDeps, unknown> {
  return wait('Wait until the upgrade has finished', upgradeFinished(target), {
    every: '15s',
    max: '1m',
    timeout: '2h',
    expect: ['10m', '30m'],
    calls: ['GET /client/v11/databases/{id}/upgrade/wait_status', 'GET /client/v11/databases/{id}'],
    next: 'Follow the upgrade with `heroku pg:upgrade:wait`; when it has finished, resume Heroku Connect by hand or roll back.',
  });
}
