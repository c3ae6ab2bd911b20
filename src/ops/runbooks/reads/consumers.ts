import { api } from '../../heroku/calls.js';
import { infoRow } from '../../heroku/data.js';
import { isForbidden, isNotFound } from '../../heroku/errors.js';
import { isPostgresAddOn } from '../../heroku/platform.js';
import { read, type Fn, type RunbookDeps } from '../deps.js';
import { output, record, required, type Consumers } from '../outputs.js';
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

/** recreate keeps the database, so nothing moves: what the approvers accept is who writes to it. */
export const KEEPS_DATABASE_ASSUMPTION =
  'The database stays and no name moves. The apps listed are every writer to stop while no connection captures writes; a process that reaches the database through a URL the APIs do not show (copied into a config var of its own, another team’s app) is not stopped.';

/** The assumption a runbook's approvers accept about what the APIs cannot see. */
export function consumersAssumption(runbook: string | undefined): string {
  return refusalOptionsFor(runbook).changesApps === false ? KEEPS_DATABASE_ASSUMPTION : CONSUMERS_ASSUMPTION;
}

/** The reads discovery sends, for the plan and the declared-calls test. */
export const discoveryCalls = [api.platform.addOnAttachments, api.platform.addOns, api.platform.dynos, api.platform.formation, api.platform.configVars, api.data.database];

/** Discovery itself, for a run's check and for `connect-ops plan` and the plan card before a run exists. */
export async function discoverConsumers(deps: RunbookDeps, database: { addonId: string; addonName: string; dbKey: string }): Promise<Discovered> {
  // By app, then name: plans and hashes do not change with the API's order.
  const attachments = (await deps.platform.addOnAttachments(database.addonId)).sort(
    (x, y) => (x.app.name ?? '').localeCompare(y.app.name ?? '') || x.name.localeCompare(y.name),
  );
  // An attachment whose app has no name shown is on an app the token cannot see at all.
  const unseen = [...new Set(attachments.filter((a) => !a.app.name).map((a) => a.app.id ?? a.id))];
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
  const notFound: string[] = [];
  // The leader's URL, only to compare with each follower's `following`; never recorded.
  let leaderUrl: string | undefined;
  for (const app of apps) {
    // Config vars need the deploy permission: a token that may only view the app cannot move its
    // names (403 `forbidden`); one without any access to it is told the app does not exist (404 `not_found`).
    const vars = await deps.platform.configVars(app).catch((error: unknown) => {
      if (isForbidden(error)) forbidden.push(app);
      else if (isNotFound(error)) notFound.push(app);
      else throw error;
      return undefined;
    });
    const name = attachments.find((a) => a.app.name === app)?.name;
    leaderUrl ??= vars && name ? vars[`${name}_URL`] : undefined;
  }
  // An app the token cannot see has no add-ons, dynos or formation to read: its refusal says so.
  for (const app of apps.filter((a) => !notFound.includes(a))) {
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
  return { consumers, forbidden, notFound, unseen };
}

/** What discovery found, and the apps it could not change (403), could not see (404) or saw unnamed. */
export interface Discovered {
  consumers: Consumers;
  /** Apps whose config vars answered 403 `forbidden`: the token may view them, not change them. */
  forbidden: string[];
  /** Apps whose config vars answered 404 `not_found`: the token has no access to them at all. */
  notFound: string[];
  /** Attachments on apps the API showed without a name (by app id): not ours to see. */
  unseen: string[];
}

/** What the cutover will do with the names, for the refusals that depend on it. */
export interface RefusalOptions {
  /**
   * Whether the new database carries the old one's credentials (a follower does, and pg:upgrade
   * keeps them; a pg:copy target is a new database without them), so that a name in a
   * `credential:` namespace can be attached to it.
   */
  carriesCredentials?: boolean;
  /**
   * Whether the run changes the other apps (moves their names, stops their writers). `recreate`
   * does not (the database stays; it checks that writes are stopped): an app it may only view or
   * that the policy does not name is then no reason to refuse, one it cannot see still is.
   */
  changesApps?: boolean;
}

/**
 * Check at the start of every cutover: records the consumers, and refuses, before any change, a
 * database the run could not move everywhere: attached to an app outside the policy, or to an app
 * the token may not change.
 */
export function consumersFound(options: RefusalOptions = {}): Fn<CheckResult> {
  return read([readConnection, ...discoveryCalls], async (ctx) => {
    const { addonId, addonName, configVar } = required(ctx, 'database');
    const discovered = await discoverConsumers(ctx.deps, { addonId, addonName, dbKey: configVar });
    await record(ctx, 'consumers', discovered.consumers);
    const refusal = refusalOf(discovered, ctx.deps.policyApps, options);
    return refusal ? { ok: false, ...refusal } : { ok: true };
  });
}

/**
 * Why a cutover of these consumers cannot be made safe, with the remedy; undefined when it can.
 * Refused, in this order: an attachment on an app the token cannot see (unnamed, or 404
 * `not_found`), an app it may only view (403 `forbidden`: Heroku's error ids, ../shared/reference
 * "Error bodies"), an app outside the policy, and a `credential:` name the new database cannot take.
 * (A db_key that names no Heroku Postgres database of the app is refused earlier, by the check
 * that finds the database: reads/database.ts, connectDatabaseFound.)
 */
export function refusalOf(
  discovered: Pick<Discovered, 'consumers' | 'forbidden'> & Partial<Pick<Discovered, 'notFound' | 'unseen'>>,
  policyApps: readonly string[] | undefined,
  options: RefusalOptions = {},
): { reason: string; next: string } | undefined {
  const { consumers, forbidden } = discovered;
  const notFound = [...(discovered.notFound ?? []), ...(discovered.unseen ?? []).map((id) => `an app the token cannot see (id ${id})`)];
  const { addonName } = consumers.database;
  if (notFound.length) {
    return {
      reason: `${addonName} is also attached to ${notFound.join(', ')}, which this Heroku token cannot see (404 not_found): the cutover could neither move ${notFound.length === 1 ? 'its names' : 'their names'} nor stop ${notFound.length === 1 ? 'its' : 'their'} writes.`,
      next: `Give the token's user access to ${notFound.join(', ')} with the deploy and operate permissions (\`heroku access:add USER --app APP --permissions deploy,operate\`), or detach the database from ${notFound.length === 1 ? 'that app' : 'those apps'} (\`heroku addons:detach NAME -a APP\`), then start again.`,
    };
  }
  if (forbidden.length && options.changesApps !== false) {
    return {
      reason: `${addonName} is also attached to ${forbidden.join(', ')}, which this Heroku token may not change (403): the cutover could not move ${forbidden.length === 1 ? 'its names' : 'their names'} nor stop ${forbidden.length === 1 ? 'its' : 'their'} writes.`,
      next: `Give the token's user the deploy and operate permissions on ${forbidden.join(', ')} (\`heroku access:update USER --app APP --permissions deploy,operate\`), or detach the database from ${forbidden.length === 1 ? 'that app' : 'those apps'}, then start again.`,
    };
  }
  const apps = [...new Set(consumers.attachments.map((a) => a.app))];
  const outside = policyApps && options.changesApps !== false ? apps.filter((app) => !policyApps.includes(app)) : [];
  if (outside.length) {
    return {
      reason: `${addonName} is also attached to ${outside.join(', ')}, which the policy does not name: connect-ops would change ${outside.length === 1 ? 'an app' : 'apps'} nobody approved it for.`,
      next: `Add ${outside.join(', ')} under \`apps:\` in the policy (connect-ops.yml), or detach the database from ${outside.length === 1 ? 'it' : 'them'}, then start again.`,
    };
  }
  const credentials = options.carriesCredentials === false ? consumers.attachments.filter((a) => a.namespace?.startsWith('credential:')) : [];
  if (credentials.length) {
    const names = credentials.map((a) => `${a.name} on ${a.app} (${a.namespace})`);
    return {
      reason: `${addonName} is attached through a credential (${names.join(', ')}): the new database is a new add-on without that credential, so the name could not move with the others and would stay on the old database.`,
      next: `Use the follower changeover where it applies (a follower carries the credentials: \`/connect plan-change APP PLAN --via follower\`), or detach the credential's name (${credentials.map((a) => `\`heroku addons:detach ${a.name} -a ${a.app}\``).join(', ')}) and attach it again after the cutover with \`heroku pg:credentials:create\` and \`heroku addons:attach --credential\`, then start again.`,
    };
  }
  return undefined;
}

/** copy and add-column cut over to a new add-on: the old one's credentials are not on it. */
export const NEW_ADD_ON: RefusalOptions = { carriesCredentials: false };
/** recreate keeps the database: no name moves and no other app is changed. */
export const KEEPS_DATABASE: RefusalOptions = { changesApps: false };

/** The refusal options of each runbook that finds consumers, for plan-time discovery (the runbooks pass the same to their checks). */
export function refusalOptionsFor(runbook: string | undefined): RefusalOptions {
  if (runbook === 'copy' || runbook === 'add-column') return NEW_ADD_ON;
  if (runbook === 'recreate') return KEEPS_DATABASE;
  return {};
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
export async function discoverAppConsumers(deps: RunbookDeps, app: string, options: RefusalOptions = {}): Promise<PlannedConsumers> {
  const connection = await deps.connect.findConnection(app);
  const dbKey = connection.db_key;
  if (!dbKey) throw new Error(`Heroku Connect on ${app} has no database set (db_key).`);
  const [attachment] = await deps.platform.resolveAttachment(app, dbKey, { addonService: 'heroku-postgresql' });
  if (!attachment) throw new Error(`${dbKey} names no Heroku Postgres database of ${app}.`);
  const discovered = await discoverConsumers(deps, { addonId: attachment.addon.id, addonName: attachment.addon.name, dbKey });
  const refusal = refusalOf(discovered, deps.policyApps, options);
  return { consumers: discovered.consumers, ...(refusal && { refusal }) };
}

/**
 * What differs between the consumers the approvers approved and those found now, as sentences; empty
 * when the cutover would move and stop exactly what they saw. A name added or gone, another db_key, a
 * new follower, Scheduler or release phase, and a `heroku run` dyno started since are changes; a dyno
 * that ended, a Scheduler job's dyno (its jobs are the Scheduler step's) and other quantities in a
 * formation (the run records the formation when it scales) are not.
 */
export function changesSince(approved: Consumers, now: Consumers): string[] {
  const changes: string[] = [];
  const key = (a: Consumers['attachments'][number]) => `${a.app}\u0000${a.name}\u0000${a.namespace ?? ''}`;
  const show = (a: Consumers['attachments'][number]) => `${a.name}${a.namespace ? ` (${a.namespace})` : ''} on ${a.app}`;
  const before = new Set(approved.attachments.map(key));
  const after = new Set(now.attachments.map(key));
  const added = now.attachments.filter((a) => !before.has(key(a)));
  const gone = approved.attachments.filter((a) => !after.has(key(a)));
  if (added.length) changes.push(`new attachment${added.length > 1 ? 's' : ''} ${added.map(show).join(', ')}`);
  if (gone.length) changes.push(`attachment${gone.length > 1 ? 's' : ''} ${gone.map(show).join(', ')} no longer there`);
  if (now.dbKey !== approved.dbKey) changes.push(`Heroku Connect's db_key is ${now.dbKey}, not ${approved.dbKey}`);
  const followers = now.followers.filter((f) => !approved.followers.some((g) => g.addonName === f.addonName));
  if (followers.length) changes.push(`new follower${followers.length > 1 ? 's' : ''} ${followers.map((f) => `${f.addonName} on ${f.app}`).join(', ')}`);
  if (now.otherFollowers > approved.otherFollowers) changes.push(`${now.otherFollowers - approved.otherFollowers} new follower(s) on apps the token does not see`);
  const schedulers = now.schedulers.filter((s) => !approved.schedulers.some((t) => t.app === s.app && t.addonName === s.addonName));
  if (schedulers.length) changes.push(`Heroku Scheduler added on ${schedulers.map((s) => s.app).join(', ')}`);
  const dynos = now.oneOffDynos.filter((d) => d.type === 'run' && !approved.oneOffDynos.some((e) => e.app === d.app && e.name === d.name));
  if (dynos.length) changes.push(`one-off dyno${dynos.length > 1 ? 's' : ''} ${dynos.map((d) => `${d.name} on ${d.app}${d.command ? ` (${d.command})` : ''}`).join(', ')} started since`);
  const release = now.releasePhase.filter((app) => !approved.releasePhase.includes(app));
  if (release.length) changes.push(`a release phase on ${release.join(', ')}`);
  return changes;
}

export const CONSUMERS_UNCHANGED = 'The consumers are still those the approvers approved, and every app that uses the database can still be changed';

/**
 * Check right before the first change of a cutover, after its approval (and its Scheduler step): the
 * consumers found again must be those recorded before the approval (bound into the plan hash the
 * approvers approved), and the refusals still not apply (the policy or the token's access may have
 * changed meanwhile). Otherwise the run stops before any change: a new plan is needed, since the
 * approvers did not approve moving or stopping what is new. The recorded consumers are left as
 * approved.
 */
export function consumersUnchanged(options: RefusalOptions = {}): Fn<CheckResult> {
  return read([readConnection, ...discoveryCalls], async (ctx) => {
    const approved = required(ctx, 'consumers');
    const connection = await readConnection(ctx);
    const discovered = await discoverConsumers(ctx.deps, { ...approved.database, dbKey: connection.db_key ?? '' });
    // The run's own follower (the follower changeovers create it before the approval) is no change.
    const own = output(ctx, 'newDatabase')?.name;
    discovered.consumers.followers = discovered.consumers.followers.filter((f) => f.addonName !== own);
    const scheduler = approved.schedulers.length
      ? ' If you disabled Heroku Scheduler jobs for this run, enable them again: the rollback offers that step.'
      : '';
    const refusal = refusalOf(discovered, ctx.deps.policyApps, options);
    if (refusal) return { ok: false, reason: `Before the cutover: ${refusal.reason} Nothing was changed.`, next: `${refusal.next}${scheduler}` };
    const changes = changesSince(approved, discovered.consumers);
    if (!changes.length) return { ok: true };
    return {
      ok: false,
      reason: `What uses ${approved.database.addonName} changed since the plan was approved: ${changes.join('; ')}. The approvers did not approve moving or stopping it; nothing was changed.`,
      next: `Start the runbook again for a new plan that lists what uses the database now, and have it approved (or undo the change, then start again).${scheduler}`,
    };
  });
}
