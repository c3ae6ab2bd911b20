import type { BotContext, Invocation } from '../context.js';
import { cancelText, notFound } from '../views/outcomes.js';

/** `/connect cancel RUN` and the run message's Cancel button: the requester or an operator of the app. */
export async function cancelRun(ctx: BotContext, inv: Invocation, runId: string): Promise<void> {
  const engine = ctx.engine();
  const run = await engine.getRun(runId);
  if (!run) return inv.reply(notFound(runId));
  if (run.requestedBy !== inv.userId) {
    const access = await ctx.access.mayOperate(inv.userId, run.app, 'cancel its runs');
    if (!access.ok) return inv.reply(access.message);
  }
  const result = await engine.cancel({ runId, userId: inv.userId });
  if (result.run) ctx.runMessages.show(result.run);
  await inv.reply(cancelText(result.outcome, runId, result.run));
}
