import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { syncAndConnections } from './documents.js';
import { reloadMappings } from './mutations/reload.js';
import { APP, appName, salesforceNames } from './params.js';
import { connectionFoundCheck, connectionSyncingCheck } from './preflight.js';
import { HEROKU_CONNECT } from './reads/connection.js';
import { describeObjects, mappingsExist, mappingsReloadable, type Objects } from './reads/mappings.js';
import { allReloaded, reloadFinished } from './reads/reload.js';
import { action, check, runbook, wait, type Step } from './runbook.js';
import { timing } from './timings.js';

/** No mapping named (or an empty list) means every mapping. */
const someMappings = z.preprocess((value) => (value === '' || (Array.isArray(value) && value.length === 0) ? undefined : value), salesforceNames.optional());

export const reloadParams = z.object({ app: appName, mappings: someMappings });
type Params = z.infer<typeof reloadParams>;

/**
 * `reload` (Dev Center "Managing Heroku Connect Sync and Connections", "Recover Synchronization After
 * a Database Rollback"): after a rollback Heroku Connect's high-water mark is ahead of the data, so
 * the changes in between would never sync: reload the mappings (all, or those named) from Salesforce
 * and wait until they are DATA_SYNCED again.
 */
export const reload = runbook<RunbookDeps, Params>({
  name: 'reload',
  summary: 'Reload the named Heroku Connect mappings (every mapping when none is named) from Salesforce, after a database rollback, and wait until they are synced',
  document: syncAndConnections.reload,
  command: {
    command: 'reload',
    params: [APP, { key: 'mappings', kind: 'positional', name: 'MAPPING…', type: 'sf-name', optional: true, many: true, description: 'The Salesforce objects whose mappings to reload; every mapping when none is named.' }],
    examples: ['reload acme-prod', 'reload acme-prod Account Contact'],
  },
  params: reloadParams,
  steps: ({ mappings }) => {
    const objects: Objects = mappings ?? 'all';
    const steps: Array<Step<RunbookDeps, unknown>> = [connectionFoundCheck(), connectionSyncingCheck()];
    if (objects !== 'all') steps.push(check(`Heroku Connect has mappings for ${objects.join(', ')}`, mappingsExist(HEROKU_CONNECT, objects)));
    return [
      ...steps,
      wait('Wait until the mappings can be reloaded (DATA_SYNCED, or a load that failed)', mappingsReloadable(HEROKU_CONNECT, objects), timing.mappingsAtRest),
      action(objects === 'all' ? 'Reload every mapping' : `Reload ${describeObjects(objects)}`, { do: reloadMappings(HEROKU_CONNECT, objects), done: allReloaded(HEROKU_CONNECT) }),
      wait('Wait until the reload has finished and the mappings are DATA_SYNCED', reloadFinished(HEROKU_CONNECT), timing.reloadFinished),
    ];
  },
});
