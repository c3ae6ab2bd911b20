import type { RunbookDeps } from './deps.js';
import { keepOldDatabaseAttached } from './mutations/attachments.js';
import { setDbKey } from './mutations/db-key.js';
import { moveEveryName } from './mutations/names.js';
import { promoteNewDatabase } from './mutations/promote.js';
import { dbKeyIs, HEROKU_CONNECT, type Who } from './reads/connection.js';
import { cutoverDecided, newDatabasePromoted, whenOwnConfigVar, whenPromoting } from './reads/cutover.js';
import { everyNameMoved, namesVerified, oldDatabaseKeepsItsName, releasesSettled } from './reads/names.js';
import { oldFollowersListed } from './reads/old-followers.js';
import { required } from './outputs.js';
import { action, check, wait, type Step } from './runbook.js';
import { timing } from './timings.js';

/**
 * The cutover to a run's new database, with the app's writes stopped and Heroku Connect paused
 * (reads/cutover.ts, reads/names.ts): the old database keeps one name of its own, the new one is
 * promoted to DATABASE_URL when the old one was it (pg:promote), every other name of the old database
 * on every app (the pool, color names, `--as` names, other apps') is attached to the new one in its
 * namespace, so Heroku Connect's db_key moves with the app; the run waits for the release phase of
 * those attach and detach releases. connect:db:set remains for a db_key that is not such a name.
 * Both branches are in the plan; the run takes one and records the other as skipped.
 */
export function cutoverSteps(cites: string): Array<Step<RunbookDeps, unknown>> {
  const newDbKey = (ctx: Parameters<typeof required>[0]) => required(ctx, 'cutover').newDbKey;
  return [
    check("Heroku Connect's db_key is unchanged since the start; it decides between promote and connect:db:set", cutoverDecided, { cites }),
    ...nameSteps(cites, [
      action('Promote the new database to DATABASE_URL (pg:promote)', { do: promoteNewDatabase, done: newDatabasePromoted, when: whenPromoting, cites }),
    ]),
    action("Point Heroku Connect's db_key at the new database (connect:db:set)", {
      do: setDbKey(HEROKU_CONNECT, newDbKey),
      done: dbKeyIs(HEROKU_CONNECT, newDbKey),
      when: whenOwnConfigVar,
      cites,
    }),
    ...verifySteps(HEROKU_CONNECT, cites),
  ];
}

/**
 * Before writes resume (issue 10 part 4): every name names the new database and `who` syncs it, or
 * the run stops here with writes off and the remedy; then the old database's followers, which no
 * cutover moves, are listed with the commands that recreate them (part 6).
 */
export function verifySteps(who: Who, cites: string): Array<Step<RunbookDeps, unknown>> {
  return [
    check(`Every name that named the old database names the new one, on every app, and ${who.name} syncs it`, namesVerified(who), { cites }),
    check('The followers that still follow the old database are listed, with the commands to recreate them on the new one', oldFollowersListed),
  ];
}

/**
 * The names of a cutover around its promote: the old database's own name first (pg:promote step 2),
 * every other name after it (step 5 and `addons:attach --as`), then the release phase (step 7).
 */
export function nameSteps(cites: string, promote: Array<Step<RunbookDeps, unknown>>): Array<Step<RunbookDeps, unknown>> {
  return [
    action('Keep the old database attached under a name of its own (pg:promote step 2)', { do: keepOldDatabaseAttached, done: oldDatabaseKeepsItsName, cites }),
    ...promote,
    action('Attach the new database under every other name of the old one, on every app, in its namespace (pg:promote step 5, addons:attach --as)', {
      do: moveEveryName,
      done: everyNameMoved,
      cites,
    }),
    wait('Wait until the release phase has run for the attach and detach releases (pg:promote)', releasesSettled, { ...timing.releasePhase, cites }),
  ];
}
