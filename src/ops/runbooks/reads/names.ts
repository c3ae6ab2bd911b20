import { api } from '../../heroku/calls.js';
import type { AddOnAttachment } from '../../heroku/types.js';
import { read, type Ctx, type Fn } from '../deps.js';
import { output, record, required } from '../outputs.js';
import { StepFailed, type CheckResult, type WaitResult } from '../runbook.js';
import { readSide, type Who } from './connection.js';
import { PROMOTED_ATTACHMENT } from './cutover.js';
import { newDatabaseId } from './new-database.js';
import { usualReleasePhaseMs } from './release-history.js';

/**
 * Every name of the database a cutover replaces, on every app (issue 10, "Move every name"). A name
 * is an attachment: `<NAME>_URL` on one app, in a namespace (`connection-pooling:default` for the
 * pool). After the cutover each of them names the new database, except one new name that keeps the
 * old database reachable (pg:promote step 2, heroku/cli src/commands/pg/promote.ts); Heroku Connect's
 * db_key is one of them, so it moves with the app (the article's `heroku addons:attach` way).
 */

/** One attachment to move: the name on an app, and its namespace, kept as it is. */
export interface Name {
  app: string;
  name: string;
  namespace: string | null;
}

/** `OLD_DATABASE_1A2B3C4D`: the name the old database keeps, from the run id, so a probe finds it after a crash. */
export function keptName(ctx: Ctx): string {
  return `OLD_DATABASE_${ctx.runId.replace(/[^a-zA-Z0-9]/g, '').slice(0, 8).toUpperCase()}`;
}

/** The config var the old database answers to after the cutover. */
export const keptConfigVar = (ctx: Ctx): string => `${keptName(ctx)}_URL`;

const namesOf = (attachments: readonly AddOnAttachment[]): Name[] => attachments.map((a) => ({ app: a.app.name ?? '', name: a.name, namespace: a.namespace ?? null }));

/** The old database's attachments now, on every app. */
const oldAttachments = (ctx: Ctx) => ctx.deps.platform.addOnAttachments(required(ctx, 'database').addonId);

/** Done probe of pg:promote step 2: the old database has the name the run gives it on the app. */
export const oldDatabaseKeepsItsName: Fn<boolean> = read([api.platform.addOnAttachments], async (ctx) => {
  const name = keptName(ctx);
  return (await oldAttachments(ctx)).some((a) => a.app.name === ctx.app && a.name === name);
});

/**
 * What is left to move: every name of the old database on the apps discovery found, but the one it
 * keeps and the app's DATABASE (the promote moves that one, as its own step). Read live, so that a
 * `do` repeated after a crash sends only what has not taken effect.
 */
export const namesLeftToMove: Fn<Name[]> = read([api.platform.addOnAttachments], async (ctx) => {
  const apps = new Set(required(ctx, 'consumers').attachments.map((a) => a.app));
  const kept = keptName(ctx);
  return namesOf(await oldAttachments(ctx))
    .filter((n) => apps.has(n.app) && !(n.app === ctx.app && (n.name === kept || n.name === PROMOTED_ATTACHMENT)))
    .sort((x, y) => Number(y.app === ctx.app) - Number(x.app === ctx.app) || x.app.localeCompare(y.app) || x.name.localeCompare(y.name));
});

/** Done probe of the move: no name but the kept one (and DATABASE, the promote's) names the old database. */
export const everyNameMoved: Fn<boolean> = read([namesLeftToMove], async (ctx) => (await namesLeftToMove(ctx)).length === 0);

/** The apps whose names move that have a release phase: each attach and detach runs it. */
const releasePhaseApps = (ctx: Ctx): string[] => {
  const consumers = required(ctx, 'consumers');
  return consumers.releasePhase.filter((app) => consumers.attachments.some((a) => a.app === app));
};

/**
 * The newest release of every app with a release phase, before the first name changes: the releases
 * after it are the run's attach and detach releases. Recorded once, before the first attach.
 */
export async function recordReleaseBaseline(ctx: Ctx): Promise<void> {
  if (output(ctx, 'releaseBaseline')) return;
  const baseline: Record<string, number> = {};
  for (const app of releasePhaseApps(ctx)) baseline[app] = (await ctx.deps.platform.releases(app, { newest: 1 }))[0]?.version ?? 0;
  await record(ctx, 'releaseBaseline', baseline);
}

const ATTACH_OR_DETACH = /^(Attach|Detach) /;

/**
 * Wait, as pg:promote does when the app has a release phase (a `release` process type): every Attach
 * and Detach release since the names started moving has left `pending`. A failed Attach release
 * stops the run (pg:promote: "pg:promote failed because <release> release was unsuccessful"); a
 * failed Detach is "safe to ignore".
 */
export const releasesSettled: Fn<WaitResult> = read([api.platform.releases], async (ctx) => {
  const baseline = output(ctx, 'releaseBaseline') ?? {};
  const pending: string[] = [];
  let usually: number | undefined;
  for (const app of releasePhaseApps(ctx)) {
    const since = baseline[app] ?? 0;
    const listed = await ctx.deps.platform.releases(app, { newest: 20 });
    const releases = listed.filter((r) => r.version > since && ATTACH_OR_DETACH.test(r.description));
    const failed = releases.find((r) => r.status === 'failed' && r.description.startsWith('Attach '));
    if (failed) {
      throw new StepFailed(`The release phase of ${app} failed for v${failed.version} (${failed.description}).`, {
        next: `Read why with \`heroku releases:output v${failed.version} -a ${app}\`, fix the release command, then re-run it (\`heroku releases:retry -a ${app}\`); writes stay stopped until then, or roll back.`,
      });
    }
    const running = releases.filter((r) => r.status === 'pending');
    pending.push(...running.map((r) => `${app} v${r.version}`));
    // The app's own last release phases say when these should end: the engine aims its polls there
    // instead of polling every 5 s throughout, as pg:promote does (the app's writes are stopped).
    const usual = running.length ? usualReleasePhaseMs(listed) : undefined;
    if (usual !== undefined) usually = Math.max(usually ?? 0, usual);
  }
  return pending.length ? { done: false, progress: `Release phase running: ${pending.join(', ')}`, usually } : { done: true };
});

/** How to attach the new database under a name, as a person would type it. */
function attachCommand(database: string, name: Name): string {
  if (name.namespace === 'connection-pooling:default') return `heroku pg:connection-pooling:attach ${database} --as ${name.name} -a ${name.app}`;
  const credential = name.namespace?.startsWith('credential:') ? ` --credential ${name.namespace.slice('credential:'.length)}` : '';
  return `heroku addons:attach ${database} --as ${name.name}${credential} --confirm ${name.app} -a ${name.app}`;
}

/**
 * Check before writes resume (issue 10 part 4): every name discovery found names the new database on
 * its app, no name but the kept one still names the old database, and `who`'s db_key resolves to the
 * new database. Otherwise the run stops here, writes still off, with the commands that finish the move.
 */
export function namesVerified(who: Who): Fn<CheckResult> {
  return read([newDatabaseId, api.platform.attachments, api.platform.addOnAttachments, readSide(who.side)], async (ctx) => {
    const newId = await newDatabaseId(ctx);
    const newName = required(ctx, 'newDatabase').name;
    const consumers = required(ctx, 'consumers');
    const kept = keptName(ctx);
    const byApp = new Map<string, AddOnAttachment[]>();
    for (const app of new Set(consumers.attachments.map((a) => a.app))) byApp.set(app, await ctx.deps.platform.attachments(app));
    const holder = (app: string, name: string) => byApp.get(app)?.find((a) => a.name === name);
    const wrong = consumers.attachments.filter((n) => holder(n.app, n.name)?.addon.id !== newId);
    const stale = namesOf(await oldAttachments(ctx)).filter((n) => !(n.app === ctx.app && n.name === kept) && !wrong.some((w) => w.app === n.app && w.name === n.name));
    const { db_key: dbKey } = await readSide(who.side)(ctx);
    const connectName = dbKey?.replace(/_URL$/, '');
    const connectOn = connectName ? (byApp.get(ctx.app) ?? (await ctx.deps.platform.attachments(ctx.app))).find((a) => a.name === connectName) : undefined;
    const problems = [
      ...[...wrong, ...stale].map((n) => `${n.app}: ${n.name}_URL${n.namespace ? ` (${n.namespace})` : ''} does not name ${newName}`),
      ...(connectOn?.addon.id === newId ? [] : [`Heroku Connect's db_key ${dbKey ?? '(unset)'} does not name ${newName}`]),
    ];
    if (!problems.length) return { ok: true };
    const commands = [
      ...[...wrong, ...stale].map((n) => attachCommand(newName, n)),
      ...(connectOn?.addon.id === newId ? [] : [`heroku connect:db:set --db ${required(ctx, 'newDatabase').configVar} -a ${ctx.app}`]),
    ];
    return {
      ok: false,
      reason: `Not every name moved to the new database: ${problems.join('; ')}. Writes are still stopped.`,
      next: `Move them by hand: ${commands.map((c) => `\`${c}\``).join(', ')}; then finish by hand: resume Heroku Connect (\`heroku connect:resume -a ${ctx.app}\`), scale the worker dynos back and turn maintenance mode off (\`heroku maintenance:off -a ${ctx.app}\`).`,
    };
  });
}
