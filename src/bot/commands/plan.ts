import { runbookPolicyFor } from '../../config.js';
import type { BotContext, Invocation } from '../context.js';
import { planCard } from '../views/plan-card.js';
import type { RunRequest } from './grammar.js';

/** `/connect plan RUNBOOK APP …`: the plan card, to the asker only, with nothing started. */
export async function previewPlan(ctx: BotContext, inv: Invocation, request: RunRequest, startWith: string): Promise<void> {
  const plan = ctx.engine().plan(request.runbook, request.params, request.app);
  const { approvals, approvalTimeoutMs } = runbookPolicyFor(ctx.policy, request.runbook, request.command);
  await inv.reply(
    planCard({ plan, approvers: await ctx.access.approverMentions(request.app), approvalsRequired: approvals, approvalTimeoutMs, startWith }),
  );
}
