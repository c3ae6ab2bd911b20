import type { Mapping } from '../../heroku/types.js';
import type { Probe, RunbookDeps } from '../deps.js';
import { wait, type CheckResult, type WaitResult, type WaitStep } from '../runbook.js';
import { readConnection } from './connection.js';

/**
 * Heroku Connect mapping states (reference: Connect API section 5.2). DATA_SYNCED is the goal after
 * every runbook; the Salesforce polling states come and go on their own and do not block a start.
 */

/** Loading or altering a table: a database cutover in the middle of one would have to redo it. */
const BUSY = ['INITIAL', 'RELOAD_TABLE', 'SCHEMA_CHANGED', 'RESYNC', 'WAIT_BULK_LOAD', 'LOADING_BULK_JOB', 'WAIT_BULK_UPDATE'];

const describe = (mappings: Mapping[]): string => mappings.map((m) => `${m.object_name} ${m.state}`).join(', ');

/** Check: no mapping is loading or altering its table. */
export const noMappingBusy: Probe<CheckResult> = async (ctx) => {
  const busy = (await readConnection(ctx)).mappings.filter((m) => BUSY.includes(m.state));
  if (busy.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `Heroku Connect is loading or altering tables: ${describe(busy)}.`,
    next: 'Wait until every mapping is DATA_SYNCED (`heroku connect:info`), then start again.',
  };
};

/** Wait: the connection syncs again and every mapping is DATA_SYNCED. */
const connectSynced: Probe<WaitResult> = async (ctx) => {
  const { state, mappings } = await readConnection(ctx);
  const behind = mappings.filter((m) => m.state !== 'DATA_SYNCED');
  const syncing = state === 'IDLE' || state === 'POLLING_DB_CHANGES';
  if (syncing && behind.length === 0) return { done: true };
  const synced = `${mappings.length - behind.length} of ${mappings.length} mappings DATA_SYNCED`;
  const progress = syncing ? `${synced}; ${describe(behind)}` : `Heroku Connect is ${state}; ${synced}`;
  return { done: false, progress, near: syncing && behind.length <= 1 };
};

/** The last step of every runbook: Heroku Connect is healthy and caught up. */
export function verifyConnectStep(): WaitStep<RunbookDeps, unknown> {
  return wait('Wait until every mapping is DATA_SYNCED', connectSynced, {
    every: '30s',
    max: '3m',
    timeout: '2h',
    calls: ['GET /api/v3/connections/{id}?deep=true'],
    next: 'Some mappings did not return to DATA_SYNCED: check them with `heroku connect:info` and the Heroku Connect dashboard.',
  });
}
