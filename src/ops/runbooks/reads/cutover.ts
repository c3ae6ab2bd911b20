import { api } from '../../heroku/calls.js';
import { condition, read, type Fn, type RunbookDeps } from '../deps.js';
import { record, required, type Cutover } from '../outputs.js';
import type { CheckResult, Condition } from '../runbook.js';
import { readConnection } from './connection.js';
import { newDatabaseId } from './new-database.js';

/**
 * Which way the cutover to a new database goes. Heroku documents two for Heroku Connect (Dev Center
 * "Heroku Connect Maintenance Operations", "Upgrading the Version of Your Heroku Postgres Database"):
 * promote the new database when Connect uses DATABASE_URL; when it uses a config var of its own,
 * point its db_key at the new database (`connect:db:set`) or `heroku addons:attach` the new database
 * under a name of your choosing. The run promotes when the old database is DATABASE_URL and attaches
 * the new one under every other name (reads/names.ts), so Connect's db_key keeps naming the database
 * the app uses. The choice is read and recorded at the cutover, with Heroku Connect paused, and each
 * branch is a conditional step: the one not taken is recorded as skipped, with this reason.
 */

export const PROMOTED_ATTACHMENT = 'DATABASE';

/**
 * Check: Heroku Connect still syncs to the database the run started from; records the way of the
 * cutover. The promote is taken when the old database is the app's DATABASE (pg:promote); every
 * other name moves to the new database (reads/names.ts), Heroku Connect's db_key included, so it
 * keeps its db_key (the article's `heroku addons:attach` way) and stays with the app.
 */
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
  const names = required(ctx, 'consumers').attachments.filter((a) => a.app === ctx.app).map((a) => a.name);
  const moves = names.includes(db_key.replace(/_URL$/, ''));
  const cutover: Cutover = {
    via: names.includes(PROMOTED_ATTACHMENT) ? 'promote' : 'db_key',
    dbKey: db_key,
    newDbKey: moves ? db_key : required(ctx, 'newDatabase').configVar,
  };
  await record(ctx, 'cutover', cutover);
  return { ok: true };
});

/** The promote branch: taken when the old database is the app's DATABASE_URL. */
export const whenPromoting: Condition<RunbookDeps> = condition('the old database is the app\'s DATABASE_URL', [], async (ctx) => {
  const cutover = required(ctx, 'cutover');
  return cutover.via === 'promote'
    ? { holds: true }
    : { holds: false, because: `The old database is not the app's DATABASE_URL (Heroku Connect uses ${cutover.dbKey}): nothing to promote; its names move to the new database.` };
});

/** The db_key branch: taken only when Heroku Connect's db_key is not a name that moves with the others. */
export const whenOwnConfigVar: Condition<RunbookDeps> = condition("Heroku Connect's db_key is not a name of the old database that moves", [], async (ctx) => {
  const cutover = required(ctx, 'cutover');
  if (cutover.newDbKey !== cutover.dbKey) return { holds: true };
  return {
    holds: false,
    because:
      cutover.dbKey === 'DATABASE_URL'
        ? 'Heroku Connect uses DATABASE_URL: the promote moved it to the new database.'
        : `Heroku Connect uses ${cutover.dbKey}, which now names the new database (attached under the same name, the article's addons:attach way): the app and Heroku Connect stay together.`,
  };
});

/** Done probe of the promote: the new database is attached as DATABASE. */
export const newDatabasePromoted: Fn<boolean> = read([newDatabaseId, api.platform.attachments], async (ctx) => {
  const id = await newDatabaseId(ctx);
  const attachments = await ctx.deps.platform.attachments(ctx.app);
  return attachments.some((a) => a.addon.id === id && a.name === PROMOTED_ATTACHMENT);
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
