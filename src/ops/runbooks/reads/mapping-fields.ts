import { api } from '../../heroku/calls.js';
import type { Mapping } from '../../heroku/types.js';
import { read, type Ctx, type Fn } from '../deps.js';
import type { CheckResult, WaitResult } from '../runbook.js';
import { readSide, REF_CALLS, refOf, type Who } from './connection.js';
import { describeMapping, mappingOn, sameName } from './mappings.js';

/**
 * The fields of a Heroku Connect mapping (docs/reference/heroku-connect-api.md, "Export / import
 * file" and "Connection detail"): which are mapped, and the config a save sends back.
 */

/** Id, IsDeleted and SystemModstamp "are always mapped and cannot be removed". */
export const SYSTEM_FIELDS = ['Id', 'IsDeleted', 'SystemModstamp'];

export type FieldConfigs = Record<string, unknown>;

export const mappedFields = (mapping: Mapping): string[] => Object.keys(mapping.config?.fields ?? {});

/** The mapping's config as `PUT /mappings/{id}` takes it back: without what Heroku sets itself. */
export function editableConfig(mapping: Mapping): Record<string, unknown> {
  const { revision: _revision, applied_at: _appliedAt, ...config } = mapping.config ?? {};
  return config;
}

/** Check: the fields are (or are not) in the object's mapping. */
export function fieldsMapped(who: Who, object: string, fields: readonly string[], mapped: boolean): Fn<CheckResult> {
  return read([readSide(who.side)], async (ctx) => {
    const present = mappedFields(await mappingOn(ctx, who, object));
    const wrong = fields.filter((f) => present.some((p) => sameName(p, f)) !== mapped);
    if (wrong.length === 0) return { ok: true };
    const are = wrong.length > 1 ? 'are' : 'is';
    return mapped
      ? { ok: false, reason: `${wrong.join(', ')} ${are} not in the ${object} mapping.`, next: 'Name a field the mapping has (Heroku Connect dashboard, Edit mapping).' }
      : { ok: false, reason: `${wrong.join(', ')} ${are} already in the ${object} mapping: nothing to add.`, next: 'Name only fields the mapping does not have yet.' };
  });
}

/** Done probe: every one of the fields is (or none is) in the mapping. */
export function fieldsAre(who: Who, object: string, fields: readonly string[], present: boolean): Fn<boolean> {
  return read([readSide(who.side)], async (ctx) => {
    const mapped = mappedFields(await mappingOn(ctx, who, object));
    return fields.every((f) => mapped.some((m) => sameName(m, f)) === present);
  });
}

/** Check: Id, IsDeleted and SystemModstamp "are always mapped and cannot be removed". */
export function removable(field: string): Fn<CheckResult> {
  return read([], async () =>
    SYSTEM_FIELDS.some((f) => sameName(f, field))
      ? { ok: false, reason: `${field} is always mapped and cannot be removed, so its type change cannot be applied this way.`, next: 'Ask Heroku support to apply the change.' }
      : { ok: true },
  );
}

/** The output a re-save records the mapping's revision under, just before it saves. */
export const revisionBeforeKey = (object: string): string => `revisionBefore:${object}`;

/** Done probe of a re-save: the mapping's revision is past the one recorded before the save. */
export function savedSince(who: Who, object: string): Fn<boolean> {
  return read([readSide(who.side)], async (ctx) => {
    const before = ctx.outputs[revisionBeforeKey(object)];
    return typeof before === 'number' && ((await mappingOn(ctx, who, object)).config?.revision ?? 0) > before;
  });
}

/** Mapped fields Salesforce no longer has (C16): a mapping that maps one stops syncing until it is saved again. */
async function deletedFields(ctx: Ctx, who: Who, mapping: Mapping): Promise<string[]> {
  const { fields } = await ctx.deps.connect.salesforceSchema(await refOf(ctx, who.side), mapping.object_name);
  return mappedFields(mapping).filter((mapped) => !fields.some((f) => sameName(f.name, mapped)));
}

/**
 * Wait: the mapping can be saved: at rest (DATA_SYNCED or INITIAL), or stopped in SCHEMA_CHANGED
 * because Salesforce deleted a field it maps, which only a save un-sticks (heroku/roadmap#248: the
 * dashboard shows the deleted fields in red, and Save resumes the sync).
 */
export function mappingSavable(who: Who, object: string): Fn<WaitResult> {
  return read([readSide(who.side), ...REF_CALLS, api.connect.salesforceSchema], async (ctx) => {
    const mapping = await mappingOn(ctx, who, object);
    if (['DATA_SYNCED', 'INITIAL'].includes(mapping.state)) return { done: true };
    if (mapping.state === 'SCHEMA_CHANGED' && (await deletedFields(ctx, who, mapping)).length > 0) return { done: true };
    return { done: false, progress: describeMapping(mapping), near: true };
  });
}
