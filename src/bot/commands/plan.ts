import { runbookPolicyFor } from '../../config.js';
import { CONSUMERS_CHECK } from '../../ops/runbooks/preflight.js';
import type { BotContext, Invocation } from '../context.js';
import { planCard } from '../views/plan-card.js';
import type { RunRequest } from './grammar.js';

/** `/connect plan RUNBOOK APP …`: the plan card, to the asker only, with nothing started. */
export async function previewPlan(ctx: BotContext, inv: Invocation, request: RunRequest, startWith: string): Promise<void> {
  const plan = ctx.engine().plan(request.runbook, request.params, request.app);
  const { approvals, approvalTimeoutMs } = runbookPolicyFor(ctx.policy, request.runbook, request.command);
  // A cutover's preview lists who uses the database, read now (read-only); the plan itself stays pure.
  const discover = ctx.ports.consumers;
  const consumers =
    discover && plan.steps.some((s) => s.title === CONSUMERS_CHECK)
      ? await discover(request.app, request.runbook).catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }))
      : undefined;
  await inv.reply(
    planCard({ plan, approvers: await ctx.access.approverMentions(request.app), approvalsRequired: approvals, approvalTimeoutMs, startWith, consumers }),
  );
}
