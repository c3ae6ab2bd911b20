import type { webApi } from '@slack/bolt';
import type { BotContext } from '../context.js';
import { homeView } from '../views/home.js';
import { homeData } from './data.js';

/** Publishes a person's App Home tab, with a notice at the top after something they did there. */
export async function publishHome(ctx: BotContext, client: webApi.WebClient, userId: string, notice?: string): Promise<void> {
  await client.views.publish({ user_id: userId, view: homeView(await homeData(ctx, userId), notice) });
}
