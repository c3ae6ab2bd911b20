import { api } from '../../heroku/calls.js';
import type { WaitStatus } from '../../heroku/types.js';
import { read, type Ctx, type Fn } from '../deps.js';
import { required } from '../outputs.js';
import { StepFailed, type CheckResult, type WaitResult } from '../runbook.js';
import { majorVersion } from './database.js';
import { newDatabaseId } from './new-database.js';

/**
 * pg:upgrade, read through `upgrade/wait_status` (docs/reference/heroku-platform-and-postgres-api.md,
 * "Version upgrades"): a leader is prepared first (`preparing upgrade service`, then `upgrade is
 * scheduled on ...`); a run shows its step (`3/7`) and is done once `waiting?` is false and the
 * version has changed.
 */

export type UpgradePhase = 'none' | 'preparing' | 'scheduled' | 'running' | 'finished';

/** What a wait_status answer says about the upgrade; only a run reports a `step`. */
function upgradePhase(status: WaitStatus): UpgradePhase {
  if (status.step) return status['waiting?'] ? 'running' : 'finished';
  if (status['waiting?']) return 'preparing';
  return /upgrade is scheduled/i.test(status.message) ? 'scheduled' : 'none';
}

export const describeStatus = (status: WaitStatus): string => (status.step ? `(${status.step}) ${status.message}` : status.message);

/** Whose upgrade: the Connect database (pg:upgrade in place) or the new follower. */
export type Target = Fn<string>;

export const connectDatabase: Target = read([], async (ctx) => required(ctx, 'database').addonId);
export const follower: Target = newDatabaseId;

/** The phase of the target's upgrade. */
export function phaseOf(target: Target): Fn<{ phase: UpgradePhase; status: WaitStatus }> {
  return read([target, api.data.upgradeWaitStatus], async (ctx) => {
    const status = await ctx.deps.data.upgradeWaitStatus(await target(ctx));
    return { phase: upgradePhase(status), status };
  });
}

/** The target's Postgres major version is newer than the one recorded when the run started. */
function upgraded(target: Target): Fn<boolean> {
  return read([target, api.data.database], async (ctx: Ctx) => {
    const version = majorVersion(await ctx.deps.data.database(await target(ctx)));
    return version !== undefined && version > required(ctx, 'database').version;
  });
}

/** Check: no upgrade is prepared or running already (its version could differ from the one asked for). */
export const noUpgradePending: Fn<CheckResult> = read([phaseOf(connectDatabase)], async (ctx) => {
  const { phase, status } = await phaseOf(connectDatabase)(ctx);
  if (phase === 'none' || phase === 'finished') return { ok: true };
  return {
    ok: false,
    reason: `An upgrade is already under way on ${required(ctx, 'database').addonName}: ${describeStatus(status)}.`,
    next: 'Follow it with `heroku pg:upgrade:wait`, or cancel it with `heroku pg:upgrade:cancel` and start again.',
  };
});

/**
 * Check, after the approval: a prepared upgrade runs by itself at the next maintenance window, and
 * one that has started without Heroku Connect paused is not this runbook's to continue.
 */
export const upgradeStillScheduled: Fn<CheckResult> = read([phaseOf(connectDatabase)], async (ctx) => {
  const { phase, status } = await phaseOf(connectDatabase)(ctx);
  if (phase === 'scheduled') return { ok: true };
  return {
    ok: false,
    reason: `The prepared upgrade is no longer waiting to run: ${describeStatus(status)}.`,
    next: 'Heroku may have started it in the maintenance window: follow it with `heroku pg:upgrade:wait`, and check Heroku Connect with `heroku connect:info` after it.',
  };
});

/** Done probe of a prepare: preparing, scheduled or running. */
export const upgradePrepared: Fn<boolean> = read([phaseOf(connectDatabase)], async (ctx) =>
  ['preparing', 'scheduled', 'running'].includes((await phaseOf(connectDatabase)(ctx)).phase),
);

/** Done probe of a cancel: nothing prepared. */
export const noUpgradePrepared: Fn<boolean> = read([phaseOf(connectDatabase)], async (ctx) => ['none', 'finished'].includes((await phaseOf(connectDatabase)(ctx)).phase));

/** Wait: the prepared upgrade is scheduled to run. */
export const preparedToRun: Fn<WaitResult> = read([phaseOf(connectDatabase)], async (ctx) => {
  const { phase, status } = await phaseOf(connectDatabase)(ctx);
  if (phase === 'scheduled') return { done: true };
  if (phase !== 'preparing') {
    throw new StepFailed(`The upgrade is no longer being prepared: ${describeStatus(status)}.`, {
      next: 'It was cancelled (`heroku pg:upgrade:cancel`) or Heroku could not prepare it: check `heroku pg:upgrade:wait`, then start the runbook again.',
    });
  }
  return { done: false, progress: describeStatus(status) };
});

/** Done probe of a run: running, or over with the new version. */
export function upgradeStarted(target: Target): Fn<boolean> {
  return read([phaseOf(target), upgraded(target)], async (ctx) => (await phaseOf(target)(ctx)).phase === 'running' || (await upgraded(target)(ctx)));
}

/** Wait: the upgrade has finished with the new version; an upgrade in error fails the step. */
export function upgradeFinished(target: Target): Fn<WaitResult> {
  return read([phaseOf(target), upgraded(target)], async (ctx) => {
    const { phase, status } = await phaseOf(target)(ctx);
    if (phase !== 'running' && (await upgraded(target)(ctx))) return { done: true };
    if (status['error?']) {
      throw new StepFailed(`The upgrade failed: ${describeStatus(status)}.`, {
        next: 'Heroku Connect stays paused. Check the database with `heroku pg:info` and `heroku pg:upgrade:wait` (open a Heroku support ticket if it is not available), then roll back to resume Heroku Connect.',
      });
    }
    return { done: false, progress: describeStatus(status), near: phase === 'finished', remaining: stepsLeft(status) };
  });
}

/** Steps not yet over of a running upgrade (`3/7`: the third is running, 5 are left), for the engine to time its polls. */
export function stepsLeft(status: WaitStatus): number | undefined {
  const [, step, of] = /^(\d+)\/(\d+)$/.exec(status.step?.trim() ?? '') ?? [];
  return step && of ? Math.max(0, Number(of) - Number(step) + 1) : undefined;
}
