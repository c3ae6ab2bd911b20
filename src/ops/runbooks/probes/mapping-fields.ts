import type { Mapping } from '../../heroku/types.js';
import type { Ctx, Probe, RunbookDeps } from '../deps.js';
import { action, type ActionStep, type CheckResult, type UndoSpec } from '../runbook.js';
import { refOf, type Side } from './connection-config.js';
import { mappingOn, sameName } from './mapping-states.js';

/**
 * The fields of a Heroku Connect mapping (reference: Connect API sections 4 and 5.2): checked,
 * added, removed, or saved unchanged, each saved with `PUT /mappings/{id}` and proven by reading
 * the mapping's config back.
 */

/** Id, IsDeleted and SystemModstamp "are always mapped and cannot be removed". */
export const SYSTEM_FIELDS = ['Id', 'IsDeleted', 'SystemModstamp'];

const DETAIL_CALL = 'GET /api/v3/connections/{id}?deep=true';
const SAVE_CALL = 'PUT /api/v3/mappings/{id} {"object_name", "config", "revision"}';

type FieldConfigs = Record<string, unknown>;

/** Check: the fields are (or are not) in the object's mapping. */
export function fieldsMapped(object: string, fields: readonly string[], mapped: boolean): Probe<CheckResult> {
  return async (ctx) => {
    const present = Object.keys((await mappingOn(ctx, 'connection', object)).config?.fields ?? {});
    const wrong = fields.filter((f) => present.some((p) => sameName(p, f)) !== mapped);
    if (wrong.length === 0) return { ok: true };
    return mapped
      ? { ok: false, reason: `${wrong.join(', ')} ${wrong.length > 1 ? 'are' : 'is'} not in the ${object} mapping.`, next: 'Name a field the mapping has (Heroku Connect dashboard, Edit mapping).' }
      : { ok: false, reason: `${wrong.join(', ')} ${wrong.length > 1 ? 'are' : 'is'} already in the ${object} mapping: nothing to add.`, next: 'Name only fields the mapping does not have yet.' };
  };
}

/** The mapping's config as `PUT /mappings/{id}` takes it back: without what Heroku sets itself. */
function editableConfig(mapping: Mapping): Record<string, unknown> {
  const { revision: _revision, applied_at: _appliedAt, ...config } = mapping.config ?? {};
  return config;
}

async function saveFields(ctx: Ctx, side: Side, object: string, change: (fields: FieldConfigs) => FieldConfigs): Promise<void> {
  const mapping = await mappingOn(ctx, side, object);
  const config = editableConfig(mapping);
  const fields = change({ ...((config.fields as FieldConfigs | undefined) ?? {}) });
  await ctx.deps.connect.updateMapping(refOf(ctx, side), mapping, {
    object_name: mapping.object_name,
    config: { ...config, fields },
    revision: mapping.config?.revision ?? 0,
  });
}

function fieldsAre(side: Side, object: string, fields: readonly string[], present: boolean): Probe<boolean> {
  return async (ctx) => {
    const mapped = Object.keys((await mappingOn(ctx, side, object)).config?.fields ?? {});
    return fields.every((f) => mapped.some((m) => sameName(m, f)) === present);
  };
}

/** Action: add fields to a mapping; Heroku Connect alters the table and loads the new columns. */
export function addFieldsStep(side: Side, object: string, fields: readonly string[], title: string, undo?: UndoSpec<RunbookDeps, unknown>): ActionStep<RunbookDeps, unknown> {
  return action(title, {
    do: (ctx) => saveFields(ctx, side, object, (mapped) => ({ ...Object.fromEntries(fields.map((f) => [f, {}])), ...mapped })),
    done: fieldsAre(side, object, fields, true),
    ...(undo && { undo }),
    calls: [DETAIL_CALL, SAVE_CALL],
  });
}

/** Action: remove a field from a mapping (its column is dropped); the undo adds it back. */
export function removeFieldStep(object: string, field: string): ActionStep<RunbookDeps, unknown> {
  const addBack = addFieldsStep('connection', object, [field], `Add ${field} back to the ${object} mapping`);
  return action(`Remove ${field} from the ${object} mapping and save`, {
    do: (ctx) => saveFields(ctx, 'connection', object, (mapped) => Object.fromEntries(Object.entries(mapped).filter(([name]) => !sameName(name, field)))),
    done: fieldsAre('connection', object, [field], false),
    undo: { title: addBack.title, do: addBack.do, done: addBack.done, calls: addBack.calls },
    calls: [DETAIL_CALL, SAVE_CALL],
  });
}

/**
 * Action: save the mapping unchanged, so Heroku Connect reads the field definitions from Salesforce
 * again. The revision before is recorded first: a higher one proves the save.
 */
export function resaveMappingStep(object: string): ActionStep<RunbookDeps, unknown> {
  const key = `revisionBefore:${object}`;
  return action(`Save the ${object} mapping again so Heroku Connect reads the new field definition`, {
    do: async (ctx) => {
      if (ctx.outputs[key] === undefined) await ctx.record(key, (await mappingOn(ctx, 'connection', object)).config?.revision ?? 0);
      await saveFields(ctx, 'connection', object, (mapped) => mapped);
    },
    done: async (ctx) => {
      const before = ctx.outputs[key];
      return typeof before === 'number' && ((await mappingOn(ctx, 'connection', object)).config?.revision ?? 0) > before;
    },
    calls: [DETAIL_CALL, SAVE_CALL],
  });
}
