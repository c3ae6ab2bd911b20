import type { BotContext, Invocation } from '../context.js';
import { runsList } from '../views/runs.js';

const SHOWN = 15;

/** `/connect runs [APP]`: the newest runs, of one app or all. */
export async function listRuns(ctx: BotContext, inv: Invocation, app: string | null): Promise<void> {
  const runs = await ctx.engine().listRuns({ ...(app ? { app } : {}), limit: SHOWN });
  await inv.reply(runsList(runs, app));
}
