import type { BotContext, Click } from '../context.js';
import { section } from '../views/blocks.js';
import { slackTime } from '../views/format.js';
import { notFound, overrideText } from '../views/outcomes.js';

/** A maintenance hold's Override button: an approver lets the run go on during the window. */
export async function overrideHold(ctx: BotContext, click: Click): Promise<void> {
  const { runId } = click.value;
  const engine = ctx.engine();
  const run = await engine.getRun(runId);
  if (!run) return click.reply(notFound(runId));
  const access = await ctx.access.mayDecide(click.userId, run.app, 'override maintenance holds');
  if (!access.ok) return click.reply(access.message);
  const result = await engine.overrideMaintenance({ runId, userId: click.userId });
  if (result.run) ctx.runMessages.show(result.run);
  if (result.outcome === 'overridden') {
    const text = `:double_vertical_bar: Maintenance hold overridden by <@${click.userId}> ${slackTime(ctx.clock())}.`;
    await click.replaceMessage({ text: 'Maintenance hold overridden', blocks: [section(text)] });
  }
  await click.reply(overrideText(result.outcome, runId, result.run ?? run));
}
