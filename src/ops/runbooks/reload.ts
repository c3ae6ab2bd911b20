import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { reloadFinishedStep, reloadStep } from './probes/mapping-reload.js';
import { mappingsAtRestStep, mappingsExist, type Objects } from './probes/mapping-states.js';
import { appName, salesforceNames } from './probes/params.js';
import { connectionFoundCheck, connectionSyncingCheck } from './probes/preflight.js';
import { check, runbook, type Step } from './runbook.js';

export const reloadParams = z.object({ app: appName, mappings: salesforceNames.optional() });
type Params = z.infer<typeof reloadParams>;

function reloadSteps({ mappings }: Params): Array<Step<RunbookDeps, unknown>> {
  const objects: Objects = mappings ?? 'all';
  return [
    connectionFoundCheck(),
    connectionSyncingCheck(),
    ...(objects === 'all'
      ? []
      : [check(`Heroku Connect has mappings for ${objects.join(', ')}`, mappingsExist('connection', objects), { calls: ['GET /api/v3/connections/{id}?deep=true'] })]),
    mappingsAtRestStep('connection', objects, 'Wait until the mappings can be reloaded (DATA_SYNCED)'),
    reloadStep('connection', objects),
    reloadFinishedStep('connection', 'Wait until the reload has finished and the mappings are DATA_SYNCED'),
  ];
}

/**
 * `reload`: after a database rollback Heroku Connect's high-water mark is ahead of the data, so the
 * changes in between would never sync: reload the mappings (all, or those named) from Salesforce
 * and wait until they are DATA_SYNCED again.
 */
export const reload = runbook<RunbookDeps, Params>({
  name: 'reload',
  summary: 'Reload all or named Heroku Connect mappings from Salesforce (after a database rollback) and wait until they are synced',
  params: reloadParams,
  steps: reloadSteps,
});
