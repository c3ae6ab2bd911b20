import type { BotContext, Click } from '../context.js';
import { decisionText, notFound } from '../views/outcomes.js';

/**
 * The plan card's Approve and Reject buttons. Only the app's approvers may decide: anyone else is
 * refused privately and the request stays open. The engine records the decision against the plan
 * hash on the button, so a click on a card whose plan changed, or after expiry, records nothing.
 */
export async function decide(ctx: BotContext, click: Click, decision: 'approve' | 'reject'): Promise<void> {
  const { runId, planHash } = click.value;
  const engine = ctx.engine();
  const run = await engine.getRun(runId);
  if (!run) return click.reply(notFound(runId));
  const access = await ctx.access.mayDecide(click.userId, run.app, 'approve or reject its runs');
  if (!access.ok) return click.reply(`${access.message} The request stays open.`);
  const request = { runId, userId: click.userId, planHash };
  const result = decision === 'approve' ? await engine.approve(request) : await engine.reject(request);
  if (result.run) ctx.runMessages.show(result.run);
  await click.reply(decisionText(result.outcome, runId, result.run ?? run));
}
