import { read, type Fn } from '../deps.js';
import { StepFailed, type CheckResult, type WaitResult } from '../runbook.js';
import { Named, readConnection, readSide, type Side, type Who } from './connection.js';

/**
 * The one state machine of a Heroku Connect connection, for every runbook and either connection
 * (docs/reference/heroku-connect-api.md, "Connection states"): IDLE ⇄ POLLING_DB_CHANGES while it
 * syncs; "Connections can only be paused when they are in the IDLE state", and a pause "completes
 * any pending operations before entering the paused state" (POLLING_DB_CHANGES, then PAUSED); a
 * resume "continues where it left off". Every other state needs a person, and says which remedy.
 */

/** States in which the connection syncs normally. */
export const SYNCING: readonly string[] = ['IDLE', 'POLLING_DB_CHANGES'];

export const isSyncing = (state: string): boolean => SYNCING.includes(state);

/** What the operator does about a connection in each state that is not syncing. */
const REMEDY: Record<string, string> = {
  PAUSED: 'Resume it (`heroku connect:resume`, or the `resume` runbook): it continues where it left off.',
  SYSTEM_ERROR: 'Restart it with `heroku connect:recover`, which clears the error and resumes sync.',
  DB_UNAVAILABLE: 'Heroku Connect cannot reach its database: check that the config var in its db_key still exists (`heroku config`), then restart it with `heroku connect:recover`.',
  UNAUTHORIZED: 'Reauthorize Salesforce with `heroku connect:sf:auth`.',
  HEROKU_UNAUTH: 'Reauthorize Heroku Connect to the database in the Heroku Connect dashboard.',
  TOO_MANY_ROWS: 'The connection is over its row limit: reduce the mapped rows or upgrade the Heroku Connect plan.',
  NEW: 'The connection is not set up yet: set its database with `heroku connect:db:set` and authorize Salesforce.',
  NEED_AUTHENTICATION: 'Authorize Salesforce with `heroku connect:sf:auth`.',
  IMPORT_CONFIGURATION: 'A configuration import is running: wait for it to finish.',
  RECOVERY: 'The connection is recovering: wait until it is IDLE.',
};

/** The remedy for a connection in `state`, or undefined when it syncs. */
export function remedyFor(state: string): string | undefined {
  if (isSyncing(state)) return undefined;
  return REMEDY[state] ?? `Check the connection in the Heroku Connect dashboard (it is ${state}).`;
}

// ---------------------------------------------------------------------------------------------
// Checks

/** Check: the connection is syncing (IDLE or POLLING_DB_CHANGES), with the remedy for every other state. */
export const connectionSyncing: Fn<CheckResult> = read([readConnection], async (ctx) => {
  const { state } = await readConnection(ctx);
  if (isSyncing(state)) return { ok: true };
  return { ok: false, reason: `Heroku Connect is ${state}, not syncing.`, next: `${remedyFor(state)} Then start again.` };
});

/** Check: the connection is PAUSED (what `resume` needs). */
export const connectionPaused: Fn<CheckResult> = read([readConnection], async (ctx) => {
  const { state } = await readConnection(ctx);
  if (state === 'PAUSED') return { ok: true };
  return { ok: false, reason: `Heroku Connect is ${state}, not PAUSED: there is nothing to resume.`, next: remedyFor(state) ?? 'Nothing to do.' };
});

/** States `actions/restart` recovers from: for both, the Dev Center's remedy is to resume sync (`connect:recover`). */
export const RESTARTABLE: readonly string[] = ['SYSTEM_ERROR', 'DB_UNAVAILABLE'];

/** Check: the connection is in an error state a restart recovers from. */
export const connectionRestartable: Fn<CheckResult> = read([readConnection], async (ctx) => {
  const { state } = await readConnection(ctx);
  if (RESTARTABLE.includes(state)) return { ok: true };
  if (isSyncing(state)) return { ok: false, reason: `Heroku Connect is ${state}: it syncs, there is nothing to restart.`, next: 'Nothing to do.' };
  return { ok: false, reason: `Heroku Connect is ${state}, which a restart does not recover from.`, next: remedyFor(state) };
});

/** Check: the connection has a db_key: the runbooks find the database through it. */
export const connectionHasDatabase: Fn<CheckResult> = read([readConnection], async (ctx) => {
  const { db_key } = await readConnection(ctx);
  if (db_key) return { ok: true };
  return { ok: false, reason: 'Heroku Connect has no database set (db_key).', next: REMEDY.NEW };
});

// ---------------------------------------------------------------------------------------------
// Waits and done probes

/**
 * Wait: the connection is in `target`. POLLING_DB_CHANGES is "near" (it is IDLE again within a
 * minute or so); a state that needs a person says so, and that advice is what a timeout gives.
 */
export function connectionReaches(who: Who, target: 'IDLE' | 'PAUSED'): Fn<WaitResult> {
  return read([readSide(who.side)], async (ctx) => {
    const { state } = await readSide(who.side)(ctx);
    if (state === target) return { done: true };
    const remedy = remedyFor(state);
    return { done: false, progress: `${Named(who)} is ${state}`, near: state === 'POLLING_DB_CHANGES', ...(remedy && { next: remedy }) };
  });
}

/** The output a pause request is recorded under, per side: a connection draining into PAUSED shows POLLING_DB_CHANGES. */
export const pauseRequestedKey = (side: Side): string => `pauseRequested:${side}`;

/** Done probe of a pause: PAUSED, or draining into it after our request; the wait that follows confirms. */
export function pausedOrPausing(who: Who): Fn<boolean> {
  return read([readSide(who.side)], async (ctx) => {
    const { state } = await readSide(who.side)(ctx);
    return state === 'PAUSED' || (state === 'POLLING_DB_CHANGES' && ctx.outputs[pauseRequestedKey(who.side)] === true);
  });
}

/** Done probe of a resume: the connection is no longer PAUSED. */
export function notPaused(who: Who): Fn<boolean> {
  return read([readSide(who.side)], async (ctx) => (await readSide(who.side)(ctx)).state !== 'PAUSED');
}

/** Done probe of a restart: the connection has left the error state (RECOVERY, then syncing). */
export function outOfError(who: Who): Fn<boolean> {
  return read([readSide(who.side)], async (ctx) => !RESTARTABLE.includes((await readSide(who.side)(ctx)).state));
}

/**
 * Wait: after a restart, the connection syncs again (IDLE or POLLING_DB_CHANGES). Back in the error
 * state, the restart did not help: the run fails with the remedy rather than wait.
 */
export function syncsAgain(who: Who): Fn<WaitResult> {
  return read([readSide(who.side)], async (ctx) => {
    const { state } = await readSide(who.side)(ctx);
    if (isSyncing(state)) return { done: true };
    if (RESTARTABLE.includes(state)) throw new StepFailed(`${Named(who)} fell back into ${state} after the restart.`, { next: remedyFor(state) });
    const remedy = remedyFor(state);
    // RECOVERY lasts minutes, not seconds: not "near". Outside a cutover the wait's lateness allowance
    // (30 s) paces it; every 10 s throughout sent twice the polls for nothing.
    return { done: false, progress: `${Named(who)} is ${state}`, ...(remedy && { next: remedy }) };
  });
}
