import { api } from '../../heroku/calls.js';
import type { ConnectionRef } from '../../heroku/connect.js';
import { HerokuApiError } from '../../heroku/errors.js';
import type { Connection } from '../../heroku/types.js';
import { read, type Ctx, type Fn } from '../deps.js';
import { output, record, required } from '../outputs.js';
import type { CheckResult } from '../runbook.js';

/**
 * Which Heroku Connect connection a step works on, and reading it. The app's connection is found
 * once, by the first check, through discovery (docs/reference/heroku-connect-api.md, 'Finding "the
 * connection" of an app'), then read by id on its regional host; a connection the run creates
 * (recreate, add-column) is recorded once discovery lists it.
 */

/** The app's connection, or the one this run creates. */
export type Side = 'connection' | 'newConnection';

/** A side and how step titles and progress name it: "Heroku Connect", or "the old connection" once there is a new one. */
export interface Who {
  readonly side: Side;
  readonly name: string;
}

export const HEROKU_CONNECT: Who = { side: 'connection', name: 'Heroku Connect' };
export const OLD_CONNECTION: Who = { side: 'connection', name: 'the old connection' };
export const NEW_CONNECTION: Who = { side: 'newConnection', name: 'the new connection' };

/** "Heroku Connect", "The new connection": a name at the start of a sentence. */
export const Named = (who: Who): string => who.name.charAt(0).toUpperCase() + who.name.slice(1);

const findAndRead = (ctx: Ctx, known: ConnectionRef | undefined): Promise<Connection> =>
  known ? ctx.deps.connect.connection(known) : ctx.deps.connect.findConnection(ctx.app);

/** The app's connection with its mappings: one request once the first check has recorded where it lives. */
export const readConnection: Fn<Connection> = read([api.connect.connection, api.connect.findConnection], (ctx) => findAndRead(ctx, output(ctx, 'connection')));

const readNewConnection: Fn<Connection> = read([api.connect.connection], (ctx) => ctx.deps.connect.connection(required(ctx, 'newConnection')));

/** A side's connection with its mappings. */
export function readSide(side: Side): Fn<Connection> {
  return side === 'connection' ? readConnection : readNewConnection;
}

/** Where a side lives, for mutations: no request once it is recorded. */
export async function refOf(ctx: Ctx, side: Side): Promise<ConnectionRef> {
  if (side === 'newConnection') return required(ctx, 'newConnection');
  return output(ctx, 'connection') ?? ctx.deps.connect.findConnection(ctx.app);
}

/** The calls `refOf` may make. */
export const REF_CALLS = [api.connect.findConnection];

/** Check: the app has exactly one Heroku Connect connection the token can reach. Records it. */
export const connectionFound: Fn<CheckResult> = read([api.connect.findConnection], async (ctx) => {
  try {
    const connection = await ctx.deps.connect.findConnection(ctx.app);
    const { id, region_url, db_key = null, schema_name = null } = connection;
    await record(ctx, 'connection', { id, region_url, db_key, schema_name });
    return { ok: true };
  } catch (error) {
    if (error instanceof HerokuApiError && error.reason === 'no_connection') {
      return {
        ok: false,
        reason: error.message,
        next: 'Add the Heroku Connect add-on, or open it once with `heroku addons:open herokuconnect` so that the connect-ops token can see it.',
      };
    }
    if (error instanceof HerokuApiError && error.reason === 'multiple_connections') {
      return { ok: false, reason: `${ctx.app} has several Heroku Connect connections.`, next: 'These runbooks handle apps with one connection; run the procedure by hand.' };
    }
    throw error;
  }
});

/** The schema Heroku Connect syncs into, as the first check found it. */
export const schemaOf = (ctx: Ctx): string => required(ctx, 'connection').schema_name ?? 'salesforce';

/** A db_key decided when the step runs: `DATABASE_URL`, or the new database's config var (a read declares its calls). */
export type DbKey = ((ctx: Ctx) => Promise<string> | string) & { readonly calls?: readonly string[] };

/** Done probe of `connect:db:set`: the connection reads `dbKey` into the app connection's schema. */
export function dbKeyIs(who: Who, dbKey: DbKey): Fn<boolean> {
  return read([readSide(who.side), dbKey], async (ctx) => {
    const { db_key, schema_name } = await readSide(who.side)(ctx);
    return db_key === (await dbKey(ctx)) && schema_name === schemaOf(ctx);
  });
}
