import { HerokuApiError, isConflict } from '../../heroku/errors.js';
import type { ConnectionRef } from '../../heroku/connect.js';
import type { Connection } from '../../heroku/types.js';
import type { Ctx, Probe, RunbookDeps } from '../deps.js';
import { action, wait, type ActionStep, type CheckResult, type UndoSpec, type WaitResult, type WaitStep } from '../runbook.js';
import { output, record, type Outputs } from './outputs.js';

/**
 * Heroku Connect's connection state (reference: Connect API section 5.1): found once by the first
 * check, then read by id on its regional host; paused only from IDLE, and resumed.
 */

/** States in which the connection syncs normally. */
export const SYNCING = ['IDLE', 'POLLING_DB_CHANGES'];

/** What the operator should do about a connection that is not syncing, by state. */
const REMEDY: Record<string, string> = {
  PAUSED: 'Resume it first (`heroku connect:resume`, or the `resume` runbook), then start again.',
  SYSTEM_ERROR: 'Run `heroku connect:recover` to clear the error and resume sync, then start again.',
  DB_UNAVAILABLE: 'Heroku Connect cannot reach its database: check the config var in its db_key, then run `heroku connect:recover`.',
  UNAUTHORIZED: 'Reauthorize Salesforce with `heroku connect:sf:auth`, then start again.',
  HEROKU_UNAUTH: 'Reauthorize Heroku Connect to the database in the Heroku Connect dashboard, then start again.',
  TOO_MANY_ROWS: 'The connection is over its row limit: reduce the mapped rows or upgrade the Heroku Connect plan.',
  NEW: 'The connection is not set up yet: set its database with `heroku connect:db:set` and authorize Salesforce.',
  NEED_AUTHENTICATION: 'Authorize Salesforce with `heroku connect:sf:auth`, then start again.',
  IMPORT_CONFIGURATION: 'A configuration import is running: wait for it to finish, then start again.',
  RECOVERY: 'The connection is recovering: wait until it is IDLE, then start again.',
};

/** The app's connection with its mappings (one request once the first check has recorded where it lives). */
export async function readConnection(ctx: Ctx): Promise<Connection> {
  const known = output(ctx, 'connection');
  return known ? ctx.deps.connect.connection(known) : ctx.deps.connect.findConnection(ctx.app);
}

/** Where the connection lives, for actions: no request once the first check has recorded it. */
async function connectionRef(ctx: Ctx): Promise<ConnectionRef> {
  return output(ctx, 'connection') ?? ctx.deps.connect.findConnection(ctx.app);
}

/** Check: the app has exactly one Heroku Connect connection the token can reach. Records it. */
export const connectionFound: Probe<CheckResult> = async (ctx) => {
  try {
    const connection = await ctx.deps.connect.findConnection(ctx.app);
    const { id, region_url, db_key = null, schema_name = null } = connection;
    await record(ctx, 'connection', { id, region_url, db_key, schema_name });
    return { ok: true };
  } catch (error) {
    if (error instanceof HerokuApiError && error.reason === 'no_connection') {
      return {
        ok: false,
        reason: error.message,
        next: 'Add the Heroku Connect add-on, or open it once with `heroku addons:open herokuconnect` so that the connect-ops token can see it.',
      };
    }
    if (error instanceof HerokuApiError && error.reason === 'multiple_connections') {
      return { ok: false, reason: `${ctx.app} has several Heroku Connect connections.`, next: 'These runbooks handle apps with one connection; run the procedure by hand.' };
    }
    throw error;
  }
};

/** Check: the connection is syncing (IDLE or POLLING_DB_CHANGES), with the remedy for every other state. */
export const connectionSyncing: Probe<CheckResult> = async (ctx) => {
  const { state } = await readConnection(ctx);
  if (SYNCING.includes(state)) return { ok: true };
  return { ok: false, reason: `Heroku Connect is ${state}, not syncing.`, next: REMEDY[state] ?? 'Check the connection in the Heroku Connect dashboard.' };
};

/** Check: the connection is PAUSED (what `resume` needs). */
export const connectionPaused: Probe<CheckResult> = async (ctx) => {
  const { state } = await readConnection(ctx);
  if (state === 'PAUSED') return { ok: true };
  return { ok: false, reason: `Heroku Connect is ${state}, not PAUSED: there is nothing to resume.`, next: REMEDY[state] ?? 'Nothing to do.' };
};

/** Check: the connection has a db_key: the runbooks find the database through it. */
export const connectionHasDatabase: Probe<CheckResult> = async (ctx) => {
  const { db_key } = await readConnection(ctx);
  if (db_key) return { ok: true };
  return { ok: false, reason: 'Heroku Connect has no database set (db_key).', next: REMEDY.NEW };
};

const progressOf = (state: string): string => `Heroku Connect is ${state}`;

/** Wait: IDLE, the only state a connection can be paused in. */
const connectionIdle: Probe<WaitResult> = async (ctx) => {
  const { state } = await readConnection(ctx);
  return state === 'IDLE' ? { done: true } : { done: false, progress: progressOf(state), near: state === 'POLLING_DB_CHANGES' };
};

/** Wait: PAUSED, reached once the pending operations are finished. */
const connectionIsPaused: Probe<WaitResult> = async (ctx) => {
  const { state } = await readConnection(ctx);
  return state === 'PAUSED' ? { done: true } : { done: false, progress: progressOf(state), near: state === 'POLLING_DB_CHANGES' };
};

/**
 * Asks a connection to pause, recording first that it was asked (under `requested`): a connection
 * that was asked finishes its pending operations first and shows POLLING_DB_CHANGES meanwhile, as
 * one that is polling does. A 409 (it was not IDLE after all) paused nothing: the record is taken back.
 */
export async function requestPause(ctx: Ctx, requested: string, connection: ConnectionRef): Promise<void> {
  await ctx.record(requested, true);
  try {
    await ctx.deps.connect.pause(connection);
  } catch (error) {
    if (isConflict(error)) await ctx.record(requested, false);
    throw error;
  }
}

/** Done probe of a pause: PAUSED, or draining into it after our request; the following wait confirms. */
export function pausedOrPausing(ctx: Ctx, requested: string, state: string): boolean {
  return state === 'PAUSED' || (state === 'POLLING_DB_CHANGES' && ctx.outputs[requested] === true);
}

const PAUSE_REQUESTED = 'pauseRequested' satisfies keyof Outputs;

const notPaused: Probe<boolean> = async (ctx) => (await readConnection(ctx)).state !== 'PAUSED';

const pauseRequest = async (ctx: Ctx): Promise<void> => requestPause(ctx, PAUSE_REQUESTED, await connectionRef(ctx));

const resumeRequest = async (ctx: Ctx): Promise<void> => {
  await ctx.deps.connect.resume(await connectionRef(ctx));
};

const PAUSE_CALL = 'POST /api/v3/connections/{id}/actions/pause';
const RESUME_CALL = 'POST /api/v3/connections/{id}/actions/resume';

const resumeConnectUndo: UndoSpec<RunbookDeps, unknown> = {
  title: 'Resume Heroku Connect',
  do: resumeRequest,
  done: notPaused,
  calls: [RESUME_CALL],
};

/**
 * The three steps of a pause: "Connections can only be paused when they are in the IDLE state", so
 * wait for IDLE (bounded; a connection stuck in POLLING_DB_CHANGES is reported with the advice), pause,
 * and wait until pending operations are done.
 */
export function pauseConnectSteps(options: { downtime?: 'starts' } = {}): [WaitStep<RunbookDeps, unknown>, ActionStep<RunbookDeps, unknown>, WaitStep<RunbookDeps, unknown>] {
  return [
    wait('Wait until Heroku Connect is IDLE', connectionIdle, {
      every: '10s',
      max: '1m',
      timeout: '30m',
      expect: ['0s', '10m'],
      calls: ['GET /api/v3/connections/{id}?deep=true'],
      next:
        'Heroku Connect stayed busy (POLLING_DB_CHANGES) for 30 minutes. A connection stuck in POLLING_DB_CHANGES needs a look at its logs ' +
        '(Heroku Connect dashboard, Logs tab, or `heroku logs --tail`); start the runbook again once it is IDLE.',
    }),
    action('Pause Heroku Connect', {
      do: pauseRequest,
      done: async (ctx) => pausedOrPausing(ctx, PAUSE_REQUESTED, (await readConnection(ctx)).state),
      undo: resumeConnectUndo,
      calls: [PAUSE_CALL],
      ...options,
    }),
    wait('Wait until Heroku Connect is PAUSED', connectionIsPaused, {
      every: '10s',
      max: '1m',
      timeout: '1h',
      expect: ['30s', '5m'],
      calls: ['GET /api/v3/connections/{id}?deep=true'],
      next: 'Heroku Connect did not reach PAUSED: check its state in the dashboard, then pause it by hand or roll back.',
    }),
  ];
}

/** Resumes sync: changes made while paused are sent automatically ("resume continues where it left off"). */
export function resumeConnectStep(options: { downtime?: 'ends' } = {}): ActionStep<RunbookDeps, unknown> {
  return action('Resume Heroku Connect', { do: resumeRequest, done: notPaused, calls: [RESUME_CALL], ...options });
}
