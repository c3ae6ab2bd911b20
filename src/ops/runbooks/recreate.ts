import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { syncAndConnections } from './documents.js';
import { salesforceLogin } from './manual/salesforce-login.js';
import { settingsByHand } from './manual/settings-by-hand.js';
import { importConfiguration } from './mutations/configuration.js';
import { createConnectAddOn, destroyOldConnectAddOn } from './mutations/connect-addon.js';
import { setDbKey } from './mutations/db-key.js';
import { pause } from './mutations/pause.js';
import { required } from './outputs.js';
import { APP, appName } from './params.js';
import { connectionFoundCheck, consumersCheck, consumersUnchangedCheck } from './preflight.js';
import { KEEPS_DATABASE } from './reads/consumers.js';
import { connectDatabaseFound } from './reads/database.js';
import { NO_WRITER_NOW, NO_WRITER_STILL, noWriterNow } from './reads/writers.js';
import { disableScheduler, enableSchedulerWhenSynced } from './writers.js';
import { configurationExported, importFinished, importStarted } from './reads/configuration.js';
import { connectAddOnFound, newConnectAddOnExists, newConnectionListed, oldConnectAddOnGone, salesforceAuthorized } from './reads/connect-addon.js';
import { connectionHasDatabase, connectionReaches, pausedOrPausing } from './reads/connection-state.js';
import { dbKeyIs, HEROKU_CONNECT, NEW_CONNECTION, type DbKey } from './reads/connection.js';
import { allMappingsSynced, mappingsSynced, noPendingChanges } from './reads/mappings.js';
import { action, approval, check, manual, runbook, wait } from './runbook.js';
import { pauseRetry, timing } from './timings.js';

export const recreateParams = z.object({ app: appName });
type Params = z.infer<typeof recreateParams>;

const sameDbKey: DbKey = (ctx) => required(ctx, 'connection').db_key ?? 'DATABASE_URL';

/**
 * `recreate`: rebuild the Heroku Connect add-on from its exported configuration (Dev Center
 * "Managing Heroku Connect Sync and Connections", "Recreating a Connection After a Sandbox Refresh",
 * which describes it in prose, without numbered steps). With writes stopped and every mapping
 * DATA_SYNCED, the old add-on is paused and destroyed, a new one is created, set to the same database
 * and schema, authorized in Salesforce, and given the same mappings, which then load again. What the
 * export does not carry is set by hand.
 */
// The database stays: no name moves and no other app is changed, but no app that uses it may write
// while no connection captures its writes (issue 10, "recreate where it applies"): KEEPS_DATABASE.
export const recreate = runbook<RunbookDeps, Params>({
  name: 'recreate',
  summary: 'Recreate the Heroku Connect add-on from its exported configuration (writes stopped, every mapping DATA_SYNCED)',
  document: syncAndConnections.recreate,
  command: { command: 'recreate', params: [APP], examples: ['recreate acme-prod'] },
  params: recreateParams,
  steps: () => [
    connectionFoundCheck(),
    check('Heroku Connect has a database set (db_key)', connectionHasDatabase),
    check("Heroku Connect's db_key names a Heroku Postgres database of the app", connectDatabaseFound),
    consumersCheck(KEEPS_DATABASE),
    check("Heroku Connect's add-on and plan are known", connectAddOnFound),
    check('Every mapping is DATA_SYNCED', allMappingsSynced),
    check(NO_WRITER_NOW, noWriterNow),
    check('Heroku Connect has no changes left to write to Salesforce', noPendingChanges),
    check('Export the Heroku Connect configuration (connect:export) and keep it with the run', configurationExported),
    approval('Approve destroying and recreating the Heroku Connect add-on', { binds: ['consumers'] }),
    // A Scheduler job started during the recreate would write while no connection captures it.
    disableScheduler(),
    consumersUnchangedCheck(KEEPS_DATABASE),
    check(NO_WRITER_STILL, noWriterNow),
    wait('Wait until Heroku Connect is IDLE', connectionReaches(HEROKU_CONNECT, 'IDLE'), timing.untilIdle),
    // The old connection is destroyed right after its pause, so resuming it is no rollback.
    action('Pause Heroku Connect', { do: pause(HEROKU_CONNECT), done: pausedOrPausing(HEROKU_CONNECT), retryRefused: pauseRetry, downtime: 'starts' }),
    wait('Wait until Heroku Connect is PAUSED', connectionReaches(HEROKU_CONNECT, 'PAUSED'), timing.untilPaused),
    action('Destroy the old Heroku Connect add-on', { do: destroyOldConnectAddOn, done: oldConnectAddOnGone }),
    action('Create a new Heroku Connect add-on on the same plan', { do: createConnectAddOn, done: newConnectAddOnExists }),
    wait('Wait until the new Heroku Connect add-on is provisioned', newConnectionListed, timing.newConnectAddOn),
    action('Set the database and schema of the new connection (connect:db:set)', { do: setDbKey(NEW_CONNECTION, sameDbKey), done: dbKeyIs(NEW_CONNECTION, sameDbKey) }),
    manual('Authorize the new connection in Salesforce', salesforceLogin({ beside: false })),
    wait('Wait until the new connection is authorized in Salesforce', salesforceAuthorized, timing.salesforceAuthorized),
    action('Import the kept configuration into the new connection', { do: importConfiguration, done: importStarted, downtime: 'ends' }),
    wait('Wait until the configuration is imported', importFinished, timing.importFinished),
    wait('Wait until every mapping is DATA_SYNCED', mappingsSynced(NEW_CONNECTION, 'all'), { ...timing.initialLoad, max: '10m', timeout: '72h', expect: ['10m', '24h'] }),
    enableSchedulerWhenSynced(),
    manual('Set again by hand what the export does not carry (Merged Writes, logging, notifications)', settingsByHand),
  ],
});
