import type { Probe, RunbookDeps } from '../deps.js';
import { action, type ActionStep, type UndoSpec } from '../runbook.js';
import { output, record, required } from './outputs.js';

/**
 * Worker dynos keep writing even in maintenance mode ("spin down all non-web dynos (which continue to
 * run, even with maintenance mode enabled)"), so every non-web process type is scaled to 0. The
 * formation before is recorded first and restored exactly.
 */

const SCALE_CALL = 'PATCH /apps/{app}/formation';

/** Done probe: every recorded process type is at 0. */
const scaledDown: Probe<boolean> = async (ctx) => {
  const before = output(ctx, 'formation');
  if (!before) return false;
  const now = await ctx.deps.platform.formation(ctx.app);
  return before.every(({ type }) => now.find((f) => f.type === type)?.quantity === 0);
};

/** Done probe: every recorded process type is back at its quantity. */
const restored: Probe<boolean> = async (ctx) => {
  const before = required(ctx, 'formation');
  const now = await ctx.deps.platform.formation(ctx.app);
  return before.every(({ type, quantity }) => now.find((f) => f.type === type)?.quantity === quantity);
};

const restore: Probe<void> = async (ctx) => {
  const before = required(ctx, 'formation');
  if (before.length > 0) await ctx.deps.platform.updateFormation(ctx.app, before.map(({ type, quantity }) => ({ type, quantity })));
};

const RESTORE_TITLE = 'Scale the worker dynos back to the recorded formation';

const restoreFormationUndo: UndoSpec<RunbookDeps, unknown> = { title: RESTORE_TITLE, do: restore, done: restored, calls: [SCALE_CALL] };

/** Action: record the non-web formation, then scale it to 0. */
export function scaleDownWorkersStep(): ActionStep<RunbookDeps, unknown> {
  return action('Record the formation and scale the worker dynos to 0', {
    do: async (ctx) => {
      // After a crash the dynos may already be at 0: the first record is the one to restore.
      let before = output(ctx, 'formation');
      if (!before) {
        const formation = await ctx.deps.platform.formation(ctx.app);
        before = formation.filter((f) => f.type !== 'web' && f.quantity > 0).map(({ type, quantity }) => ({ type, quantity }));
        await record(ctx, 'formation', before);
      }
      if (before.length > 0) await ctx.deps.platform.updateFormation(ctx.app, before.map(({ type }) => ({ type, quantity: 0 })));
    },
    done: scaledDown,
    undo: restoreFormationUndo,
    calls: ['GET /apps/{app}/formation', SCALE_CALL],
  });
}

/** Action: scale the recorded process types back up. */
export function restoreFormationStep(): ActionStep<RunbookDeps, unknown> {
  return action(RESTORE_TITLE, { do: restore, done: restored, calls: [SCALE_CALL] });
}
