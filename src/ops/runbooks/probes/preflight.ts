import type { RunbookDeps } from '../deps.js';
import { check, type CheckStep } from '../runbook.js';
import { connectionFound, connectionSyncing } from './connection.js';
import { connectDatabaseFound } from './database.js';
import { noMappingBusy } from './mapping-states.js';

/** The checks every database runbook starts with: a healthy connection, and the database it syncs to. */

const DETAIL = 'GET /api/v3/connections/{id}?deep=true';

export const connectionFoundCheck = (): CheckStep<RunbookDeps, unknown> =>
  check('Heroku Connect is attached to the app', connectionFound, { calls: ['GET /connections?app={app}', DETAIL] });

export const connectionSyncingCheck = (): CheckStep<RunbookDeps, unknown> =>
  check('Heroku Connect is syncing (IDLE or POLLING_DB_CHANGES)', connectionSyncing, { calls: [DETAIL] });

export function connectDatabaseChecks(): Array<CheckStep<RunbookDeps, unknown>> {
  return [
    connectionFoundCheck(),
    connectionSyncingCheck(),
    check('No mapping is loading or altering its table', noMappingBusy, { calls: [DETAIL] }),
    check("Heroku Connect's db_key names a Heroku Postgres database of the app", connectDatabaseFound, {
      calls: ['POST /actions/addon-attachments/resolve', 'GET /apps/{app}/addons/{addon}', 'GET /client/v11/databases/{id}'],
    }),
  ];
}
