import type { BotContext, Invocation } from '../context.js';
import { upcomingWindowsView } from '../views/maintenance.js';

/** `/connect maintenance`: the windows the watcher knows about. */
export async function showMaintenance(ctx: BotContext, inv: Invocation): Promise<void> {
  await inv.reply(upcomingWindowsView(await ctx.ports.upcomingWindows()));
}
