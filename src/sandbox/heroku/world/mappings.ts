import { z } from 'zod';
import { badRequest, conflict, notFound } from '../errors.js';
import { pendingRows, syncing, type Connection, type WriteError } from './connections.js';
import { fieldExists, objectRows } from './salesforce.js';
import { connect } from './timings.js';
import type { World } from './world.js';

export type MappingState =
  | 'BULK_LOAD_ERROR'
  | 'SYSTEM_ERROR'
  | 'DB_UNAVAILABLE'
  | 'BAD_CONFIG'
  | 'SYNC_REMOVED'
  | 'INACTIVE_ORG'
  | 'UNAUTHORIZED'
  | 'INITIAL'
  | 'RELOAD_TABLE'
  | 'DATA_SYNCED'
  | 'SCHEMA_CHANGED'
  | 'RESYNC'
  | 'POLLING_SF_CHANGES'
  | 'POLLING_SF_BULK'
  | 'POLLING_SF_FOR_DELETES'
  | 'WAIT_BULK_LOAD';

/** "At rest": the only states in which a mapping is not mid-sync. */
export const AT_REST: MappingState[] = ['DATA_SYNCED', 'INITIAL'];
/** Error states a reload recovers from: a bulk load that failed, an unexpected error. */
export const RELOADABLE_ERRORS: MappingState[] = ['BULK_LOAD_ERROR', 'SYSTEM_ERROR'];

/** A mapping's `config`, as the API, M6/M7 bodies and the export file (docs/reference/heroku-connect-api.md §6) spell it. */
export const mappingConfigSchema = z.object({
  access: z.enum(['read_only', 'read_write']).default('read_only'),
  upsert_field: z.string().nullable().optional(),
  sf_notify_enabled: z.boolean().default(false),
  sf_polling_seconds: z.number().int().positive().default(600),
  sf_max_daily_api_calls: z.number().int().positive().default(30_000),
  fields: z.record(z.string(), z.object({})).default({}),
  indexes: z.record(z.string(), z.object({ unique: z.boolean() })).default({}),
});
export type MappingConfig = z.infer<typeof mappingConfigSchema>;

export interface Mapping {
  id: string;
  serial: number;
  connectionId: string;
  objectName: string;
  state: MappingState;
  config: MappingConfig;
  revision: number;
  appliedAt: number;
  createdAt: number;
  updatedAt: number;
  /** while RELOAD_TABLE runs: the table fills up between these instants */
  load?: { from: number; until: number };
  /** after an aborted load: the rows it had loaded, until the next load */
  abortedAtRows?: number;
  /** when its sync stopped because a mapped field was deleted in Salesforce; saving the mapping again resumes it */
  stoppedAt?: number;
}

/** Id, IsDeleted and SystemModstamp are always mapped and cannot be removed. */
const SYSTEM_FIELDS = { Id: {}, IsDeleted: {}, SystemModstamp: {} };
const SYSTEM_INDEXES = { Id: { unique: true }, SystemModstamp: { unique: false } };

export function withSystemFields(config: MappingConfig): MappingConfig {
  return { ...config, fields: { ...SYSTEM_FIELDS, ...config.fields }, indexes: { ...SYSTEM_INDEXES, ...config.indexes } };
}

/** A new mapping creates its table (INITIAL), loads it (RELOAD_TABLE), then is DATA_SYNCED. */
export function createMapping(world: World, connection: Connection, objectName: string, config: MappingConfig): Mapping {
  if (connection.mappings.some((m) => m.objectName.toLowerCase() === objectName.toLowerCase())) {
    throw badRequest(`A mapping for ${objectName} already exists on this connection.`);
  }
  refuseDeletedFields(world, connection, objectName, Object.keys(config.fields));
  const now = world.clock.now();
  const mapping: Mapping = {
    id: world.ids.uuid(),
    serial: world.ids.serial(),
    connectionId: connection.id,
    objectName,
    state: 'INITIAL',
    config: withSystemFields(config),
    revision: 1,
    appliedAt: now,
    createdAt: now,
    updatedAt: now,
  };
  connection.mappings.push(mapping);
  const load = loadTime(world, connection, mapping, connect.reloadRowsPerHour);
  moveThrough(world, mapping, [
    ['INITIAL', connect.schemaChange],
    ['RELOAD_TABLE', load],
  ]);
  return mapping;
}

/** M2: the table is truncated and loaded again, for a time proportional to the row count. */
export function reloadMapping(world: World, connection: Connection, mapping: Mapping): void {
  if (connection.state === 'PAUSED') throw conflict('The connection is paused. Resume it before reloading a mapping.');
  // A mapping whose load failed or that stopped on an unexpected error is reloaded to recover, as the dashboard's Reload does (inferred: docs/reference/heroku-connect-api.md §5.2).
  if (!AT_REST.includes(mapping.state) && !RELOADABLE_ERRORS.includes(mapping.state)) throw conflict(`Mapping ${mapping.objectName} is busy (${mapping.state}). Try again when it is DATA_SYNCED.`);
  mapping.stoppedAt = undefined;
  moveThrough(world, mapping, [['RELOAD_TABLE', loadTime(world, connection, mapping, connect.reloadRowsPerHour)]]);
}

/** M7: a changed config alters the table (SCHEMA_CHANGED), loads the new columns (RESYNC), bumps the revision. */
export function updateMapping(world: World, connection: Connection, mapping: Mapping, config: MappingConfig, revision: number): Mapping {
  if (revision !== mapping.revision) {
    throw conflict(`The mapping was changed since revision ${revision}; its current revision is ${mapping.revision}. Fetch it and retry.`);
  }
  applyConfig(world, connection, mapping, config);
  return mapping;
}

export function applyConfig(world: World, connection: Connection, mapping: Mapping, config: MappingConfig): void {
  const org = connection.orgId ? world.orgs.get(connection.orgId) : undefined;
  const kept = Object.keys(mapping.config.fields);
  // Saving again is how a mapping whose field was deleted in Salesforce resumes: the dashboard shows
  // the deleted fields in red and Save drops them (heroku/roadmap#248). A field newly added must exist.
  refuseDeletedFields(world, connection, mapping.objectName, Object.keys(config.fields).filter((f) => !kept.includes(f)));
  const fields = Object.fromEntries(Object.entries(config.fields).filter(([field]) => fieldExists(org, mapping.objectName, field)));
  mapping.config = withSystemFields({ ...config, fields });
  mapping.stoppedAt = undefined;
  mapping.revision += 1;
  mapping.appliedAt = world.clock.now();
  moveThrough(world, mapping, [
    ['SCHEMA_CHANGED', connect.schemaChange],
    ['RESYNC', loadTime(world, connection, mapping, connect.resyncRowsPerHour)],
  ]);
}

/**
 * The dashboard's Abort of a mapping's load (the help article on adding a column to a very large
 * table, Prep 7). Heroku documents neither an API for it nor the state it leaves: here the load
 * stops where it is, and the mapping is at rest (DATA_SYNCED) with the rows loaded so far, until the
 * next reload or edit loads it again.
 */
export function abortLoad(world: World, connection: Connection, mapping: Mapping): void {
  world.agenda.settle();
  if (mapping.state !== 'RELOAD_TABLE' && mapping.state !== 'RESYNC' && mapping.state !== 'INITIAL') {
    throw conflict(`Mapping ${mapping.objectName} is not loading (${mapping.state}): there is nothing to abort.`);
  }
  const rows = mappingCounts(world, connection, mapping).db;
  world.agenda.cancel(`${mapping.id}:state`);
  mapping.state = 'DATA_SYNCED';
  mapping.updatedAt = world.clock.now();
  mapping.load = undefined;
  mapping.abortedAtRows = rows;
}

export function deleteMapping(world: World, connection: Connection, mapping: Mapping): void {
  connection.mappings = connection.mappings.filter((m) => m.id !== mapping.id);
  world.agenda.forget(mapping.id);
}

/** Heroku Connect refuses to map a field Salesforce does not have (the exact answer is not known; a 400 says why). */
function refuseDeletedFields(world: World, connection: Connection, objectName: string, fields: string[]): void {
  const org = connection.orgId ? world.orgs.get(connection.orgId) : undefined;
  const missing = fields.filter((f) => !fieldExists(org, objectName, f));
  if (missing.length > 0) throw badRequest(`${objectName} has no field ${missing.join(', ')} in Salesforce.`);
}

/**
 * Stops a mapping's sync because a field it maps was deleted in Salesforce: it stays SCHEMA_CHANGED
 * and stops polling until the mapping is saved again (thermondo/django-heroku-connect#200: "the sync
 * for that object was completely stopped"; heroku/roadmap#248: un-stuck by saving the mapping).
 */
export function stopSync(world: World, mapping: Mapping): void {
  const now = world.clock.now();
  world.agenda.cancel(`${mapping.id}:state`);
  mapping.state = 'SCHEMA_CHANGED';
  mapping.stoppedAt = now;
  mapping.updatedAt = now;
  mapping.load = undefined;
}

/**
 * When the mapping last polled Salesforce (`times.sf_poll`): every `sf_polling_seconds` while it
 * can, never while the connection is paused or in an error state, its sync is stopped, or the org's
 * daily API calls are used up; then the last poll before the earliest of those.
 */
export function lastSalesforcePoll(world: World, connection: Connection, mapping: Mapping): number {
  const interval = mapping.config.sf_polling_seconds * 1000;
  const org = connection.orgId ? world.orgs.get(connection.orgId) : undefined;
  const onGrid = (t: number) => mapping.createdAt + Math.max(0, Math.floor((t - mapping.createdAt) / interval)) * interval;
  const stops = [
    mapping.stoppedAt,
    org?.apiLimitReachedAt,
    connection.pausedAt,
    syncing(connection) ? undefined : connection.stateSince,
  ].filter((t): t is number => t !== undefined);
  return onGrid(stops.length > 0 ? Math.min(...stops) : world.clock.now());
}

/** Puts the mapping through timed states, ending DATA_SYNCED; RELOAD_TABLE fills the table as it goes. */
export function moveThrough(world: World, mapping: Mapping, states: Array<[MappingState, number]>): void {
  mapping.abortedAtRows = undefined;
  const enter = (state: MappingState, ms: number) => () => {
    const now = world.clock.now();
    mapping.state = state;
    mapping.updatedAt = now;
    mapping.load = state === 'RELOAD_TABLE' ? { from: now, until: now + ms } : undefined;
  };
  const [first, ...rest] = states;
  if (first) enter(...first)();
  const steps = rest.map(([state, ms], i) => ({ after: states[i]?.[1] ?? 0, do: enter(state, ms) }));
  const last = states.at(-1)?.[1] ?? 0;
  world.agenda.plan(`${mapping.id}:state`, [...steps, { after: last, do: enter('DATA_SYNCED', 0) }]);
}

function loadTime(world: World, connection: Connection, mapping: Mapping, rowsPerHour: number): number {
  return Math.max(connect.minimumLoad, (objectRows(world, connection.orgId, mapping.objectName) / rowsPerHour) * 3_600_000);
}

export function mappingCounts(world: World, connection: Connection, mapping: Mapping) {
  const sf = objectRows(world, connection.orgId, mapping.objectName);
  const load = mapping.load;
  const loaded = load ? Math.min(1, (world.clock.now() - load.from) / (load.until - load.from)) : 1;
  return {
    db: mapping.state === 'INITIAL' ? 0 : (mapping.abortedAtRows ?? Math.floor(sf * loaded)),
    sf,
    pending: pendingRows(world, connection, mapping),
    errors: recentWriteErrors(world, connection, mapping.objectName).length,
  };
}

/** Write errors of the last 24 hours ("No write errors in the last 24 hours"), of one table or all. */
export function recentWriteErrors(world: World, connection: Connection, objectName?: string): WriteError[] {
  const since = world.clock.iso(world.clock.now() - 24 * 3_600_000);
  return connection.writeErrors.filter((e) => e.created_at > since && (!objectName || e.table_name.toLowerCase() === objectName.toLowerCase()));
}

export function findMapping(world: World, id: string): { connection: Connection; mapping: Mapping } {
  for (const connection of world.connections.values()) {
    const mapping = connection.mappings.find((m) => m.id === id);
    if (mapping) return { connection, mapping };
  }
  throw notFound('mapping', 'Mapping not found.');
}
