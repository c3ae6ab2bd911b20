import type { ConnectionRef } from '../../heroku/connect.js';
import type { Ctx, Probe, RunbookDeps } from '../deps.js';
import { action, check, type ActionStep, type CheckStep } from '../runbook.js';
import { readConnection } from './connection.js';
import { newDatabaseId } from './addons.js';
import { record, required, type Cutover } from './outputs.js';

/**
 * The cutover to the new database. Heroku documents two ways, chosen by the connection's db_key:
 * when Heroku Connect uses DATABASE_URL, promote the new database (pg:promote, reference 6.3);
 * when it uses a custom config var, point its db_key at the new database's config var
 * (`connect:db:set`). The choice is read and recorded at the cutover, with Heroku Connect paused.
 */

const PROMOTED = 'DATABASE';

/** Check: Heroku Connect still syncs to the database the run started from; records the cutover. */
export function cutoverDecidedStep(): CheckStep<RunbookDeps, unknown> {
  return check(
    "Read Heroku Connect's db_key to choose between promote and db_key",
    async (ctx) => {
      const { db_key } = await readConnection(ctx);
      const old = required(ctx, 'database');
      if (db_key !== old.configVar) {
        return {
          ok: false,
          reason: `Heroku Connect's db_key changed during the run: it was ${old.configVar}, it is now ${db_key ?? 'unset'}.`,
          next: 'Find out who changed it; point Heroku Connect at the right database with `heroku connect:db:set`, then roll back or finish by hand.',
        };
      }
      const cutover: Cutover =
        db_key === 'DATABASE_URL' ? { via: 'promote', dbKey: db_key } : { via: 'db_key', dbKey: db_key, newDbKey: required(ctx, 'newDatabase').configVar };
      await record(ctx, 'cutover', cutover);
      return { ok: true };
    },
    { calls: ['GET /api/v3/connections/{id}?deep=true'] },
  );
}

const cutoverIs = (ctx: Ctx, via: Cutover['via']): boolean => required(ctx, 'cutover').via === via;

/** Done probe: the old database has an attachment besides DATABASE, so it stays reachable after promote. */
const oldDatabaseKeepsItsName: Probe<boolean> = async (ctx) => {
  if (!cutoverIs(ctx, 'promote')) return true;
  const { addonId } = required(ctx, 'database');
  const attachments = await ctx.deps.platform.attachments(ctx.app);
  return attachments.some((a) => a.addon.id === addonId && a.name !== PROMOTED);
};

/** pg:promote step 2: "Keep the old DB reachable" under a HEROKU_POSTGRESQL_<COLOR> name of its own. */
export function keepOldDatabaseAttachedStep(): ActionStep<RunbookDeps, unknown> {
  return action('Keep the old database attached under its own name (when promoting)', {
    do: async (ctx) => {
      if (!cutoverIs(ctx, 'promote')) return;
      await ctx.deps.platform.createAttachment({ addon: required(ctx, 'database').addonName, app: ctx.app, confirm: ctx.app });
    },
    done: oldDatabaseKeepsItsName,
    calls: ['GET /apps/{app}/addon-attachments', 'POST /addon-attachments {addon, app, confirm}'],
  });
}

const promoted: Probe<boolean> = async (ctx) => {
  if (!cutoverIs(ctx, 'promote')) return true;
  const id = await newDatabaseId(ctx);
  const attachments = await ctx.deps.platform.attachments(ctx.app);
  return attachments.some((a) => a.addon.id === id && a.name === PROMOTED);
};

/** pg:promote step 4: attach the new database as DATABASE, replacing the old one's DATABASE_URL. */
export function promoteStep(): ActionStep<RunbookDeps, unknown> {
  return action('Promote the new database to DATABASE_URL (when Heroku Connect uses DATABASE_URL)', {
    do: async (ctx) => {
      if (!cutoverIs(ctx, 'promote')) return;
      await ctx.deps.platform.createAttachment({ addon: required(ctx, 'newDatabase').name, app: ctx.app, name: PROMOTED, confirm: ctx.app });
    },
    done: promoted,
    calls: ['POST /addon-attachments {addon, app, name: "DATABASE", confirm}'],
  });
}

const connectionRef = (ctx: Ctx): ConnectionRef => required(ctx, 'connection');

const dbKeyPointsAtNewDatabase: Probe<boolean> = async (ctx) => {
  const cutover = required(ctx, 'cutover');
  if (cutover.via !== 'db_key') return true;
  return (await readConnection(ctx)).db_key === cutover.newDbKey;
};

/** `connect:db:set`: the connection keeps its schema and reads the new database's config var. */
function pointDbKeyStep(): ActionStep<RunbookDeps, unknown> {
  return action("Point Heroku Connect's db_key at the new database (when it uses another config var)", {
    do: async (ctx) => {
      const cutover = required(ctx, 'cutover');
      if (cutover.via !== 'db_key') return;
      const schema = required(ctx, 'connection').schema_name ?? 'salesforce';
      await ctx.deps.connect.setDatabase(connectionRef(ctx), { db_key: cutover.newDbKey, schema_name: schema });
    },
    done: dbKeyPointsAtNewDatabase,
    calls: ['PATCH /api/v3/connections/{id} {"db_key", "schema_name"}'],
  });
}

/** The cutover, both ways: each action is already in effect (and skipped) on the way not taken. */
export function cutoverSteps(): Array<CheckStep<RunbookDeps, unknown> | ActionStep<RunbookDeps, unknown>> {
  return [cutoverDecidedStep(), keepOldDatabaseAttachedStep(), promoteStep(), pointDbKeyStep()];
}
