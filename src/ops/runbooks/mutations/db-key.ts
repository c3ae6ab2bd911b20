import { api } from '../../heroku/calls.js';
import { mutation, type Fn } from '../deps.js';
import { REF_CALLS, refOf, schemaOf, type DbKey, type Who } from '../reads/connection.js';

/**
 * `connect:db:set` (docs/reference/heroku-connect-api.md, "Endpoints", C2): which config var a
 * connection reads its database from, and the schema it syncs into (always the schema the app's
 * connection had). `dbKey` is decided when the step runs.
 */
export function setDbKey(who: Who, dbKey: DbKey): Fn<void> {
  return mutation([dbKey, ...REF_CALLS, api.connect.setDatabase], async (ctx) => {
    await ctx.deps.connect.setDatabase(await refOf(ctx, who.side), { db_key: await dbKey(ctx), schema_name: schemaOf(ctx) });
  });
}
