import type { Mapping } from '../../heroku/types.js';
import type { Ctx, Probe, RunbookDeps } from '../deps.js';
import { StepFailed, wait, type CheckResult, type WaitResult, type WaitStep } from '../runbook.js';
import { readSide, sideName, type Side } from './connection-config.js';
import { SYNCING } from './connection.js';

/**
 * Where Heroku Connect's mappings stand (reference: Connect API section 5.2), as checks and waits.
 * DATA_SYNCED is the goal after every runbook; the Salesforce polling states come and go on their
 * own and do not block a start; a table being loaded or altered does. Mapping states "at rest"
 * (DATA_SYNCED, INITIAL) are the only ones Heroku accepts a reload or an edit in.
 */

/** Objects as the operator names them (`Account`), or every mapping of the connection. */
export type Objects = readonly string[] | 'all';

/** Loading or altering a table: a database cutover in the middle of one would have to redo it. */
const BUSY = ['INITIAL', 'RELOAD_TABLE', 'SCHEMA_CHANGED', 'RESYNC', 'WAIT_BULK_LOAD', 'LOADING_BULK_JOB', 'WAIT_BULK_UPDATE'];
const AT_REST = ['DATA_SYNCED', 'INITIAL'];
const DETAIL_CALL = 'GET /api/v3/connections/{id}?deep=true';

/** Salesforce API names are case-insensitive. */
export const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** The objects a step is about: those named, or every mapping the connection has. */
export function mappingsOf(mappings: Mapping[], objects: Objects): Mapping[] {
  return objects === 'all' ? mappings : mappings.filter((m) => objects.some((o) => sameName(o, m.object_name)));
}

/** The mapping of `object` on a connection; one removed during the run fails the step. */
export async function mappingOn(ctx: Ctx, side: Side, object: string): Promise<Mapping> {
  const mapping = (await readSide(ctx, side)).mappings.find((m) => sameName(m.object_name, object));
  if (!mapping) {
    throw new StepFailed(`No mapping configured for ${object} on ${sideName(side)}: it was removed during the run.`, {
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
export const noMappingBusy: Probe<CheckResult> = async (ctx) => {
  const busy = (await readSide(ctx, 'connection')).mappings.filter((m) => BUSY.includes(m.state));
  if (busy.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `Heroku Connect is loading or altering tables: ${describeStates(busy)}.`,
    next: 'Wait until every mapping is DATA_SYNCED (`heroku connect:info`), then start again.',
  };
};

/** Check: every named object has a mapping (the CLI's "No mapping configured for <object>"). */
export function mappingsExist(side: Side, objects: Objects): Probe<CheckResult> {
  return async (ctx) => {
    if (objects === 'all') return { ok: true };
    const { mappings } = await readSide(ctx, side);
    const missing = objects.filter((o) => !mappings.some((m) => sameName(o, m.object_name)));
    if (missing.length === 0) return { ok: true };
    return {
      ok: false,
      reason: `No mapping configured for ${missing.join(', ')}. Mapped objects: ${mappings.map((m) => m.object_name).join(', ') || 'none'}.`,
      next: 'Name mapped objects as `heroku connect:info` lists them, then start again.',
    };
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

/** Wait: the connection syncs again and every mapping is DATA_SYNCED. */
const connectSynced: Probe<WaitResult> = async (ctx) => {
  const { state, mappings } = await readSide(ctx, 'connection');
  const behind = mappings.filter((m) => m.state !== 'DATA_SYNCED');
  const syncing = SYNCING.includes(state);
  if (syncing && behind.length === 0) return { done: true };
  const synced = `${mappings.length - behind.length} of ${mappings.length} mappings DATA_SYNCED`;
  const progress = syncing ? `${synced}; ${describeStates(behind)}` : `Heroku Connect is ${state}; ${synced}`;
  return { done: false, progress, near: syncing && behind.length <= 1 };
};

/** The last step of every runbook: Heroku Connect is healthy and caught up. */
export function verifyConnectStep(): WaitStep<RunbookDeps, unknown> {
  return wait('Wait until every mapping is DATA_SYNCED', connectSynced, {
    every: '30s',
    max: '3m',
    timeout: '2h',
    calls: [DETAIL_CALL],
    next: 'Some mappings did not return to DATA_SYNCED: check them with `heroku connect:info` and the Heroku Connect dashboard.',
  });
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
