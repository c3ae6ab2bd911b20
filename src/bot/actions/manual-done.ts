import type { BotContext, Click } from '../context.js';
import { section } from '../views/blocks.js';
import { escape, slackTime } from '../views/format.js';
import { manualText, notFound } from '../views/outcomes.js';

/** A manual step's Done button: an operator of the app confirms the step was done by hand. */
export async function completeManualStep(ctx: BotContext, click: Click): Promise<void> {
  const { runId, stepIdx } = click.value;
  const engine = ctx.engine();
  const run = await engine.getRun(runId);
  if (!run || stepIdx === null) return click.reply(notFound(runId));
  const access = await ctx.access.mayOperate(click.userId, run.app, 'confirm its manual steps');
  if (!access.ok) return click.reply(access.message);
  const result = await engine.completeManualStep({ runId, stepIdx, userId: click.userId });
  if (result.run) ctx.runMessages.show(result.run);
  if (result.outcome === 'completed') {
    const title = run.steps[stepIdx]?.title ?? `step ${stepIdx + 1}`;
    const text = `:white_check_mark: *Step ${stepIdx + 1}: ${escape(title)}*: done, confirmed by <@${click.userId}> ${slackTime(ctx.clock())}.`;
    await click.replaceMessage({ text: `Done: ${title}`, blocks: [section(text)] });
  }
  await click.reply(manualText(result.outcome, runId, result.run));
}
