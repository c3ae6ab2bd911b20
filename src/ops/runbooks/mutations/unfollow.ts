import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';
import { newDatabaseId } from '../reads/new-database.js';

/** `pg:unfollow` of the run's follower: it becomes a database of its own. Idempotent (PUT), so a repeat after a crash does no harm. */
export const unfollow: Fn<void> = mutation([newDatabaseId, api.data.unfollow], async (ctx) => {
  await ctx.deps.data.unfollow(await newDatabaseId(ctx));
});
