import { z } from 'zod';
import type { Ctx, Probe, RunbookDeps } from './deps.js';
import { createDatabaseStep, newDatabaseAvailableStep } from './probes/addons.js';
import { pauseConnectSteps } from './probes/connection.js';
import {
  authorizeSalesforceStep,
  connectAddOnFound,
  createConnectAddOnStep,
  exportConfigurationCheck,
  exportedObjects,
  importConfigurationStep,
  importFinishedStep,
  keepPausedStep,
  newConnectionListedStep,
  pauseNewConnectionSteps,
  resumeSideStep,
  salesforceAuthorizedStep,
  setDatabaseStep,
  sideIdleStep,
} from './probes/connection-config.js';
import { restoreFormationStep, scaleDownWorkersStep } from './probes/formation.js';
import { maintenanceOffStep, maintenanceOnStep } from './probes/maintenance.js';
import { addFieldsStep, fieldsMapped } from './probes/mapping-fields.js';
import { reloadFinishedStep, reloadStep } from './probes/mapping-reload.js';
import { mappingsAtRestStep, mappingsExist, mappingsSyncedStep, pendingChangesWrittenStep } from './probes/mapping-states.js';
import { output, record, required } from './probes/outputs.js';
import { appName, salesforceName, salesforceNames } from './probes/params.js';
import { connectDatabaseChecks } from './probes/preflight.js';
import { cutoverDecidedStep, keepOldDatabaseAttachedStep, promoteStep } from './probes/promote.js';
import { approval, check, manual, runbook, StepFailed, type CheckResult, type ManualStep, type Step } from './runbook.js';

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

const DETAIL = 'GET /api/v3/connections/{id}?deep=true';
const PROMOTED = 'DATABASE_URL';

/** Check: the cutover promotes the new database to DATABASE_URL, so Heroku Connect must sync there. */
const syncsToDatabaseUrl: Probe<CheckResult> = async (ctx) => {
  const { configVar } = required(ctx, 'database');
  if (configVar === PROMOTED) return { ok: true };
  return {
    ok: false,
    reason: `Heroku Connect syncs to ${configVar}: the parallel-connection cutover promotes the new database to ${PROMOTED}, which would not replace ${configVar}.`,
    next: 'Add the fields to the mapping in place (Heroku Connect dashboard, Edit mapping), or point Heroku Connect at DATABASE_URL first.',
  };
};

/** The config var the old database answers to once the new one is promoted (`HEROKU_POSTGRESQL_<COLOR>_URL`). */
const oldDatabaseConfigVar = async (ctx: Ctx): Promise<string> => {
  const known = output(ctx, 'oldDatabaseConfigVar');
  if (known) return known;
  const { addonId } = required(ctx, 'database');
  const attachment = (await ctx.deps.platform.attachments(ctx.app)).find((a) => a.addon.id === addonId && a.name !== 'DATABASE');
  if (!attachment) {
    throw new StepFailed(`The old database ${required(ctx, 'database').addonName} has no attachment besides DATABASE.`, {
      next: `Attach it under a name of its own (\`heroku addons:attach\`) so that the old connection can keep it, then start the runbook again.`,
    });
  }
  const configVar = `${attachment.name}_URL`;
  await record(ctx, 'oldDatabaseConfigVar', configVar);
  return configVar;
};

/** Heroku Connect's own objects in its schema: never copied by hand. */
const CONNECT_OBJECTS = ['_trigger_log', '_trigger_log_archive', '_hcmeta', '_sf_event_log'];

/**
 * Lists what Heroku Connect does not manage in its schema: indexes it did not create (its own are
 * `hc_idx_*`, `hcu_idx_*` and primary keys), views, functions and triggers that are not its
 * `hc_*`/`tlog_*` ones, each with the statement that recreates it.
 */
function unmanagedObjectsQuery(schema: string): string {
  return String.raw`SELECT 'index' AS kind, indexname AS name, indexdef || ';' AS definition FROM pg_indexes WHERE schemaname = '${schema}' AND indexname NOT LIKE 'hc\_%' AND indexname NOT LIKE 'hcu\_%' AND indexname NOT LIKE '%\_pkey' AND tablename NOT LIKE '\_%'
UNION ALL SELECT 'view', viewname, 'CREATE VIEW ' || schemaname || '.' || viewname || ' AS ' || definition FROM pg_views WHERE schemaname = '${schema}'
UNION ALL SELECT 'function', p.proname, pg_get_functiondef(p.oid) || ';' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '${schema}' AND p.prokind IN ('f', 'p') AND p.proname NOT LIKE 'hc\_%' AND p.proname NOT LIKE 'tlog\_%' AND p.proname <> 'get_xmlbinary'
UNION ALL SELECT 'trigger', t.tgname, pg_get_triggerdef(t.oid) || ';' FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '${schema}' AND NOT t.tgisinternal AND t.tgname NOT LIKE 'hc\_%' AND t.tgname NOT LIKE 'tlog\_%'
ORDER BY 1, 2;`;
}

/**
 * Manual: the Heroku APIs cannot see inside Postgres, so the objects Heroku Connect does not manage
 * are listed by the operator with the query given here, and created again on the new database.
 */
function transferUnmanagedObjectsStep(): ManualStep<RunbookDeps, unknown> {
  return manual('Recreate on the new database the objects Heroku Connect does not manage (indexes, views, functions, triggers)', async (ctx) => {
    const schema = required(ctx, 'connection').schema_name ?? 'salesforce';
    const oldVar = required(ctx, 'database').configVar.replace(/_URL$/, '');
    const newVar = required(ctx, 'newDatabase').configVar.replace(/_URL$/, '');
    const tables = exportedObjects(ctx).map((object) => `${schema}.${object.toLowerCase()}`);
    const query = unmanagedObjectsQuery(schema).replace(/\n/g, ' ');
    return [
      `The new connection has loaded its mappings into ${newVar}. Heroku Connect created there only what it manages: the mapped tables ` +
        `${tables.join(', ')} with its own indexes and triggers, and its objects ${CONNECT_OBJECTS.map((o) => `${schema}.${o}`).join(', ')}. ` +
        'Anything else you added to the old database is not there. The Heroku APIs cannot list it (it lives inside Postgres), so connect-ops cannot check this step: do it by hand.',
      `1. List the indexes, views, functions and triggers in ${schema} that are not Heroku Connect's, with the statements that recreate them:`,
      `   heroku pg:psql ${oldVar} -a ${ctx.app} -c "${query}"`,
      `2. Run each printed definition on the new database: heroku pg:psql ${newVar} -a ${ctx.app}`,
      `3. Tables and data outside ${schema} (the app's own schema) are not copied either: if the app keeps its own data in this database, move it too (for example pg_dump --exclude-schema=${schema} from ${oldVar} into ${newVar}).`,
      'Confirm once the new database has every object the app needs.',
    ].join('\n');
  });
}

function addColumnSteps(params: Params): Array<Step<RunbookDeps, unknown>> {
  const changes = columnsOf(params);
  const objects = changes.map((c) => c.object);
  const named = objects.join(', ');
  return [
    ...connectDatabaseChecks(),
    check('Heroku Connect syncs to DATABASE_URL (the cutover promotes the new database there)', syncsToDatabaseUrl),
    check("Heroku Connect's add-on and plan are known", connectAddOnFound, { calls: [DETAIL, 'GET /apps/{app}/addons/{addon}'] }),
    check(`Heroku Connect has mappings for ${named}`, mappingsExist('connection', objects), { calls: [DETAIL] }),
    ...changes.map(({ object, fields }) =>
      check(`${fields.join(', ')} ${fields.length > 1 ? 'are' : 'is'} not in the ${object} mapping yet`, fieldsMapped(object, fields, false), { calls: [DETAIL] }),
    ),
    exportConfigurationCheck(),
    createDatabaseStep('Create a new database on the same plan and Postgres version', {
      kind: 'copy',
      config: (ctx) => ({ version: String(required(ctx, 'database').version) }),
    }),
    newDatabaseAvailableStep('Wait until the new database is available'),
    createConnectAddOnStep('Create a new Heroku Connect add-on on the same plan', { undo: true }),
    newConnectionListedStep(),
    setDatabaseStep('Set the new connection to the new database and the same schema (connect:db:set)', 'newConnection', (ctx) => required(ctx, 'newDatabase').configVar),
    authorizeSalesforceStep(),
    salesforceAuthorizedStep(),
    importConfigurationStep('Import the old configuration into the new connection'),
    importFinishedStep(),
    ...changes.map(({ object, fields }) => addFieldsStep('newConnection', object, fields, `Add ${fields.join(', ')} to the ${object} mapping of the new connection`)),
    mappingsAtRestStep('newConnection', objects, `Wait until the new connection has altered ${named}`),
    reloadStep('newConnection', objects, `Reload ${named} on the new connection`),
    reloadFinishedStep('newConnection', `Wait until ${named} ${objects.length > 1 ? 'are' : 'is'} reloaded on the new connection`),
    mappingsSyncedStep('newConnection', 'all', 'Wait until the initial load of every mapping on the new connection has finished', {
      every: '1m',
      max: '15m',
      timeout: '7d',
      expect: ['10m', '48h'],
    }),
    transferUnmanagedObjectsStep(),
    approval('Approve the cutover'),
    maintenanceOnStep(),
    scaleDownWorkersStep(),
    pendingChangesWrittenStep('Wait until the old connection has written its pending changes to Salesforce'),
    ...pauseConnectSteps(),
    sideIdleStep('newConnection'),
    ...pauseNewConnectionSteps(),
    cutoverDecidedStep(),
    keepOldDatabaseAttachedStep(),
    promoteStep(),
    setDatabaseStep("Point the old connection at the old database's new config var", 'connection', oldDatabaseConfigVar),
    keepPausedStep('connection'),
    setDatabaseStep('Point the new connection at DATABASE_URL', 'newConnection', () => PROMOTED),
    resumeSideStep('newConnection'),
    mappingsSyncedStep('newConnection', 'all', 'Verify that data flows: the new connection syncs and every mapping is DATA_SYNCED', {
      every: '10s',
      max: '1m',
      timeout: '1h',
      expect: ['0s', '5m'],
    }),
    restoreFormationStep(),
    maintenanceOffStep(),
  ];
}

/**
 * `add-column`: the parallel-connection procedure for a mapping too large to alter in place. A new
 * database and a new Heroku Connect add-on load the mappings with the new fields beside the running
 * connection; at the cutover, writes stop, the old connection writes what is pending and both
 * pause, the new database is promoted to DATABASE_URL, the old connection keeps the old database
 * (paused), the new one takes DATABASE_URL, and the app starts again.
 */
export const addColumn = runbook<RunbookDeps, Params>({
  name: 'add-column',
  summary: 'Add fields to a very large mapping through a parallel connection on a new database, then cut over to it',
  params: addColumnParams,
  steps: addColumnSteps,
});
