import { runbookPolicyFor } from '../../config.js';
import type { BotContext, Invocation } from '../context.js';
import { code } from '../views/format.js';
import type { RunRequest } from './grammar.js';

/**
 * `/connect upgrade APP …` and the other runbook commands: an operator, in the app's channel,
 * starts a run with the approvals its runbook needs by policy. The engine holds it at its
 * approval step; the plan card and the run message appear in the channel.
 */
export async function startRun(ctx: BotContext, inv: Invocation, request: RunRequest): Promise<void> {
  const access = await ctx.access.mayStart(inv.userId, request.app, inv.channelId);
  if (!access.ok) return inv.reply(access.message);
  const { approvals, approvalTimeoutMs } = runbookPolicyFor(ctx.policy, request.runbook, request.command);
  const run = await ctx.engine().start({
    runbook: request.runbook,
    app: request.app,
    params: request.params,
    requestedBy: inv.userId,
    channel: ctx.access.app(request.app)?.channel ?? inv.channelId,
    approvalsRequired: approvals,
    approvalTimeoutMs,
    notBefore: request.notBefore,
  });
  ctx.runMessages.show(run);
  await inv.reply(`Started ${code(run.id)} (${run.runbook} ${run.app}): its plan card and progress are in <#${run.channel ?? inv.channelId}>.`);
}
