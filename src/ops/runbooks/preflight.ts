import type { RunbookDeps } from './deps.js';
import { connectionSyncing } from './reads/connection-state.js';
import { connectionFound } from './reads/connection.js';
import { CONSUMERS_UNCHANGED, consumersFound, consumersUnchanged, type RefusalOptions } from './reads/consumers.js';
import { connectDatabaseFound } from './reads/database.js';
import { noMappingBusy } from './reads/mappings.js';
import { check, type CheckStep } from './runbook.js';

/**
 * The checks every runbook starts with: our own, not a document's steps. They find the connection
 * and the database it syncs to, record both for every later step, and refuse before anything changes.
 */

export const connectionFoundCheck = (): CheckStep<RunbookDeps, unknown> => check('Heroku Connect is attached to the app', connectionFound);

export const connectionSyncingCheck = (): CheckStep<RunbookDeps, unknown> => check('Heroku Connect is syncing (IDLE or POLLING_DB_CHANGES)', connectionSyncing);

/** A healthy connection, no table being loaded, and the Heroku Postgres database it syncs to. */
export function connectDatabaseChecks(): Array<CheckStep<RunbookDeps, unknown>> {
  return [
    connectionFoundCheck(),
    connectionSyncingCheck(),
    check('No mapping is loading or altering its table', noMappingBusy),
    check("Heroku Connect's db_key names a Heroku Postgres database of the app", connectDatabaseFound),
  ];
}

/**
 * Every runbook that cuts over to another database (or rewrites it in place) starts with this after
 * connectDatabaseChecks: it finds every consumer of the database (reads/consumers.ts), records them
 * for the steps that move names and stop writers, and refuses what cannot be made safe.
 */
export const consumersCheck = (options: RefusalOptions = {}): CheckStep<RunbookDeps, unknown> => check(CONSUMERS_CHECK, consumersFound(options));

/**
 * Right before the first change of the cutover, after its approval: the consumers found again are
 * those approved (they are in the plan hash), and nothing that is refused applies now; else the run
 * stops before any change and asks for a new plan.
 */
export const consumersUnchangedCheck = (options: RefusalOptions = {}, cites?: string): CheckStep<RunbookDeps, unknown> =>
  check(CONSUMERS_UNCHANGED, consumersUnchanged(options), cites ? { cites } : {});

/** The title of that check: a plan that has it replaces a database, so its card lists the consumers. */
export const CONSUMERS_CHECK = 'Every consumer of the database is found, and every app that uses it can be changed';
