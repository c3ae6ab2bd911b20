import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { addColumnArticle } from './documents.js';
import { abortInitialLoad } from './manual/abort-initial-load.js';
import { copyAdditionalData } from './manual/copy-additional-data.js';
import { salesforceLogin } from './manual/salesforce-login.js';
import { settingsByHand } from './manual/settings-by-hand.js';
import { recreateUnmanagedObjects } from './manual/unmanaged-objects.js';
import { importConfiguration } from './mutations/configuration.js';
import { createConnectAddOn, destroyNewConnectAddOn } from './mutations/connect-addon.js';
import { setDbKey } from './mutations/db-key.js';
import { restoreFormation, scaleDownWorkers } from './mutations/formation.js';
import { setMaintenance } from './mutations/maintenance.js';
import { addFields } from './mutations/mapping-fields.js';
import { createDatabase, destroyNewDatabase } from './mutations/new-database.js';
import { pause } from './mutations/pause.js';
import { promoteNewDatabase } from './mutations/promote.js';
import { reloadMappings } from './mutations/reload.js';
import { resume } from './mutations/resume.js';
import { required } from './outputs.js';
import { APP, appName, OBJECT, salesforceName, salesforceNames } from './params.js';
import { connectDatabaseChecks, consumersCheck, consumersUnchangedCheck } from './preflight.js';
import { formationRestored, maintenanceIs, workersScaledDown } from './reads/app.js';
import { configurationExported, importFinished, importStarted } from './reads/configuration.js';
import { connectAddOnFound, newConnectAddOnExists, newConnectAddOnGone, newConnectionListed, salesforceAuthorized } from './reads/connect-addon.js';
import { connectionReaches, notPaused, pausedOrPausing } from './reads/connection-state.js';
import { dbKeyIs, NEW_CONNECTION, OLD_CONNECTION, type DbKey } from './reads/connection.js';
import { newDatabasePromoted, syncsToDatabaseUrl } from './reads/cutover.js';
import { NEW_ADD_ON } from './reads/consumers.js';
import { keptConfigVar } from './reads/names.js';
import { nameSteps, verifySteps } from './cutover.js';
import { fieldsAre, fieldsMapped } from './reads/mapping-fields.js';
import { mappingsAtRest, mappingsExist, mappingsNotLoading, mappingsSynced, pendingChangesWritten } from './reads/mappings.js';
import { newDatabaseAvailable, newDatabaseExists, newDatabaseGone } from './reads/new-database.js';
import { allReloaded, reloadFinished } from './reads/reload.js';
import { action, approval, check, manual, runbook, wait, type Step } from './runbook.js';
import { pauseRetry, timing } from './timings.js';
import { disableScheduler, enableScheduler, noWriterBefore, restartOtherWriters, stopOtherWriters } from './writers.js';

/** Fields to add to one mapping. */
const columns = z.object({ object: salesforceName, fields: salesforceNames });

export const addColumnParams = z
  .object({
    app: appName,
    object: salesforceName.optional(),
    fields: salesforceNames.optional(),
    /** Several mappings at once: `[{ object, fields }]`. */
    mappings: z.array(columns).min(1).optional(),
  })
  .refine((p) => (p.object === undefined) === (p.fields === undefined), { message: 'give --object and --fields together', path: ['fields'] })
  .refine((p) => p.object !== undefined || p.mappings !== undefined, { message: 'name the mapping with --object and the new --fields', path: ['object'] });
type Params = z.infer<typeof addColumnParams>;
type Columns = z.infer<typeof columns>;

/** Every mapping to change, the one of `object`/`fields` first. */
function columnsOf(params: Params): Columns[] {
  return [...(params.object && params.fields ? [{ object: params.object, fields: params.fields }] : []), ...(params.mappings ?? [])];
}

const newDatabase: DbKey = (ctx) => required(ctx, 'newDatabase').configVar;
const promoted: DbKey = () => 'DATABASE_URL';


/**
 * `add-column`: the help article "How to add a column to a very large table managed by Heroku Connect
 * with minimal downtime", Prep Work 1–13 then Cutover 1–11 (docs/procedures.md sets them side by
 * side). A new database and a new Heroku Connect add-on load the mappings, with the new fields,
 * beside the running connection; at the cutover, writes stop, the old connection writes what is
 * pending and both pause, the app's own data is copied, the new database is promoted to
 * DATABASE_URL, the old connection keeps the old database (paused), the new one takes DATABASE_URL,
 * and the app starts again.
 */
export const addColumn = runbook<RunbookDeps, Params>({
  name: 'add-column',
  summary: 'Add fields to a very large mapping through a parallel connection on a new database, then cut over to it',
  document: addColumnArticle,
  command: {
    command: 'add-column',
    params: [APP, OBJECT, { key: 'fields', kind: 'positional', name: 'FIELD…', type: 'sf-name', many: true, description: 'The Salesforce fields to add to the mapping, e.g. Region__c Tier__c.' }],
    schedulable: true,
    examples: ['add-column acme-prod Account Region__c Tier__c'],
  },
  params: addColumnParams,
  steps: (params) => {
    const changes = columnsOf(params);
    const objects = changes.map((c) => c.object);
    const named = objects.join(', ');
    const are = objects.length > 1 ? 'are' : 'is';
    const preflight: Array<Step<RunbookDeps, unknown>> = [
      ...connectDatabaseChecks(),
      consumersCheck(NEW_ADD_ON),
      check('Heroku Connect syncs to DATABASE_URL (the cutover promotes the new database there)', syncsToDatabaseUrl),
      check("Heroku Connect's add-on and plan are known", connectAddOnFound),
      check(`Heroku Connect has mappings for ${named}`, mappingsExist(OLD_CONNECTION, objects)),
      ...changes.map(({ object, fields }) => check(`${fields.join(', ')} ${fields.length > 1 ? 'are' : 'is'} not in the ${object} mapping yet`, fieldsMapped(OLD_CONNECTION, object, fields, false))),
      // Prep 5 reads the old connection only: taken first, so that a refusal comes before anything changes.
      check('Export the Heroku Connect configuration (connect:export) and keep it with the run', configurationExported, { cites: 'Prep 5' }),
    ];
    const prep: Array<Step<RunbookDeps, unknown>> = [
      action('Create a new database on the same plan and Postgres version', {
        do: createDatabase({ kind: 'copy', config: (ctx) => ({ version: String(required(ctx, 'database').version) }) }),
        done: newDatabaseExists,
        undo: { title: 'Destroy the new database', do: destroyNewDatabase, done: newDatabaseGone },
        cites: 'Prep 1',
      }),
      wait('Wait until the new database is available', newDatabaseAvailable, { ...timing.newDatabase, cites: 'Prep 2' }),
      action('Create a new Heroku Connect add-on on the same plan', {
        do: createConnectAddOn,
        done: newConnectAddOnExists,
        undo: { title: 'Destroy the new Heroku Connect add-on', do: destroyNewConnectAddOn, done: newConnectAddOnGone },
        cites: 'Prep 3',
      }),
      wait('Wait until the new Heroku Connect add-on is provisioned', newConnectionListed, { ...timing.newConnectAddOn, cites: 'Prep 3' }),
      action('Set the new connection to the new database and the same schema (connect:db:set)', { do: setDbKey(NEW_CONNECTION, newDatabase), done: dbKeyIs(NEW_CONNECTION, newDatabase), cites: 'Prep 4' }),
      manual('Authorize the new connection in Salesforce', salesforceLogin({ beside: true }), { cites: 'Prep 4' }),
      wait('Wait until the new connection is authorized in Salesforce', salesforceAuthorized, { ...timing.salesforceAuthorized, cites: 'Prep 4' }),
      action('Import the old configuration into the new connection', { do: importConfiguration, done: importStarted, cites: 'Prep 6' }),
      wait('Wait until the configuration is imported', importFinished, { ...timing.importFinished, cites: 'Prep 6' }),
      manual(`Abort the initial load of ${named} in the new connection`, abortInitialLoad(objects), { cites: 'Prep 7' }),
      wait(`Wait until ${named} ${are} no longer loading in the new connection`, mappingsNotLoading(NEW_CONNECTION, objects), { every: '10s', max: '1m', timeout: '30m', expect: ['0s', '1m'], cites: 'Prep 7' }),
      ...changes.map(({ object, fields }) =>
        action(`Add ${fields.join(', ')} to the ${object} mapping of the new connection`, { do: addFields(NEW_CONNECTION, object, fields), done: fieldsAre(NEW_CONNECTION, object, fields, true), cites: 'Prep 8' }),
      ),
      wait(`Wait until the new connection has altered ${named}`, mappingsAtRest(NEW_CONNECTION, objects), { ...timing.mappingsAtRest, cites: 'Prep 9' }),
      action(`Reload ${named} on the new connection`, { do: reloadMappings(NEW_CONNECTION, objects), done: allReloaded(NEW_CONNECTION), cites: 'Prep 9' }),
      wait(`Wait until ${named} ${are} reloaded on the new connection`, reloadFinished(NEW_CONNECTION), { ...timing.reloadFinished, cites: 'Prep 9' }),
      wait('Wait until the initial load of every mapping on the new connection has finished', mappingsSynced(NEW_CONNECTION, 'all'), { ...timing.initialLoad, cites: 'Prep 10' }),
      manual('Set by hand in the new connection what the export does not carry (Merged Writes, logging, notifications)', settingsByHand, { cites: 'Prep 11' }),
      manual('Recreate on the new database the objects Heroku Connect does not manage (indexes, views, functions, disabled triggers)', recreateUnmanagedObjects, { cites: 'Prep 12' }),
      // Prep 13: the new connection keeps syncing from Salesforce until the cutover, which is planned
      // (`--at`) and approved here.
      approval('Approve the cutover', { cites: 'Prep 13', binds: ['consumers'] }),
    ];
    const cutover: Array<Step<RunbookDeps, unknown>> = [
      disableScheduler('Cutover 1'),
      consumersUnchangedCheck(NEW_ADD_ON, 'Cutover 1'),
      action('Turn maintenance mode on', {
        do: setMaintenance(true),
        done: maintenanceIs(true),
        undo: { title: 'Turn maintenance mode off', do: setMaintenance(false), done: maintenanceIs(false) },
        downtime: 'starts',
        cites: 'Cutover 1',
      }),
      action('Record the formation and scale the worker dynos to 0', {
        do: scaleDownWorkers,
        done: workersScaledDown,
        undo: { title: 'Scale the worker dynos back to the recorded formation', do: restoreFormation, done: formationRestored },
        cites: 'Cutover 1',
      }),
      ...stopOtherWriters('Cutover 1'),
      wait('Wait until the old connection has written its pending changes to Salesforce', pendingChangesWritten('connection'), { ...timing.pendingWritten, cites: 'Cutover 2' }),
      wait('Wait until the old connection is IDLE', connectionReaches(OLD_CONNECTION, 'IDLE'), { ...timing.untilIdle, cites: 'Cutover 2' }),
      action('Pause the old connection', {
        do: pause(OLD_CONNECTION),
        done: pausedOrPausing(OLD_CONNECTION),
        undo: { title: 'Resume the old connection', do: resume(OLD_CONNECTION), done: notPaused(OLD_CONNECTION) },
        retryRefused: pauseRetry,
        cites: 'Cutover 2',
      }),
      wait('Wait until the old connection is PAUSED', connectionReaches(OLD_CONNECTION, 'PAUSED'), { ...timing.untilPaused, cites: 'Cutover 2' }),
      wait('Wait until the new connection is IDLE', connectionReaches(NEW_CONNECTION, 'IDLE'), { ...timing.untilIdle, cites: 'Cutover 2' }),
      action('Pause the new connection', {
        do: pause(NEW_CONNECTION),
        done: pausedOrPausing(NEW_CONNECTION),
        undo: { title: 'Resume the new connection', do: resume(NEW_CONNECTION), done: notPaused(NEW_CONNECTION) },
        retryRefused: pauseRetry,
        cites: 'Cutover 2',
      }),
      wait('Wait until the new connection is PAUSED', connectionReaches(NEW_CONNECTION, 'PAUSED'), { ...timing.untilPaused, cites: 'Cutover 2' }),
      // The old database is as it will stay only once nothing writes to it: before the copy of what Connect does not sync.
      noWriterBefore('Cutover 3'),
      manual('Copy the data Heroku Connect does not sync to the new database, and enable the custom triggers', copyAdditionalData, { cites: 'Cutover 3' }),
      ...nameSteps('Cutover 4', [action('Promote the new database to DATABASE_URL (pg:promote)', { do: promoteNewDatabase, done: newDatabasePromoted, cites: 'Cutover 4' })]),
      action("Point the old connection at the old database's new config var", {
        do: setDbKey(OLD_CONNECTION, keptConfigVar),
        done: dbKeyIs(OLD_CONNECTION, keptConfigVar),
        cites: 'Cutover 5',
      }),
      // Paused again if anything resumed it: the old connection must never write to the promoted database.
      action('Keep the old connection paused', { do: pause(OLD_CONNECTION), done: pausedOrPausing(OLD_CONNECTION), retryRefused: pauseRetry, cites: 'Cutover 5' }),
      action('Point the new connection at DATABASE_URL', { do: setDbKey(NEW_CONNECTION, promoted), done: dbKeyIs(NEW_CONNECTION, promoted), cites: 'Cutover 6' }),
      ...verifySteps(NEW_CONNECTION, 'Cutover 6'),
      action('Resume the new connection', { do: resume(NEW_CONNECTION), done: notPaused(NEW_CONNECTION), cites: 'Cutover 7' }),
      wait('Verify that data flows: the new connection syncs and every mapping is DATA_SYNCED', mappingsSynced(NEW_CONNECTION, 'all'), { ...timing.dataFlows, cites: 'Cutover 8' }),
      action('Scale the worker dynos back to the recorded formation', { do: restoreFormation, done: formationRestored, cites: 'Cutover 9' }),
      action('Turn maintenance mode off', { do: setMaintenance(false), done: maintenanceIs(false), downtime: 'ends', cites: 'Cutover 9' }),
      ...restartOtherWriters('Cutover 9'),
      enableScheduler('Cutover 9'),
      // Cutover 10 and 11, destroying the old Heroku Connect add-on and then the old database, are
      // left to the operator: they cannot be undone, and the old connection on the old database is the
      // way back until the new one has proven itself.
    ];
    return [...preflight, ...prep, ...cutover];
  },
});
