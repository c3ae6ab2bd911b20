import { invalidParams, notFound } from '../errors.js';
import type { AddOn } from './addons.js';
import type { App } from './apps.js';
import { attachmentName, attachmentsOf } from './attachments.js';
import { behindBy } from './followers.js';
import { isEssential, isPostgres, type Plan } from './plans.js';
import { postgres, writes } from './timings.js';
import type { Upgrade } from './upgrades.js';
import { writesOf, writingMs } from './writes.js';
import type { World } from './world.js';

/** The Heroku Postgres side of a `heroku-postgresql` add-on, as the data API sees it. */
export interface Database {
  addonId: string;
  url: string;
  /** Postgres major version */
  version: number;
  numBytes: number;
  numTables: number;
  createdAt: number;
  /** when provisioning ended; the data API answers 404 before */
  availableAt?: number;
  /** the add-on this database follows */
  leaderId?: string;
  /** set on forks and on unfollowed followers */
  forkedFromId?: string;
  forkedAt?: number;
  planChange?: 'preparing' | 'changeover';
  upgrade?: Upgrade;
  /** transactions committed up to `txSince`: the stand-in for "the data" that pg:copy carries */
  txBase: number;
  txSince: number;
}

export const SUPPORTED_VERSIONS = [14, 15, 16, 17];
const DEFAULT_VERSION = 16;
export const LATEST_VERSION = 17;
/** pg:info prints full versions; the minor is a fixed stand-in per major */
export const fullVersion = (major: number) => `${major}.${{ 14: 17, 15: 12, 16: 8, 17: 4 }[major] ?? 0}`;

const tierOnly = (what: string) => `${what} are only supported on Standard, Premium, and Private and Shield tier database plans.`;

/**
 * A new database for `POST /apps/{app}/addons`, checked against its provisioning options:
 * `follow` and `fork` take a config var of the app, `app::CONFIG_VAR` or a full URL.
 */
export function newDatabase(world: World, app: App, plan: Plan, config: Record<string, string | boolean>): Omit<Database, 'addonId'> {
  const follow = config.follow === undefined ? undefined : String(config.follow);
  const fork = config.fork === undefined ? undefined : String(config.fork);
  const what = follow ? 'Followers' : 'Forks';
  const ref = follow ?? fork;
  if (ref && isEssential(plan)) throw invalidParams(tierOnly(what));
  const source = ref ? resolveDatabase(world, app, ref) : undefined;
  if (source && isEssential(source.addon.plan)) throw invalidParams(tierOnly(what));
  if (source && follow && source.database.leaderId) throw invalidParams('Followers cannot be chained.');
  if (source && forkFollow(world, source.database) === 'Temporarily Unavailable') {
    throw invalidParams(`Fork/Follow is temporarily unavailable on ${source.addon.name}: it was forked or unfollowed recently. Try again later.`);
  }
  const version = config.version === undefined ? (source?.database.version ?? DEFAULT_VERSION) : Number(config.version);
  if (!SUPPORTED_VERSIONS.includes(version)) {
    throw invalidParams(`Postgres version ${String(config.version)} is not supported. Choose one of ${SUPPORTED_VERSIONS.join(', ')}.`);
  }
  if (source && version !== source.database.version) throw invalidParams(`${what} run the Postgres version of their source (${source.database.version}).`);
  // "Three months after the deprecation date, Heroku prevents provisioning new databases on the deprecated version."
  if (!source && !world.versions.provisioningOpen(version, world.clock.now())) {
    const open = SUPPORTED_VERSIONS.filter((v) => world.versions.provisioningOpen(v, world.clock.now()));
    throw invalidParams(`Postgres ${version} is deprecated: new databases cannot be created on it. Choose one of ${open.join(', ')}.`);
  }
  const now = world.clock.now();
  return {
    url: `postgres://u${world.ids.hex(13)}:p${world.ids.hex(40)}@ec2-${world.ids.hex(8)}.compute-1.amazonaws.com:5432/d${world.ids.hex(13)}`,
    version,
    numBytes: source?.database.numBytes ?? 9_000_000,
    numTables: source?.database.numTables ?? 0,
    createdAt: now,
    leaderId: follow ? source?.addon.id : undefined,
    forkedFromId: fork ? source?.addon.id : undefined,
    forkedAt: fork ? now : undefined,
    txBase: source ? transactions(world, source.database) : 0,
    txSince: now,
  };
}

/** A database named the way `follow`, `fork` and pg:copy name one. */
export function resolveDatabase(world: World, app: App, ref: string): { addon: AddOn; database: Database } {
  let addon: AddOn | undefined;
  if (/^postgres(ql)?:\/\//.test(ref)) {
    addon = [...world.addons.values()].find((a) => a.url === ref);
  } else {
    const [appName, name] = ref.includes('::') ? ref.split('::') : [app.name, ref];
    const owner = world.apps.get(appName ?? '');
    const attachment = owner && attachmentsOf(world, { app: owner }).find((a) => a.name === attachmentName(name ?? ''));
    addon = attachment ? world.addons.get(attachment.addonId) : [...world.addons.values()].find((a) => a.name === ref);
  }
  const database = addon && world.databases.get(addon.id);
  if (!addon || !database || !isPostgres(addon.plan)) throw invalidParams(`Couldn't find a database named ${ref}.`);
  return { addon, database };
}

/** `/client/v11/databases/{id}` takes the add-on id (or name); 404 until provisioning has ended. */
export function findDatabase(world: World, idOrName: string): { addon: AddOn; database: Database } {
  const addon = world.addons.get(idOrName) ?? [...world.addons.values()].find((a) => a.name === idOrName);
  const database = addon && world.databases.get(addon.id);
  if (!addon || !database || database.availableAt === undefined) throw notFound('database', "Couldn't find that database.");
  return { addon, database };
}

/** The `Fork/Follow` row: whether this database can get a follower or a fork right now. */
export function forkFollow(world: World, database: Database): string {
  const addon = world.addons.get(database.addonId);
  if (!addon || isEssential(addon.plan)) return 'Unsupported';
  if (database.leaderId) return 'Unavailable on followers';
  if (database.forkedAt !== undefined && world.clock.now() - database.forkedAt < postgres.forkFollowCooldown) return 'Temporarily Unavailable';
  return 'Available';
}

/** Transactions committed so far: grows while the app writes; a follower trails its leader by its lag. */
export function transactions(world: World, database: Database): number {
  const leader = database.leaderId ? world.databases.get(database.leaderId) : undefined;
  if (leader) return Math.max(0, transactions(world, leader) - (behindBy(world, database) ?? 0));
  const written = writingMs(writesOf(world, database.addonId), database.txSince, world.clock.now());
  return database.txBase + Math.floor((written / 60_000) * writes.commitsPerMinute);
}

export interface WaitStatus {
  'waiting?': boolean;
  message: string;
  'error?'?: boolean;
  step?: string;
}

/** What `pg:wait` polls: waiting while an upgrade runs or a plan change is under way. */
export function waitStatus(database: Database): WaitStatus {
  if (database.upgrade?.phase === 'running') return { 'waiting?': true, message: 'upgrading' };
  if (database.planChange === 'preparing') return { 'waiting?': true, message: 'preparing plan change' };
  if (database.planChange === 'changeover') return { 'waiting?': true, message: 'changing over to the new plan' };
  return { 'waiting?': false, message: 'available' };
}
