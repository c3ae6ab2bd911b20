import type { RunbookDeps } from './deps.js';
import { keepOldDatabaseAttached } from './mutations/attachments.js';
import { setDbKey } from './mutations/db-key.js';
import { promoteNewDatabase } from './mutations/promote.js';
import { dbKeyIs, HEROKU_CONNECT } from './reads/connection.js';
import { cutoverDecided, newDatabasePromoted, oldDatabaseKeepsItsName, whenOwnConfigVar, whenPromoting } from './reads/cutover.js';
import { required } from './outputs.js';
import { action, check, type Step } from './runbook.js';

/**
 * The cutover to a run's new database, with the app's writes stopped and Heroku Connect paused.
 * Heroku documents two ways, chosen by Heroku Connect's db_key (reads/cutover.ts): promote the new
 * database to DATABASE_URL (pg:promote: keep the old one attached under a name of its own, then
 * attach the new one as DATABASE), or point the db_key at the new database's config var
 * (connect:db:set). Both branches are in the plan; the run takes one and records the other as skipped.
 */
export function cutoverSteps(cites: string): Array<Step<RunbookDeps, unknown>> {
  const newDbKey = (ctx: Parameters<typeof required>[0]) => required(ctx, 'newDatabase').configVar;
  return [
    check("Heroku Connect's db_key is unchanged since the start; it decides between promote and connect:db:set", cutoverDecided, { cites }),
    action('Keep the old database attached under a name of its own (pg:promote step 2)', {
      do: keepOldDatabaseAttached,
      done: oldDatabaseKeepsItsName,
      when: whenPromoting,
      cites,
    }),
    action('Promote the new database to DATABASE_URL (pg:promote)', { do: promoteNewDatabase, done: newDatabasePromoted, when: whenPromoting, cites }),
    action("Point Heroku Connect's db_key at the new database (connect:db:set)", {
      do: setDbKey(HEROKU_CONNECT, newDbKey),
      done: dbKeyIs(HEROKU_CONNECT, newDbKey),
      when: whenOwnConfigVar,
      cites,
    }),
  ];
}
