import { ApiError, badRequest, unprocessable } from '../errors.js';
import { LATEST_VERSION, SUPPORTED_VERSIONS, type Database, type WaitStatus } from './databases.js';
import { becomeFork, behindBy, followersOf } from './followers.js';
import { isEssential } from './plans.js';
import { follower, postgres } from './timings.js';
import type { World } from './world.js';

/**
 * pg:upgrade (docs/reference/heroku-platform-and-postgres-api.md §7.5). Standard and higher leaders prepare first: `preparing` until the
 * upgrade service is ready, then `ready` (scheduled at the next maintenance window, unless run
 * sooner). Essential databases and followers run directly; a follower first unfollows, and only
 * when it is close to its leader. A run goes through steps `1/N`..`N/N`, then the version is bumped.
 */
export interface Upgrade {
  phase: 'preparing' | 'ready' | 'running' | 'done';
  version: number;
  steps: string[];
  step: number;
  scheduledFor?: number;
}

const STEPS = {
  leader: ['preparing upgrade', 'stopping database', 'creating backup', 'upgrading', 'analyzing database', 'starting database', 'recreating followers'],
  follower: ['unfollowing leader', 'stopping database', 'creating backup', 'upgrading', 'analyzing database', 'starting database'],
  essential: ['starting upgrade', 'upgrading', 'finishing upgrade'],
};

const MID_UPGRADE = 'database is in the middle of a version upgrade. Please wait for it to finish before trying again.';
const LEADERS_ONLY = 'You can only use `heroku pg:upgrade:prepare`, `pg:upgrade:dryrun` and `pg:upgrade:cancel` on Standard-tier and higher leader databases.';

type Kind = keyof typeof STEPS;

function kindOf(world: World, database: Database): Kind {
  const addon = world.addons.get(database.addonId);
  if (addon && isEssential(addon.plan)) return 'essential';
  return database.leaderId ? 'follower' : 'leader';
}

function targetVersion(database: Database, requested: string | number | undefined): number {
  const version = requested === undefined ? LATEST_VERSION : Number(requested);
  if (!SUPPORTED_VERSIONS.includes(version)) throw unprocessable(`Postgres ${String(requested)} is not a supported version.`);
  if (version <= database.version) throw unprocessable(`database is already on Postgres ${database.version}: choose a newer version.`);
  return version;
}

function leadersOnly(world: World, database: Database): void {
  const kind = kindOf(world, database);
  if (kind === 'essential') throw unprocessable(`${LEADERS_ONLY} For Essential-tier databases, use \`heroku pg:upgrade:run\` instead.`);
  if (kind === 'follower') throw unprocessable(LEADERS_ONLY);
}

export function prepareUpgrade(world: World, database: Database, requested?: string | number): string {
  leadersOnly(world, database);
  if (database.upgrade?.phase === 'running') throw unprocessable(MID_UPGRADE);
  if (database.upgrade && database.upgrade.phase !== 'done') {
    throw unprocessable('database has an upgrade already scheduled, please check `pg:upgrade:wait` for more information on the status of your upgrade.');
  }
  const upgrade: Upgrade = { phase: 'preparing', version: targetVersion(database, requested), steps: STEPS.leader, step: 0 };
  database.upgrade = upgrade;
  world.agenda.plan(`${database.addonId}:upgrade`, [
    {
      after: postgres.upgradePreparation,
      do: () => {
        upgrade.phase = 'ready';
        upgrade.scheduledFor = world.clock.now() + postgres.upgradeWindowAfterReady;
      },
    },
    { after: postgres.upgradeWindowAfterReady, do: () => startRun(world, database, upgrade) },
  ]);
  return 'Your database is scheduled for upgrade during your next available maintenance window.';
}

export function runUpgrade(world: World, database: Database, requested?: string | number): string {
  const kind = kindOf(world, database);
  const current = database.upgrade;
  if (current?.phase === 'running') throw unprocessable(MID_UPGRADE);
  if (kind === 'leader') {
    if (!current || current.phase === 'done') {
      throw badRequest("You haven't scheduled a version upgrade on your database. Run `heroku pg:upgrade:prepare` to schedule an upgrade.");
    }
    if (current.phase === 'preparing') {
      throw badRequest('Your database is not ready for upgrade. Please try running your upgrade later. You can check the status of your upgrade with `heroku pg:upgrade:wait`.');
    }
    startRun(world, database, current);
  } else {
    if (kind === 'follower' && (behindBy(world, database) ?? Infinity) > follower.upgradeMaxLag) {
      throw unprocessable('database must not be too far behind leader, please wait until your follower catches up with its leader.');
    }
    startRun(world, database, { phase: 'running', version: targetVersion(database, requested), steps: STEPS[kind], step: 0 });
  }
  return 'Started the upgrade. You can monitor the progress with `heroku pg:upgrade:wait`.';
}

function startRun(world: World, database: Database, upgrade: Upgrade): void {
  database.upgrade = upgrade;
  upgrade.phase = 'running';
  upgrade.step = 1;
  const stepMs = postgres.upgradeStep[kindOf(world, database)];
  const next = (n: number) => () => {
    if (upgrade.steps[n - 2] === 'unfollowing leader') becomeFork(world, database);
    upgrade.step = n;
  };
  world.agenda.plan(`${database.addonId}:upgrade`, [
    ...upgrade.steps.slice(1).map((_, i) => ({ after: stepMs, do: next(i + 2) })),
    { after: stepMs, do: () => finishRun(world, database, upgrade) },
  ]);
}

function finishRun(world: World, database: Database, upgrade: Upgrade): void {
  upgrade.phase = 'done';
  database.version = upgrade.version;
  for (const f of followersOf(world, database)) f.version = upgrade.version;
}

export function dryRunUpgrade(world: World, database: Database, requested?: string | number): string {
  leadersOnly(world, database);
  if (database.upgrade?.phase === 'running') throw unprocessable(MID_UPGRADE);
  targetVersion(database, requested);
  return "Started test upgrade. We'll notify you via email when it's complete.";
}

export function cancelUpgrade(world: World, database: Database): string {
  leadersOnly(world, database);
  const upgrade = database.upgrade;
  if (upgrade?.phase === 'running') throw new ApiError(422, 'bad_request', "You can't cancel the upgrade because it's currently in progress.");
  if (!upgrade || upgrade.phase === 'done') {
    throw new ApiError(422, 'bad_request', "You haven't scheduled an upgrade on your database. Run `heroku pg:upgrade:prepare` to schedule one.");
  }
  database.upgrade = undefined;
  world.agenda.cancel(`${database.addonId}:upgrade`);
  return 'You canceled the upgrade.';
}

/** What `pg:upgrade:wait` polls; the CLI prints `(<step>) <message>`. */
export function upgradeWaitStatus(world: World, database: Database): WaitStatus {
  const upgrade = database.upgrade;
  if (!upgrade) return { 'waiting?': false, message: 'no upgrade scheduled' };
  if (upgrade.phase === 'preparing') return { 'waiting?': true, message: 'preparing upgrade service' };
  if (upgrade.phase === 'ready') {
    const at = world.clock.iso(upgrade.scheduledFor).replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
    return { 'waiting?': false, message: `upgrade is scheduled on ${at}. Run \`heroku pg:upgrade:run\` to upgrade now.` };
  }
  const step = `${upgrade.step}/${upgrade.steps.length}`;
  return { 'waiting?': upgrade.phase === 'running', message: upgrade.steps[upgrade.step - 1] ?? 'upgrading', step };
}
