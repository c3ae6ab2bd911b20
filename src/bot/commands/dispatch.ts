import type { BotContext, Invocation } from '../context.js';
import { planNamesOf } from '../plan-names.js';
import { stranger } from '../policy.js';
import { helpView, usageErrorText } from '../views/help.js';
import { cancelRun } from './cancel.js';
import { parseCommand } from './grammar.js';
import { showMaintenance } from './maintenance.js';
import { previewPlan } from './plan.js';
import { listRuns } from './runs.js';
import { startRun } from './start-run.js';
import { showStatus } from './status.js';

/**
 * `/connect <text>`: parses the text against what the policy and the ports know, then runs the
 * command. Someone the policy names nowhere gets `help` and a refusal, nothing else: no app
 * names in a usage error, no Heroku call.
 */
export async function dispatchCommand(ctx: BotContext, inv: Invocation, text: string): Promise<void> {
  const first = /^\s*(\S*)/.exec(text)?.[1]?.toLowerCase() ?? '';
  if (first !== '' && first !== 'help' && !(await ctx.access.isKnown(inv.userId))) return inv.reply(stranger().message);
  const parsed = parseCommand(text, {
    apps: ctx.access.apps(),
    plans: await planNamesOf(ctx),
    runbooks: ctx.ports.runbookNames,
    now: ctx.clock(),
  });
  if (!parsed.ok) return inv.reply(usageErrorText(parsed.error));
  const { command } = parsed;
  switch (command.name) {
    case 'help':
      return inv.reply(helpView(command.topic));
    case 'status': {
      const access = await ctx.access.mayRead(inv.userId, command.app, inv.channelId, 'read its status');
      return access.ok ? showStatus(ctx, inv, command.app) : inv.reply(access.message);
    }
    case 'maintenance': {
      const access = await ctx.access.mayReadMaintenance(inv.userId, inv.channelId);
      return access.ok ? showMaintenance(ctx, inv) : inv.reply(access.message);
    }
    case 'runs': {
      if (!command.app) return listRuns(ctx, inv, null, await ctx.access.readableApps(inv.userId, inv.channelId));
      const access = await ctx.access.mayRead(inv.userId, command.app, inv.channelId, 'list its runs');
      return access.ok ? listRuns(ctx, inv, command.app, [command.app]) : inv.reply(access.message);
    }
    case 'cancel':
      return cancelRun(ctx, inv, command.runId);
    case 'plan': {
      const access = await ctx.access.mayRead(inv.userId, command.request.app, inv.channelId, 'see its plans');
      if (!access.ok) return inv.reply(access.message);
      return previewPlan(ctx, inv, command.request, `/connect ${text.trim().replace(/^plan\s+/i, '')}`);
    }
    case 'run':
      return startRun(ctx, inv, command.request);
  }
}
