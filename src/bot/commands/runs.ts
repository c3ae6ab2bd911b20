import type { BotContext, Invocation } from '../context.js';
import { runsList } from '../views/runs.js';

const SHOWN = 15;

/** `/connect runs [APP]`: the newest runs of `app`, or of every app in `readable` (those the asker may read here). */
export async function listRuns(ctx: BotContext, inv: Invocation, app: string | null, readable: readonly string[]): Promise<void> {
  if (readable.length === 0) {
    return inv.reply('No app you may read is answered in this channel: ask in an app’s channel, or name the app (`/connect runs APP`).');
  }
  const engine = ctx.engine();
  const everyApp = ctx.access.apps().every((a) => readable.includes(a));
  const runs = everyApp
    ? await engine.listRuns({ ...(app ? { app } : {}), limit: SHOWN })
    : (await Promise.all(readable.map((a) => engine.listRuns({ app: a, limit: SHOWN }))))
        .flat()
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .slice(0, SHOWN);
  await inv.reply(runsList(runs, app));
}
