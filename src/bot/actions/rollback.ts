import type { BotContext, Click } from '../context.js';
import { section } from '../views/blocks.js';
import { code, slackTime } from '../views/format.js';
import { notFound } from '../views/outcomes.js';

/** The summary's Roll back button: an operator starts a run that undoes what the run changed. */
export async function rollBack(ctx: BotContext, click: Click): Promise<void> {
  const { runId } = click.value;
  const engine = ctx.engine();
  const run = await engine.getRun(runId);
  if (!run) return click.reply(notFound(runId));
  const access = await ctx.access.mayOperate(click.userId, run.app, 'roll back its runs');
  if (!access.ok) return click.reply(access.message);
  const rollback = await engine.rollback({ runId, userId: click.userId, channel: run.channel });
  ctx.runMessages.show(rollback);
  const text = `:leftwards_arrow_with_hook: <@${click.userId}> started rolling back ${code(runId)} ${slackTime(ctx.clock())}: run ${code(rollback.id)}.`;
  await click.replaceMessage({ text: `Rolling back ${runId}`, blocks: [section(text)] });
}
