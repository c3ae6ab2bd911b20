import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { addFieldsStep, fieldsMapped, removeFieldStep, resaveMappingStep, SYSTEM_FIELDS } from './probes/mapping-fields.js';
import { mappingsAtRestStep, mappingsExist, mappingsSyncedStep } from './probes/mapping-states.js';
import { appName, flag, salesforceName } from './probes/params.js';
import { connectionFoundCheck, connectionSyncingCheck } from './probes/preflight.js';
import { check, runbook, type Step } from './runbook.js';

export const fieldChangeParams = z.object({ app: appName, object: salesforceName, field: salesforceName, typeChange: flag.default(false) });
type Params = z.infer<typeof fieldChangeParams>;

const DETAIL = 'GET /api/v3/connections/{id}?deep=true';
const SYNC_TIMING = { every: '30s', max: '5m', timeout: '24h', expect: ['1m', '2h'] } as const;

/** Check: Id, IsDeleted and SystemModstamp "are always mapped and cannot be removed". */
const removable = (field: string) =>
  check<RunbookDeps, unknown>(`${field} can be removed from the mapping (not Id, IsDeleted or SystemModstamp)`, async () =>
    SYSTEM_FIELDS.some((f) => f.toLowerCase() === field.toLowerCase())
      ? { ok: false, reason: `${field} is always mapped and cannot be removed, so its type change cannot be applied this way.`, next: 'Ask Heroku support to apply the change.' }
      : { ok: true },
  );

function fieldChangeSteps({ object, field, typeChange }: Params): Array<Step<RunbookDeps, unknown>> {
  const checks = [
    connectionFoundCheck(),
    connectionSyncingCheck(),
    check(`Heroku Connect has a mapping for ${object}`, mappingsExist('connection', [object]), { calls: [DETAIL] }),
    check(`${field} is in the ${object} mapping`, fieldsMapped(object, [field], true), { calls: [DETAIL] }),
  ];
  const atRest = mappingsAtRestStep('connection', [object], `Wait until the ${object} mapping is at rest (DATA_SYNCED)`);
  if (!typeChange) {
    return [
      ...checks,
      atRest,
      resaveMappingStep(object),
      mappingsSyncedStep('connection', [object], `Wait until the ${object} mapping has applied the new definition (DATA_SYNCED)`, SYNC_TIMING),
    ];
  }
  return [
    ...checks,
    removable(field),
    atRest,
    removeFieldStep(object, field),
    mappingsAtRestStep('connection', [object], `Wait until Heroku Connect has dropped the ${field} column`),
    addFieldsStep('connection', object, [field], `Add ${field} back to the ${object} mapping and save`),
    mappingsSyncedStep('connection', [object], `Wait until Heroku Connect has reloaded ${field} (${object} DATA_SYNCED)`, SYNC_TIMING),
  ];
}

/**
 * `field-change`: after a field definition changed in Salesforce, Heroku Connect picks it up when
 * the mapping is saved again. A change of type cannot be altered in place: the field is removed,
 * the mapping saved, then the field added back, and its column is loaded again.
 */
export const fieldChange = runbook<RunbookDeps, Params>({
  name: 'field-change',
  summary: 'Apply a Salesforce field definition change to its Heroku Connect mapping (a type change: remove the field, save, add it back)',
  params: fieldChangeParams,
  steps: fieldChangeSteps,
});
