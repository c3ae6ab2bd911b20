import { cancelRun } from '../commands/cancel.js';
import type { BotContext, Click } from '../context.js';

/** The run message's Cancel button does what `/connect cancel RUN` does. */
export function cancelFromButton(ctx: BotContext, click: Click): Promise<void> {
  return cancelRun(ctx, click, click.value.runId);
}
