import { api } from '../../heroku/calls.js';
import { condition, read, type Fn, type RunbookDeps } from '../deps.js';
import { record, required, type Cutover } from '../outputs.js';
import { StepFailed, type CheckResult, type Condition } from '../runbook.js';
import { readConnection } from './connection.js';
import { newDatabaseId } from './new-database.js';

/**
 * Which way the cutover to a new database goes. Heroku documents two, chosen by the connection's
 * db_key (Dev Center "Heroku Connect Maintenance Operations", "Upgrading the Version of Your Heroku
 * Postgres Database"): when Heroku Connect uses DATABASE_URL, promote the new database; when it
 * uses a config var of its own, point its db_key at the new database's (`connect:db:set`). The
 * choice is read and recorded at the cutover, with Heroku Connect paused, and each branch is a
 * conditional step: the one not taken is recorded as skipped, with this reason.
 */

export const PROMOTED_ATTACHMENT = 'DATABASE';

/** Check: Heroku Connect still syncs to the database the run started from; records the way of the cutover. */
export const cutoverDecided: Fn<CheckResult> = read([readConnection], async (ctx) => {
  const { db_key } = await readConnection(ctx);
  const old = required(ctx, 'database');
  if (db_key !== old.configVar) {
    return {
      ok: false,
      reason: `Heroku Connect's db_key changed during the run: it was ${old.configVar}, it is now ${db_key ?? 'unset'}.`,
      next: 'Find out who changed it; point Heroku Connect at the right database with `heroku connect:db:set`, then roll back or finish by hand.',
    };
  }
  const cutover: Cutover = db_key === 'DATABASE_URL' ? { via: 'promote', dbKey: db_key } : { via: 'db_key', dbKey: db_key, newDbKey: required(ctx, 'newDatabase').configVar };
  await record(ctx, 'cutover', cutover);
  return { ok: true };
});

/** The promote branch: taken when Heroku Connect uses DATABASE_URL. */
export const whenPromoting: Condition<RunbookDeps> = condition('Heroku Connect uses DATABASE_URL', [], async (ctx) => {
  const cutover = required(ctx, 'cutover');
  return cutover.via === 'promote' ? { holds: true } : { holds: false, because: `Heroku Connect uses ${cutover.dbKey}, not DATABASE_URL: its db_key is pointed at the new database instead.` };
});

/** The db_key branch: taken when Heroku Connect uses a config var of its own. */
export const whenOwnConfigVar: Condition<RunbookDeps> = condition('Heroku Connect uses a config var other than DATABASE_URL', [], async (ctx) => {
  const cutover = required(ctx, 'cutover');
  return cutover.via === 'db_key' ? { holds: true } : { holds: false, because: 'Heroku Connect uses DATABASE_URL: the promote moved it to the new database.' };
});

/** Done probe: the old database has an attachment besides DATABASE, so it stays reachable after the promote. */
export const oldDatabaseKeepsItsName: Fn<boolean> = read([api.platform.attachments], async (ctx) => {
  const { addonId } = required(ctx, 'database');
  const attachments = await ctx.deps.platform.attachments(ctx.app);
  return attachments.some((a) => a.addon.id === addonId && a.name !== PROMOTED_ATTACHMENT);
});

/** Done probe of the promote: the new database is attached as DATABASE. */
export const newDatabasePromoted: Fn<boolean> = read([newDatabaseId, api.platform.attachments], async (ctx) => {
  const id = await newDatabaseId(ctx);
  const attachments = await ctx.deps.platform.attachments(ctx.app);
  return attachments.some((a) => a.addon.id === id && a.name === PROMOTED_ATTACHMENT);
});

/**
 * The config var the old database answers to once the new one is promoted (`HEROKU_POSTGRESQL_<COLOR>_URL`):
 * the attachment it kept at pg:promote step 2. Recorded once found.
 */
export const oldDatabaseConfigVar: Fn<string> = read([api.platform.attachments], async (ctx) => {
  const known = ctx.outputs.oldDatabaseConfigVar;
  if (typeof known === 'string') return known;
  const { addonId, addonName } = required(ctx, 'database');
  const attachment = (await ctx.deps.platform.attachments(ctx.app)).find((a) => a.addon.id === addonId && a.name !== PROMOTED_ATTACHMENT);
  if (!attachment) {
    throw new StepFailed(`The old database ${addonName} has no attachment besides DATABASE.`, {
      next: 'Attach it under a name of its own (`heroku addons:attach`) so that the old connection can keep it, then start the runbook again.',
    });
  }
  const configVar = `${attachment.name}_URL`;
  await record(ctx, 'oldDatabaseConfigVar', configVar);
  return configVar;
});

/** Check: the cutover promotes the new database to DATABASE_URL, so Heroku Connect must sync there. */
export const syncsToDatabaseUrl: Fn<CheckResult> = read([], async (ctx) => {
  const { configVar } = required(ctx, 'database');
  if (configVar === 'DATABASE_URL') return { ok: true };
  return {
    ok: false,
    reason: `Heroku Connect syncs to ${configVar}: the parallel-connection cutover promotes the new database to DATABASE_URL, which would not replace ${configVar}.`,
    next: 'Add the fields to the mapping in place (Heroku Connect dashboard, Edit mapping), or point Heroku Connect at DATABASE_URL first.',
  };
});
