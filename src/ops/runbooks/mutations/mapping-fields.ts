import { api } from '../../heroku/calls.js';
import { mutation, type Ctx, type Fn } from '../deps.js';
import { readSide, REF_CALLS, refOf, type Who } from '../reads/connection.js';
import { editableConfig, revisionBeforeKey, type FieldConfigs } from '../reads/mapping-fields.js';
import { mappingOn, sameName } from '../reads/mappings.js';

/**
 * Editing a mapping's fields (Dev Center "Managing Heroku Connect Mappings", "Edit a Mapping"):
 * each change is one `PUT /mappings/{id}` of the whole config with the mapping's current revision,
 * after which Heroku Connect alters the table and loads what changed.
 */

async function saveFields(ctx: Ctx, who: Who, object: string, change: (fields: FieldConfigs) => FieldConfigs): Promise<void> {
  const mapping = await mappingOn(ctx, who, object);
  const config = editableConfig(mapping);
  const fields = change({ ...((config.fields as FieldConfigs | undefined) ?? {}) });
  await ctx.deps.connect.updateMapping(await refOf(ctx, who.side), mapping, { object_name: mapping.object_name, config: { ...config, fields }, revision: mapping.config?.revision ?? 0 });
}

const uses = (who: Who) => [readSide(who.side), ...REF_CALLS, api.connect.updateMapping];

/** Adds fields to the mapping: Heroku Connect adds the columns and loads them. */
export function addFields(who: Who, object: string, fields: readonly string[]): Fn<void> {
  return mutation(uses(who), (ctx) => saveFields(ctx, who, object, (mapped) => ({ ...Object.fromEntries(fields.map((f) => [f, {}])), ...mapped })));
}

/** Removes a field from the mapping: Heroku Connect drops its column. */
export function removeField(who: Who, object: string, field: string): Fn<void> {
  return mutation(uses(who), (ctx) => saveFields(ctx, who, object, (mapped) => Object.fromEntries(Object.entries(mapped).filter(([name]) => !sameName(name, field)))));
}

/**
 * Saves the mapping unchanged, so Heroku Connect reads the field definitions from Salesforce again.
 * The revision before is recorded first: a higher one proves the save (reads/mapping-fields.ts).
 */
export function resaveMapping(who: Who, object: string): Fn<void> {
  const key = revisionBeforeKey(object);
  return mutation(uses(who), async (ctx) => {
    if (ctx.outputs[key] === undefined) await ctx.record(key, (await mappingOn(ctx, who, object)).config?.revision ?? 0);
    await saveFields(ctx, who, object, (mapped) => mapped);
  });
}
