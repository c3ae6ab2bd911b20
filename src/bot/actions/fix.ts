import { runbookPolicyFor } from '../../config.js';
import { commandOf } from '../commands/grammar.js';
import type { BotContext, Invocation } from '../context.js';
import { code } from '../views/format.js';
import type { FixValue } from './fix-values.js';

/**
 * The fix button of a health incident or a version warning: starts its runbook exactly as
 * `/connect <runbook> …` would, through the normal plan and approvals. Only the app's operators may,
 * from its channel, where the button is.
 */
export async function startFix(ctx: BotContext, inv: Invocation, fix: FixValue): Promise<void> {
  const access = await ctx.access.mayStart(inv.userId, fix.app, inv.channelId);
  if (!access.ok) return inv.reply(access.message);
  const { approvals, approvalTimeoutMs } = runbookPolicyFor(ctx.policy, fix.runbook, commandOf(fix.runbook));
  const run = await ctx.engine().start({
    runbook: fix.runbook,
    app: fix.app,
    params: fix.params,
    requestedBy: inv.userId,
    channel: ctx.access.app(fix.app)?.channel ?? inv.channelId,
    approvalsRequired: approvals,
    approvalTimeoutMs,
  });
  ctx.runMessages.show(run);
  await inv.reply(`Started ${code(run.id)} (${run.runbook} ${run.app}) to fix it: its plan card and progress are in <#${run.channel ?? inv.channelId}>.`);
}
