import type { BotContext, Invocation } from '../context.js';
import { code, untrusted } from '../views/format.js';
import { statusView } from '../views/status.js';

/** `/connect status APP`: live state from Heroku, and the run in progress if any. */
export async function showStatus(ctx: BotContext, inv: Invocation, app: string): Promise<void> {
  const [status, active] = await Promise.allSettled([ctx.ports.appStatus(app), ctx.engine().listRuns({ app, active: true, limit: 1 })]);
  if (status.status === 'rejected') {
    const reason = status.reason instanceof Error ? status.reason.message : String(status.reason);
    // Refused by the limiter to keep the budget for runs (ops/limits.ts ReadRefused): already logged there.
    if (status.reason instanceof Error && status.reason.name === 'ReadRefused') return inv.reply(`Could not read the status of ${code(app)}: ${untrusted(reason, 400)}`);
    ctx.logger.warn({ err: status.reason, app }, 'could not read the status of an app');
    return inv.reply(
      `Could not read the status of ${code(app)} from Heroku: ${untrusted(reason, 400)}\n` +
        'Try again in a minute; if it keeps failing, check https://status.heroku.com and the bot\'s Heroku API key.',
    );
  }
  await inv.reply(statusView(status.value, active.status === 'fulfilled' ? active.value[0] : undefined));
}
