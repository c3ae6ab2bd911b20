import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';
import { output, record, required } from '../outputs.js';

/**
 * Worker dynos keep writing even in maintenance mode ("spin down all non-web dynos (which continue
 * to run, even with maintenance mode enabled)"), so every non-web process type is scaled to 0. The
 * formation before is recorded first and restored exactly.
 */

/** `ps:scale worker=0 …`: records the non-web formation (once), then scales it to 0. */
export const scaleDownWorkers: Fn<void> = mutation([api.platform.formation, api.platform.updateFormation], async (ctx) => {
  // After a crash the dynos may already be at 0: the first record is the one to restore.
  let before = output(ctx, 'formation');
  if (!before) {
    const formation = await ctx.deps.platform.formation(ctx.app);
    before = formation.filter((f) => f.type !== 'web' && f.quantity > 0).map(({ type, quantity }) => ({ type, quantity }));
    await record(ctx, 'formation', before);
  }
  if (before.length > 0) await ctx.deps.platform.updateFormation(ctx.app, before.map(({ type }) => ({ type, quantity: 0 })));
});

/** `ps:scale` back to the recorded quantities. */
export const restoreFormation: Fn<void> = mutation([api.platform.updateFormation], async (ctx) => {
  const before = required(ctx, 'formation');
  if (before.length > 0) await ctx.deps.platform.updateFormation(ctx.app, before.map(({ type, quantity }) => ({ type, quantity })));
});
