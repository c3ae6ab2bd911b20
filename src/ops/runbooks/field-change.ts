import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { syncAndConnections } from './documents.js';
import { addFields, removeField, resaveMapping } from './mutations/mapping-fields.js';
import { APP, appName, flag, OBJECT, salesforceName } from './params.js';
import { connectionFoundCheck, connectionSyncingCheck } from './preflight.js';
import { HEROKU_CONNECT } from './reads/connection.js';
import { fieldsAre, fieldsMapped, mappingSavable, removable, savedSince } from './reads/mapping-fields.js';
import { mappingsAtRest, mappingsExist, mappingsSynced } from './reads/mappings.js';
import { action, check, runbook, wait } from './runbook.js';
import { timing } from './timings.js';

export const fieldChangeParams = z.object({ app: appName, object: salesforceName, field: salesforceName, typeChange: flag.default(false) });
type Params = z.infer<typeof fieldChangeParams>;

/**
 * `field-change` (Dev Center "Managing Heroku Connect Sync and Connections", "Changing Field
 * Definitions in Salesforce"): Heroku Connect picks up a changed field definition when the mapping
 * is saved again. A change of type cannot be altered in place: remove the field from the mapping and
 * save, then add it back and save: "This causes Connect to drop the column, re-add it, and load the
 * data back into the column". Connect loads it by itself: there is no reload. A field deleted in
 * Salesforce is dropped from the mapping by the same save, which resumes the mapping it stopped.
 */
export const fieldChange = runbook<RunbookDeps, Params>({
  name: 'field-change',
  summary:
    'Apply a Salesforce field definition change to its mapping by saving the mapping again; with --type-change, remove the field and save, then add it back and save, and Heroku Connect drops the column, re-adds it and loads the data back',
  document: syncAndConnections.fieldChange,
  command: {
    command: 'field-change',
    params: [
      APP,
      OBJECT,
      { key: 'field', kind: 'positional', name: 'FIELD', type: 'sf-name', description: 'The Salesforce field whose definition changed, e.g. Region__c.' },
      { key: 'typeChange', kind: 'option', name: '--type-change', type: 'flag', optional: true, description: "The field's type changed: its column is dropped, re-added and loaded again." },
    ],
    examples: ['field-change acme-prod Account Region__c', 'field-change acme-prod Account Region__c --type-change'],
  },
  params: fieldChangeParams,
  steps: ({ object, field, typeChange }) => {
    const checks = [
      connectionFoundCheck(),
      connectionSyncingCheck(),
      check(`Heroku Connect has a mapping for ${object}`, mappingsExist(HEROKU_CONNECT, [object])),
      check(`${field} is in the ${object} mapping`, fieldsMapped(HEROKU_CONNECT, object, [field], true)),
    ];
    const atRest = wait(`Wait until the ${object} mapping is at rest (DATA_SYNCED)`, mappingsAtRest(HEROKU_CONNECT, [object]), timing.mappingsAtRest);
    if (!typeChange) {
      return [
        ...checks,
        // A field deleted in Salesforce stops the mapping in SCHEMA_CHANGED: saving it again is the fix.
        wait(`Wait until the ${object} mapping can be saved (DATA_SYNCED, or stopped by a field deleted in Salesforce)`, mappingSavable(HEROKU_CONNECT, object), timing.mappingsAtRest),
        action(`Save the ${object} mapping again so Heroku Connect reads the new field definition`, { do: resaveMapping(HEROKU_CONNECT, object), done: savedSince(HEROKU_CONNECT, object) }),
        wait(`Wait until the ${object} mapping has applied the new definition (DATA_SYNCED)`, mappingsSynced(HEROKU_CONNECT, [object]), timing.mappingEdited),
      ];
    }
    const addBack = { do: addFields(HEROKU_CONNECT, object, [field]), done: fieldsAre(HEROKU_CONNECT, object, [field], true) };
    return [
      ...checks,
      check(`${field} can be removed from the mapping (not Id, IsDeleted or SystemModstamp)`, removable(field)),
      atRest,
      action(`Remove ${field} from the ${object} mapping and save`, {
        do: removeField(HEROKU_CONNECT, object, field),
        done: fieldsAre(HEROKU_CONNECT, object, [field], false),
        undo: { title: `Add ${field} back to the ${object} mapping`, ...addBack },
      }),
      wait(`Wait until Heroku Connect has dropped the ${field} column`, mappingsAtRest(HEROKU_CONNECT, [object]), timing.mappingsAtRest),
      action(`Add ${field} back to the ${object} mapping and save`, addBack),
      wait(`Wait until Heroku Connect has re-added the ${field} column and loaded the data back (${object} DATA_SYNCED)`, mappingsSynced(HEROKU_CONNECT, [object]), timing.mappingEdited),
    ];
  },
});
