import { z } from 'zod';
import type { Mapping } from '../../heroku/types.js';
import type { Ctx, Probe, RunbookDeps } from '../deps.js';
import { action, wait, type ActionStep, type CheckResult, type UndoSpec, type WaitResult, type WaitStep } from '../runbook.js';
import { readSide, refOf, sideName, type Side } from './connection-config.js';

/**
 * Changes to Heroku Connect mappings: reloads and field edits, each with the proof that it took
 * effect (reference: Connect API sections 4, 5.2 and 8). Mapping states that are "at rest"
 * (DATA_SYNCED, INITIAL) are the only ones Heroku accepts a reload in.
 */

/** Objects as the operator names them (`Account`), or every mapping of the connection. */
export type Objects = readonly string[] | 'all';

const AT_REST = ['DATA_SYNCED', 'INITIAL'];
/** Connection states in which data flows. */
const SYNCING = ['IDLE', 'POLLING_DB_CHANGES'];
const DETAIL_CALL = 'GET /api/v3/connections/{id}?deep=true';

/** Id, IsDeleted and SystemModstamp "are always mapped and cannot be removed". */
export const SYSTEM_FIELDS = ['Id', 'IsDeleted', 'SystemModstamp'];

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The objects a step is about: those named, or every mapping the connection has. */
function mappingsOf(mappings: Mapping[], objects: Objects): Mapping[] {
  return objects === 'all' ? mappings : mappings.filter((m) => objects.some((o) => same(o, m.object_name)));
}

/** "Account, Contact" or "every mapping", for step titles. */
function describeObjects(objects: Objects): string {
  return objects === 'all' ? 'every mapping' : `the ${objects.join(', ')} mapping${objects.length > 1 ? 's' : ''}`;
}

async function mappingOn(ctx: Ctx, side: Side, object: string): Promise<Mapping> {
  const mapping = (await readSide(ctx, side)).mappings.find((m) => same(m.object_name, object));
  if (!mapping) throw new Error(`No mapping configured for ${object} on ${sideName(side)}`);
  return mapping;
}

/** "Account RELOAD_TABLE (120,000 of 1,204,311 rows)". */
function describeMapping(mapping: Mapping): string {
  const { db, sf } = mapping.counts ?? {};
  const rows = typeof db === 'number' && typeof sf === 'number' && mapping.state !== 'DATA_SYNCED' ? ` (${db.toLocaleString('en-US')} of ${sf.toLocaleString('en-US')} rows)` : '';
  return `${mapping.object_name} ${mapping.state}${rows}`;
}

// ---------------------------------------------------------------------------------------------
// Checks

/** Check: every named object has a mapping (the CLI's "No mapping configured for <object>"). */
export function mappingsExist(side: Side, objects: Objects): Probe<CheckResult> {
  return async (ctx) => {
    if (objects === 'all') return { ok: true };
    const { mappings } = await readSide(ctx, side);
    const missing = objects.filter((o) => !mappings.some((m) => same(o, m.object_name)));
    if (missing.length === 0) return { ok: true };
    return {
      ok: false,
      reason: `No mapping configured for ${missing.join(', ')}. Mapped objects: ${mappings.map((m) => m.object_name).join(', ') || 'none'}.`,
      next: 'Name mapped objects as `heroku connect:info` lists them, then start again.',
    };
  };
}

/** Check: the fields are (or are not) in the object's mapping. */
export function fieldsMapped(object: string, fields: readonly string[], mapped: boolean): Probe<CheckResult> {
  return async (ctx) => {
    const present = Object.keys((await mappingOn(ctx, 'connection', object)).config?.fields ?? {});
    const wrong = fields.filter((f) => present.some((p) => same(p, f)) !== mapped);
    if (wrong.length === 0) return { ok: true };
    return mapped
      ? { ok: false, reason: `${wrong.join(', ')} ${wrong.length > 1 ? 'are' : 'is'} not in the ${object} mapping.`, next: 'Name a field the mapping has (Heroku Connect dashboard, Edit mapping).' }
      : { ok: false, reason: `${wrong.join(', ')} ${wrong.length > 1 ? 'are' : 'is'} already in the ${object} mapping: nothing to add.`, next: 'Name only fields the mapping does not have yet.' };
  };
}

/** Check: every mapping is DATA_SYNCED (no load running, nothing pending). */
export const allMappingsSynced: Probe<CheckResult> = async (ctx) => {
  const behind = (await readSide(ctx, 'connection')).mappings.filter((m) => m.state !== 'DATA_SYNCED');
  if (behind.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `Not every mapping is DATA_SYNCED: ${behind.map(describeMapping).join(', ')}.`,
    next: 'Wait until `heroku connect:info` shows every mapping DATA_SYNCED, then start again.',
  };
};

/** Check: nothing waits in the trigger log to be written to Salesforce. */
export const noPendingChanges: Probe<CheckResult> = async (ctx) => {
  const pending = pendingOf((await readSide(ctx, 'connection')).mappings);
  if (pending.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `Heroku Connect has changes still to write to Salesforce: ${pending.join(', ')}.`,
    next: 'Let Heroku Connect write them (keep it running with writes stopped), then start again.',
  };
};

function pendingOf(mappings: Mapping[]): string[] {
  return mappings.filter((m) => (m.counts?.pending ?? 0) > 0).map((m) => `${m.object_name} ${(m.counts?.pending ?? 0).toLocaleString('en-US')} rows`);
}

// ---------------------------------------------------------------------------------------------
// Waits

/** Wait: every named mapping is in a state Heroku accepts a reload or an edit in. */
export function mappingsAtRestStep(side: Side, objects: Objects, title: string): WaitStep<RunbookDeps, unknown> {
  return wait(
    title,
    async (ctx) => {
      const busy = mappingsOf((await readSide(ctx, side)).mappings, objects).filter((m) => !AT_REST.includes(m.state));
      return busy.length === 0 ? { done: true } : { done: false, progress: busy.map(describeMapping).join(', '), near: busy.length === 1 };
    },
    { every: '15s', max: '2m', timeout: '12h', expect: ['0s', '30m'], calls: [DETAIL_CALL], next: 'A mapping stayed busy: check it with `heroku connect:info`, then start again.' },
  );
}

type WaitTiming = Pick<WaitStep<RunbookDeps, unknown>, 'every' | 'max' | 'timeout' | 'expect'>;

/** Wait: the connection syncs and every named mapping is DATA_SYNCED. */
export function mappingsSyncedStep(side: Side, objects: Objects, title: string, timing: WaitTiming): WaitStep<RunbookDeps, unknown> {
  return wait(title, mappingsSynced(side, objects), {
    ...timing,
    calls: [DETAIL_CALL],
    next: 'Some mappings are not DATA_SYNCED yet: follow them with `heroku connect:info`; start the runbook again to keep waiting.',
  });
}

function mappingsSynced(side: Side, objects: Objects): Probe<WaitResult> {
  return async (ctx) => {
    const { state, mappings } = await readSide(ctx, side);
    const behind = mappingsOf(mappings, objects).filter((m) => m.state !== 'DATA_SYNCED');
    if (SYNCING.includes(state) && behind.length === 0) return { done: true };
    const shown = behind.length > 0 ? behind.map(describeMapping).join(', ') : 'every mapping DATA_SYNCED';
    return { done: false, progress: `${sideName(side)} is ${state}; ${shown}`, near: SYNCING.includes(state) && nearlyLoaded(behind) };
  };
}

/** The last mapping still loading is past 90% of its rows. */
function nearlyLoaded(behind: Mapping[]): boolean {
  const [only, ...more] = behind;
  const { db, sf } = only?.counts ?? {};
  return more.length === 0 && typeof db === 'number' && typeof sf === 'number' && sf > 0 && db / sf >= 0.9;
}

/** Wait: the changes made while Heroku Connect ran have all been written to Salesforce. */
export function pendingChangesWrittenStep(title: string): WaitStep<RunbookDeps, unknown> {
  return wait(
    title,
    async (ctx) => {
      const pending = pendingOf((await readSide(ctx, 'connection')).mappings);
      return pending.length === 0 ? { done: true } : { done: false, progress: `Pending: ${pending.join(', ')}` };
    },
    { every: '10s', max: '1m', timeout: '2h', expect: ['0s', '10m'], calls: [DETAIL_CALL], next: 'Heroku Connect still has changes to write: check its write errors (`heroku connect:write-errors`), then start again or roll back.' },
  );
}

// ---------------------------------------------------------------------------------------------
// Reload

/**
 * Heroku keeps no record of a reload. Before the first request the mappings to reload are fixed
 * (every mapping means those the connection has then), and before each request the mapping's
 * `updated_at` is recorded: the reload has taken effect once the mapping is RELOAD_TABLE or has
 * moved on since.
 */
interface Reloads {
  objects: string[];
  /** `updated_at` of each mapping just before its reload was requested. */
  before: Record<string, string | null>;
}

const reloadsKey = (side: Side): string => `reloads:${side}`;
const reloadsOf = (ctx: Ctx, side: Side): Reloads | undefined => ctx.outputs[reloadsKey(side)] as Reloads | undefined;
const updatedAt = (mapping: Mapping): string | null => {
  const value = (mapping as Mapping & { updated_at?: unknown }).updated_at;
  return typeof value === 'string' ? value : null;
};

function reloaded(mapping: Mapping, reloads: Reloads): boolean {
  const key = mapping.object_name.toLowerCase();
  if (!(key in reloads.before)) return false;
  return mapping.state === 'RELOAD_TABLE' || updatedAt(mapping) !== reloads.before[key];
}

/** The recorded mappings to reload, as the connection has them now. */
async function reloadTargets(ctx: Ctx, side: Side, reloads: Reloads): Promise<Mapping[]> {
  return mappingsOf((await readSide(ctx, side)).mappings, reloads.objects);
}

/**
 * Action: reload the mappings (`connect:mapping:reload`): the table is truncated and loaded again.
 * With several mappings the requests go one at a time, each skipped once it has taken effect, so a
 * step resumed after a crash sends only those that are missing.
 */
export function reloadStep(side: Side, objects: Objects, title = `Reload ${describeObjects(objects)}`): ActionStep<RunbookDeps, unknown> {
  return action(title, {
    do: async (ctx) => {
      const { mappings } = await readSide(ctx, side);
      const reloads = reloadsOf(ctx, side) ?? { objects: mappingsOf(mappings, objects).map((m) => m.object_name), before: {} };
      for (const mapping of mappingsOf(mappings, reloads.objects)) {
        if (reloaded(mapping, reloads)) continue;
        reloads.before = { ...reloads.before, [mapping.object_name.toLowerCase()]: updatedAt(mapping) };
        await ctx.record(reloadsKey(side), reloads);
        await ctx.deps.connect.reloadMapping(refOf(ctx, side), mapping);
      }
    },
    done: async (ctx) => {
      const reloads = reloadsOf(ctx, side);
      return reloads !== undefined && (await reloadTargets(ctx, side, reloads)).every((m) => reloaded(m, reloads));
    },
    calls: [DETAIL_CALL, 'POST /api/v3/mappings/{id}/actions/reload'],
  });
}

/** Wait: each reloaded mapping has loaded its table again and is DATA_SYNCED. */
export function reloadFinishedStep(side: Side, title: string): WaitStep<RunbookDeps, unknown> {
  return wait(
    title,
    async (ctx) => {
      const reloads = reloadsOf(ctx, side);
      if (!reloads) throw new Error('No reload was recorded by an earlier step');
      const behind = (await reloadTargets(ctx, side, reloads)).filter((m) => m.state !== 'DATA_SYNCED' || !reloaded(m, reloads));
      if (behind.length === 0) return { done: true };
      return { done: false, progress: behind.map(describeMapping).join(', '), near: nearlyLoaded(behind) };
    },
    {
      every: '30s',
      max: '10m',
      timeout: '72h',
      expect: ['1m', '12h'],
      calls: [DETAIL_CALL],
      next: 'The reload is still running: follow it with `heroku connect:info`, start the runbook again to keep waiting.',
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Field edits

type FieldConfigs = Record<string, unknown>;

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
    return fields.every((f) => mapped.some((m) => same(m, f)) === present);
  };
}

const SAVE_CALL = 'PUT /api/v3/mappings/{id} {"object_name", "config", "revision"}';

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
    do: (ctx) => saveFields(ctx, 'connection', object, (mapped) => Object.fromEntries(Object.entries(mapped).filter(([name]) => !same(name, field)))),
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

// ---------------------------------------------------------------------------------------------
// Parameters

/** A Salesforce API name: `Account`, `Order__c`, `ns__Field__c`. */
export const salesforceName = z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a Salesforce API name such as Account or Region__c');

/** A list of Salesforce API names, as an array or as the bot passes it: `Region__c, Tier__c`. */
export const salesforceNames = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : value),
  z.array(salesforceName).min(1),
);

/** A yes/no option, as a boolean or as the bot passes it (`true`, `false`, `yes`, `no`). */
export const flag = z.union([z.boolean(), z.enum(['true', 'yes', 'false', 'no']).transform((value) => value === 'true' || value === 'yes')]);
