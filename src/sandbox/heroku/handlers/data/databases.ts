import type { AddOn } from '../../world/addons.js';
import { findDatabase, forkFollow, fullVersion, transactions, waitStatus, type Database } from '../../world/databases.js';
import { behindBy, followersOf, unfollow } from '../../world/followers.js';
import type { World } from '../../world/world.js';
import { ok, route, type ApiRequest } from '../../http/router.js';

interface InfoRow {
  name: string;
  values: string[];
  resolve_db_name?: boolean;
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];
function size(bytes: number): string {
  const power = Math.min(UNITS.length - 1, Math.floor(Math.log(Math.max(bytes, 1)) / Math.log(1024)));
  return `${(bytes / 1024 ** power).toFixed(power ? 1 : 0)} ${UNITS[power]}`;
}

const urlsOf = (world: World, ids: Array<string | undefined>) =>
  ids.map((id) => (id ? world.addons.get(id)?.url : undefined)).filter((u): u is string => u !== undefined);

/**
 * `pg:info` reads `info[]` and prints `name: values.join(", ")`, skipping empty rows. Followers show
 * `Following` and `Behind By` ("125 commits"); a missing `Behind By` means unknown, not 0.
 */
function infoRows(world: World, addon: AddOn, database: Database): InfoRow[] {
  const lag = behindBy(world, database);
  const rows: InfoRow[] = [
    { name: 'Plan', values: [addon.plan.label] },
    { name: 'Status', values: ['Available'] },
    { name: 'Data Size', values: [size(database.numBytes)] },
    { name: 'Tables', values: [String(database.numTables)] },
    { name: 'PG Version', values: [fullVersion(database.version)] },
    { name: 'Connections', values: ['14/120'] },
    { name: 'Fork/Follow', values: [forkFollow(world, database)] },
    { name: 'Created', values: [world.clock.iso(database.createdAt).replace('T', ' ').slice(0, 16) + ' UTC'] },
    { name: 'Following', values: urlsOf(world, [database.leaderId]), resolve_db_name: true },
    { name: 'Behind By', values: lag === undefined ? [] : [`${lag} commit${lag === 1 ? '' : 's'}`] },
    { name: 'Followers', values: urlsOf(world, followersOf(world, database).map((f) => f.addonId)), resolve_db_name: true },
    { name: 'Forked From', values: urlsOf(world, [database.forkedFromId]), resolve_db_name: true },
    { name: 'Maintenance', values: ['not required'] },
    { name: 'Warning', values: [world.versions.warning(database.version, world.clock.now())].filter((w): w is string => w !== undefined) },
  ];
  return rows.filter((r) => r.values.length);
}

/** The data API's database (docs/reference/heroku-platform-and-postgres-api.md §7.1). */
function presentDatabase(world: World, addon: AddOn, database: Database) {
  const leader = database.leaderId ? world.addons.get(database.leaderId) : undefined;
  const leaderDb = leader && world.databases.get(leader.id);
  return {
    addon_id: addon.id,
    name: addon.name,
    created_at: world.clock.iso(database.createdAt),
    plan: addon.plan.name.replace('heroku-postgresql:', ''),
    postgres_version: fullVersion(database.version),
    resource_url: addon.url,
    num_bytes: database.numBytes,
    num_tables: database.numTables,
    num_connections: 14,
    num_connections_waiting: 0,
    current_transaction: String(transactions(world, database)),
    target_transaction: leaderDb ? String(transactions(world, leaderDb)) : null,
    following: leader?.url ?? null,
    leader: leader ? { addon_id: leader.id, name: leader.name } : null,
    'waiting?': waitStatus(database)['waiting?'],
    'hot_standby?': Boolean(leader),
    is_in_recovery: Boolean(leader),
    'standalone?': !leader,
    heroku_resource_id: addon.id,
    available_for_ingress: true,
    formation: { id: addon.id, primary: !leader },
    status_updated_at: world.clock.iso(database.availableAt),
    info: infoRows(world, addon, database),
  };
}

const databaseOf = (req: ApiRequest) => findDatabase(req.world, req.param('id'));

export const databaseRoutes = [
  route('GET', '/client/v11/databases/:id', (req) => {
    const { addon, database } = databaseOf(req);
    return ok(presentDatabase(req.world, addon, database));
  }),
  route('GET', '/client/v11/databases/:id/wait_status', (req) => ok(waitStatus(databaseOf(req).database))),
  /** Clients have seen an empty body or `{message}`; this answers `{message}`. */
  route('PUT', '/client/v11/databases/:id/unfollow', (req) => {
    const { addon, database } = databaseOf(req);
    unfollow(req.world, database);
    return ok({ message: `${addon.name} will stop following its leader shortly.` });
  }),
];
