import { api } from '../../heroku/calls.js';
import { infoRow } from '../../heroku/data.js';
import { isForbidden } from '../../heroku/errors.js';
import { isPostgresAddOn } from '../../heroku/platform.js';
import { read, type Fn, type RunbookDeps } from '../deps.js';
import { record, required, type Consumers } from '../outputs.js';
import type { CheckResult } from '../runbook.js';
import { readConnection } from './connection.js';

/**
 * Discovery (issue 10): every consumer of the database a cutover replaces, before anything changes.
 * Attachments come from the add-on itself (`GET /addons/{id}/addon-attachments`: every app, each
 * name with its namespace, the connection pool included); for each app that uses it, its add-ons
 * (Heroku Scheduler, followers), its dynos (one-off ones write through maintenance mode) and its
 * formation (a `release` type means a release phase runs on every attach and detach, as pg:promote
 * checks). Followers are the data API's `Followers` row. The APIs cannot tell which config var a
 * process's code reads: the plan states that as the assumption the approvers accept.
 */

export const CONSUMERS_ASSUMPTION =
  'Every name that points at the old database (on every app listed) is what the code reads: each moves to the new database; a name the APIs do not show (a URL copied into a config var of its own, another team’s app) is not moved.';

/** The reads discovery sends, for the plan and the declared-calls test. */
export const discoveryCalls = [api.platform.addOnAttachments, api.platform.addOns, api.platform.dynos, api.platform.formation, api.platform.configVars, api.data.database];

/** Discovery itself, for a run's check and for `connect-ops plan` and the plan card before a run exists. */
export async function discoverConsumers(deps: RunbookDeps, database: { addonId: string; addonName: string; dbKey: string }): Promise<{ consumers: Consumers; forbidden: string[] }> {
  // By app, then name: plans and hashes do not change with the API's order.
  const attachments = (await deps.platform.addOnAttachments(database.addonId)).sort(
    (x, y) => (x.app.name ?? '').localeCompare(y.app.name ?? '') || x.name.localeCompare(y.name),
  );
  const apps = [...new Set(attachments.map((a) => a.app.name ?? ''))].filter(Boolean);
  const info = await deps.data.database(database.addonId);
  const consumers: Consumers = {
    database: { addonId: database.addonId, addonName: database.addonName },
    attachments: attachments.map((a) => ({ app: a.app.name ?? '', name: a.name, namespace: a.namespace ?? null })),
    dbKey: database.dbKey,
    followers: [],
    otherFollowers: 0,
    schedulers: [],
    oneOffDynos: [],
    formations: [],
    releasePhase: [],
  };
  const forbidden: string[] = [];
  // The leader's URL, only to compare with each follower's `following`; never recorded.
  let leaderUrl: string | undefined;
  for (const app of apps) {
    // Config vars need the deploy permission: a token that may only view the app cannot move its names.
    const vars = await deps.platform.configVars(app).catch((error: unknown) => {
      if (!isForbidden(error)) throw error;
      forbidden.push(app);
      return undefined;
    });
    const name = attachments.find((a) => a.app.name === app)?.name;
    leaderUrl ??= vars && name ? vars[`${name}_URL`] : undefined;
  }
  for (const app of apps) {
    const [addOns, dynos, formation] = await Promise.all([deps.platform.addOns(app), deps.platform.dynos(app), deps.platform.formation(app)]);
    for (const addOn of addOns) {
      if (addOn.addon_service.name === 'scheduler') consumers.schedulers.push({ app, addonName: addOn.name });
      if (!leaderUrl || !isPostgresAddOn(addOn) || addOn.id === database.addonId || addOn.state !== 'provisioned') continue;
      const other = await deps.data.database(addOn.id);
      if (other.following === leaderUrl && !consumers.followers.some((f) => f.addonName === addOn.name)) consumers.followers.push({ addonName: addOn.name, app });
    }
    consumers.oneOffDynos.push(...dynos.filter((d) => d.type === 'run' || d.type === 'scheduler').map((d) => ({ app, name: d.name, type: d.type, command: d.command ?? null })));
    consumers.formations.push({ app, processes: formation.map((f) => ({ type: f.type, quantity: f.quantity })) });
    if (formation.some((f) => f.type === 'release')) consumers.releasePhase.push(app);
  }
  consumers.otherFollowers = Math.max(0, (infoRow(info, 'Followers')?.length ?? 0) - consumers.followers.length);
  return { consumers, forbidden };
}

/**
 * Check at the start of every cutover: records the consumers, and refuses, before any change, a
 * database the run could not move everywhere: attached to an app outside the policy, or to an app
 * the token may not change.
 */
export const consumersFound: Fn<CheckResult> = read([readConnection, ...discoveryCalls], async (ctx) => {
  const { addonId, addonName, configVar } = required(ctx, 'database');
  const { consumers, forbidden } = await discoverConsumers(ctx.deps, { addonId, addonName, dbKey: configVar });
  await record(ctx, 'consumers', consumers);
  const refusal = refusalOf(consumers, forbidden, ctx.deps.policyApps);
  return refusal ? { ok: false, ...refusal } : { ok: true };
});

/** Why a cutover of these consumers cannot be made safe, with the remedy; undefined when it can. */
export function refusalOf(consumers: Consumers, forbidden: readonly string[], policyApps: readonly string[] | undefined): { reason: string; next: string } | undefined {
  const { addonName } = consumers.database;
  if (forbidden.length) {
    return {
      reason: `${addonName} is also attached to ${forbidden.join(', ')}, which this Heroku token may not change (403): the cutover could not move ${forbidden.length === 1 ? 'its names' : 'their names'} nor stop ${forbidden.length === 1 ? 'its' : 'their'} writes.`,
      next: `Give the token's user the deploy and operate permissions on ${forbidden.join(', ')} (\`heroku access:update USER --app APP --permissions deploy,operate\`), or detach the database from ${forbidden.length === 1 ? 'that app' : 'those apps'}, then start again.`,
    };
  }
  const apps = [...new Set(consumers.attachments.map((a) => a.app))];
  const outside = policyApps ? apps.filter((app) => !policyApps.includes(app)) : [];
  if (outside.length) {
    return {
      reason: `${addonName} is also attached to ${outside.join(', ')}, which the policy does not name: connect-ops would change ${outside.length === 1 ? 'an app' : 'apps'} nobody approved it for.`,
      next: `Add ${outside.join(', ')} under \`apps:\` in the policy (connect-ops.yml), or detach the database from ${outside.length === 1 ? 'it' : 'them'}, then start again.`,
    };
  }
  return undefined;
}

/** What a plan shows before a run exists: the consumers, and the refusal the run's check would give. */
export interface PlannedConsumers {
  consumers: Consumers;
  refusal?: { reason: string; next: string };
}

/**
 * Plan-time discovery for `connect-ops plan` and the plan card: the same reads as the run's check,
 * starting from the app's Connect connection and its db_key. Read-only (joining the Connect access
 * list, as connect:info does, is the one POST).
 */
export async function discoverAppConsumers(deps: RunbookDeps, app: string): Promise<PlannedConsumers> {
  const connection = await deps.connect.findConnection(app);
  const dbKey = connection.db_key;
  if (!dbKey) throw new Error(`Heroku Connect on ${app} has no database set (db_key).`);
  const [attachment] = await deps.platform.resolveAttachment(app, dbKey, { addonService: 'heroku-postgresql' });
  if (!attachment) throw new Error(`${dbKey} names no Heroku Postgres database of ${app}.`);
  const { consumers, forbidden } = await discoverConsumers(deps, { addonId: attachment.addon.id, addonName: attachment.addon.name, dbKey });
  return { consumers, refusal: refusalOf(consumers, forbidden, deps.policyApps) };
}
