import type { BotContext, Invocation } from '../context.js';
import { helpView, usageErrorText } from '../views/help.js';
import { cancelRun } from './cancel.js';
import { parseCommand } from './grammar.js';
import { showMaintenance } from './maintenance.js';
import { previewPlan } from './plan.js';
import { listRuns } from './runs.js';
import { startRun } from './start-run.js';
import { showStatus } from './status.js';

/** `/connect <text>`: parses the text against what the policy and the ports know, then runs the command. */
export async function dispatchCommand(ctx: BotContext, inv: Invocation, text: string): Promise<void> {
  const parsed = parseCommand(text, {
    apps: ctx.access.apps(),
    plans: ctx.ports.planNames,
    runbooks: ctx.ports.runbookNames,
    now: ctx.clock(),
  });
  if (!parsed.ok) return inv.reply(usageErrorText(parsed.error));
  const { command } = parsed;
  switch (command.name) {
    case 'help':
      return inv.reply(helpView(command.topic));
    case 'status':
      return showStatus(ctx, inv, command.app);
    case 'maintenance':
      return showMaintenance(ctx, inv);
    case 'runs':
      return listRuns(ctx, inv, command.app);
    case 'cancel':
      return cancelRun(ctx, inv, command.runId);
    case 'plan':
      return previewPlan(ctx, inv, command.request, `/connect ${text.trim().replace(/^plan\s+/i, '')}`);
    case 'run':
      return startRun(ctx, inv, command.request);
  }
}
