import type { Mapping } from '../../heroku/types.js';
import { read, type Ctx, type Fn } from '../deps.js';
import { StepFailed, type CheckResult, type WaitResult } from '../runbook.js';
import { isSyncing, remedyFor } from './connection-state.js';
import { Named, readSide, type Side, type Who } from './connection.js';

/**
 * Where Heroku Connect's mappings stand (docs/reference/heroku-connect-api.md, "Mapping states").
 * DATA_SYNCED is the goal after every runbook; the Salesforce polling states come and go on their
 * own and do not block a start; a table being loaded or altered does. Mapping states "at rest"
 * (DATA_SYNCED, INITIAL) are the only ones Heroku accepts a reload or an edit in.
 */

/** Objects as the operator names them (`Account`), or every mapping of the connection. */
export type Objects = readonly string[] | 'all';

/** Loading or altering a table: a database cutover in the middle of one would have to redo it. */
const BUSY = ['INITIAL', 'RELOAD_TABLE', 'SCHEMA_CHANGED', 'RESYNC', 'WAIT_BULK_LOAD', 'LOADING_BULK_JOB', 'WAIT_BULK_UPDATE'];
/** Loading rows from Salesforce into the table: an initial load, a reload, new columns, a bulk job. */
const LOADING = ['RELOAD_TABLE', 'RESYNC', 'WAIT_BULK_LOAD', 'LOADING_BULK_JOB'];
const AT_REST = ['DATA_SYNCED', 'INITIAL'];
/**
 * Mapping error states a reload recovers from: a bulk load that failed is loaded again, and an
 * unexpected error clears with the table reloaded (the dashboard offers Reload on them; the state
 * Heroku requires for M2 is inferred, docs/reference/heroku-connect-api.md §8).
 */
export const RELOADABLE_ERRORS = ['BULK_LOAD_ERROR', 'SYSTEM_ERROR'];

/** Salesforce API names are case-insensitive. */
export const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The objects a step is about: those named, or every mapping the connection has. */
export function mappingsOf(mappings: Mapping[], objects: Objects): Mapping[] {
  return objects === 'all' ? mappings : mappings.filter((m) => objects.some((o) => sameName(o, m.object_name)));
}

/** "Account, Contact" or "every mapping", for step titles. */
export function describeObjects(objects: Objects): string {
  return objects === 'all' ? 'every mapping' : `the ${objects.join(', ')} mapping${objects.length > 1 ? 's' : ''}`;
}

/** The mapping of `object` on a connection; one removed during the run fails the step. */
export async function mappingOn(ctx: Ctx, who: Who, object: string): Promise<Mapping> {
  const mapping = (await readSide(who.side)(ctx)).mappings.find((m) => sameName(m.object_name, object));
  if (!mapping) {
    throw new StepFailed(`No mapping configured for ${object} on ${who.name}: it was removed during the run.`, {
      next: 'Check the mappings with `heroku connect:info`, then roll back or start the runbook again.',
    });
  }
  return mapping;
}

/** "Account RELOAD_TABLE (120,000 of 1,204,311 rows)". */
export function describeMapping(mapping: Mapping): string {
  const { db, sf } = mapping.counts ?? {};
  const rows = typeof db === 'number' && typeof sf === 'number' && mapping.state !== 'DATA_SYNCED' ? ` (${db.toLocaleString('en-US')} of ${sf.toLocaleString('en-US')} rows)` : '';
  return `${mapping.object_name} ${mapping.state}${rows}`;
}

/** "Account DATA_SYNCED, Contact RELOAD_TABLE", without row counts. */
const describeStates = (mappings: Mapping[]): string => mappings.map((m) => `${m.object_name} ${m.state}`).join(', ');

/** The last mapping still loading is past 90% of its rows. */
export function nearlyLoaded(behind: Mapping[]): boolean {
  const [only, ...more] = behind;
  const { db, sf } = only?.counts ?? {};
  return more.length === 0 && typeof db === 'number' && typeof sf === 'number' && sf > 0 && db / sf >= 0.9;
}

function pendingOf(mappings: Mapping[]): string[] {
  return mappings.filter((m) => (m.counts?.pending ?? 0) > 0).map((m) => `${m.object_name} ${(m.counts?.pending ?? 0).toLocaleString('en-US')} rows`);
}

// ---------------------------------------------------------------------------------------------
// Checks

/** Check: no mapping is loading or altering its table. */
export const noMappingBusy: Fn<CheckResult> = read([readSide('connection')], async (ctx) => {
  const busy = (await readSide('connection')(ctx)).mappings.filter((m) => BUSY.includes(m.state));
  if (busy.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `Heroku Connect is loading or altering tables: ${describeStates(busy)}.`,
    next: 'Wait until every mapping is DATA_SYNCED (`heroku connect:info`), then start again.',
  };
});

/** Check: every named object has a mapping (the CLI's "No mapping configured for <object>"). */
export function mappingsExist(who: Who, objects: Objects): Fn<CheckResult> {
  return read([readSide(who.side)], async (ctx) => {
    if (objects === 'all') return { ok: true };
    const { mappings } = await readSide(who.side)(ctx);
    const missing = objects.filter((o) => !mappings.some((m) => sameName(o, m.object_name)));
    if (missing.length === 0) return { ok: true };
    return {
      ok: false,
      reason: `No mapping configured for ${missing.join(', ')}. Mapped objects: ${mappings.map((m) => m.object_name).join(', ') || 'none'}.`,
      next: 'Name mapped objects as `heroku connect:info` lists them, then start again.',
    };
  });
}

/** Check: every mapping is DATA_SYNCED (no load running, nothing pending). */
export const allMappingsSynced: Fn<CheckResult> = read([readSide('connection')], async (ctx) => {
  const behind = (await readSide('connection')(ctx)).mappings.filter((m) => m.state !== 'DATA_SYNCED');
  if (behind.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `Not every mapping is DATA_SYNCED: ${behind.map(describeMapping).join(', ')}.`,
    next: 'Wait until `heroku connect:info` shows every mapping DATA_SYNCED, then start again.',
  };
});

/** Check: nothing waits in the trigger log to be written to Salesforce. */
export const noPendingChanges: Fn<CheckResult> = read([readSide('connection')], async (ctx) => {
  const pending = pendingOf((await readSide('connection')(ctx)).mappings);
  if (pending.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `Heroku Connect has changes still to write to Salesforce: ${pending.join(', ')}.`,
    next: 'Let Heroku Connect write them (keep it running with writes stopped), then start again.',
  };
});

// ---------------------------------------------------------------------------------------------
// Waits

/** Wait: every named mapping is in a state Heroku accepts a reload or an edit in. */
export function mappingsAtRest(who: Who, objects: Objects): Fn<WaitResult> {
  return read([readSide(who.side)], async (ctx) => {
    const busy = mappingsOf((await readSide(who.side)(ctx)).mappings, objects).filter((m) => !AT_REST.includes(m.state));
    return busy.length === 0 ? { done: true } : { done: false, progress: busy.map(describeMapping).join(', '), near: busy.length === 1 };
  });
}

/** Wait: every named mapping can be reloaded: at rest, or in an error state a reload recovers from. */
export function mappingsReloadable(who: Who, objects: Objects): Fn<WaitResult> {
  return read([readSide(who.side)], async (ctx) => {
    const busy = mappingsOf((await readSide(who.side)(ctx)).mappings, objects).filter((m) => !AT_REST.includes(m.state) && !RELOADABLE_ERRORS.includes(m.state));
    return busy.length === 0 ? { done: true } : { done: false, progress: busy.map(describeMapping).join(', '), near: busy.length === 1 };
  });
}

/** Wait: no named mapping is loading rows any more (its load finished, or was aborted). */
export function mappingsNotLoading(who: Who, objects: Objects): Fn<WaitResult> {
  return read([readSide(who.side)], async (ctx) => {
    const loading = mappingsOf((await readSide(who.side)(ctx)).mappings, objects).filter((m) => LOADING.includes(m.state));
    if (loading.length === 0) return { done: true };
    return {
      done: false,
      progress: `Still loading: ${loading.map(describeMapping).join(', ')}`,
      next: `Abort the load of ${loading.map((m) => m.object_name).join(', ')} in the Heroku Connect dashboard of ${who.name} (Mappings tab, the mapping's menu, Abort), then start again.`,
    };
  });
}

/**
 * Wait: the connection syncs and every named mapping is DATA_SYNCED. A connection that stopped
 * syncing says how to bring it back; mappings still loading say how to follow them.
 */
export function mappingsSynced(who: Who, objects: Objects): Fn<WaitResult> {
  return read([readSide(who.side)], async (ctx) => {
    const { state, mappings } = await readSide(who.side)(ctx);
    const named = mappingsOf(mappings, objects);
    const behind = named.filter((m) => m.state !== 'DATA_SYNCED');
    const syncing = isSyncing(state);
    if (syncing && behind.length === 0) return { done: true };
    const synced = `${named.length - behind.length} of ${named.length} mappings DATA_SYNCED`;
    if (!syncing) return { done: false, progress: `${Named(who)} is ${state}; ${synced}`, next: remedyFor(state) };
    return {
      done: false,
      progress: `${synced}; ${behind.map(describeMapping).join(', ')}`,
      near: nearlyLoaded(behind),
      next: `${behind.map((m) => m.object_name).join(', ')} ${behind.length > 1 ? 'are' : 'is'} not DATA_SYNCED yet: follow ${behind.length > 1 ? 'them' : 'it'} with \`heroku connect:info\` and the Heroku Connect dashboard; start the runbook again to keep waiting.`,
    };
  });
}

/** Wait: the changes made while Heroku Connect ran have all been written to Salesforce. */
export function pendingChangesWritten(side: Side): Fn<WaitResult> {
  return read([readSide(side)], async (ctx) => {
    const pending = pendingOf((await readSide(side)(ctx)).mappings);
    return pending.length === 0 ? { done: true } : { done: false, progress: `Pending: ${pending.join(', ')}` };
  });
}
