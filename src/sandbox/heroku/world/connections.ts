import { badRequest, conflict, notFound } from '../errors.js';
import { addOnApp, type AddOn } from './addons.js';
import type { App } from './apps.js';
import { configVars } from './config-vars.js';
import { AT_REST, moveThrough, type Mapping } from './mappings.js';
import { objectRows, orgFor } from './salesforce.js';
import { connect, writes } from './timings.js';
import { resolveConfigVar } from './writers.js';
import { writesOf, writingMs } from './writes.js';
import type { World } from './world.js';

export type ConnectionState =
  | 'NEW'
  | 'NEED_AUTHENTICATION'
  | 'IDLE'
  | 'POLLING_DB_CHANGES'
  | 'PAUSED'
  | 'RECOVERY'
  | 'IMPORT_CONFIGURATION'
  | 'SYSTEM_ERROR'
  | 'DB_UNAVAILABLE'
  | 'TOO_MANY_ROWS'
  | 'UNAUTHORIZED'
  | 'HEROKU_UNAUTH';

/** States that `actions/restart` recovers from (UNAUTHORIZED needs a new Salesforce authorization). */
const ERROR_STATES: ConnectionState[] = ['SYSTEM_ERROR', 'DB_UNAVAILABLE', 'TOO_MANY_ROWS', 'HEROKU_UNAUTH'];

export interface WriteError {
  id: number;
  table_name: string;
  record_id: number;
  message: string;
  created_at: string;
}

export interface ConnectNotification {
  id: string;
  created_at: string;
  event_type: 'mapping-error' | 'postgres-connection';
  message: string;
  acknowledged: boolean;
}

export interface Connection {
  id: string;
  serial: number;
  addonId: string;
  appId: string;
  /** the config var naming the database; null until `connect:db:set` */
  dbKey: string | null;
  schemaName: string;
  /** The state as set by actions and timed transitions; IDLE is refined on read (connectionState). */
  state: ConnectionState;
  createdAt: number;
  authUpdatedAt?: number;
  orgId?: string;
  apiVersion: string;
  /** Discovery lists a connection only once the user is on the add-on's access list (POST /auth/{app}). */
  accessible: boolean;
  /** when PAUSED was reached: database writes pile up in the trigger log from here */
  pausedAt?: number;
  /** when it entered the error or authorization state it is in (failConnection); polling stops there */
  stateSince?: number;
  /** after a resume: the piled-up rows per mapping id are sent to Salesforce until `until` */
  drain?: { from: number; until: number; rows: Map<string, number> };
  mappings: Mapping[];
  features: Record<string, boolean>;
  logplexLogEnabled: boolean;
  /** when each diagnose (C10) was requested; its number is the index + 1 */
  validations: number[];
  writeErrors: WriteError[];
  notifications: ConnectNotification[];
}

/** The connection syncs (its stored state; IDLE is refined into IDLE or POLLING_DB_CHANGES on read). */
export function syncing(connection: Connection): boolean {
  return connection.state === 'IDLE' || connection.state === 'POLLING_DB_CHANGES';
}

/**
 * Records a Connect notification (C12), as Heroku Connect raises one for a mapping error or a lost
 * database connection. The texts are the simulator's own: Heroku's exact wording is not known.
 */
export function notify(world: World, connection: Connection, eventType: ConnectNotification['event_type'], message: string): ConnectNotification {
  const notification: ConnectNotification = {
    id: String(world.ids.serial()),
    created_at: world.clock.iso(),
    event_type: eventType,
    message,
    acknowledged: false,
  };
  connection.notifications.push(notification);
  return notification;
}

/** States a connection falls into on its own (set from the sandbox): errors, and lost authorizations. */
export type FailureState = 'SYSTEM_ERROR' | 'DB_UNAVAILABLE' | 'TOO_MANY_ROWS' | 'UNAUTHORIZED' | 'HEROKU_UNAUTH' | 'NEED_AUTHENTICATION';

/**
 * The connection stops syncing in `state`, as Heroku Connect does on an unexpected error, a lost
 * database or an expired authorization; IDLE puts it back. Losing the database raises a
 * `postgres-connection` notification (docs/reference/heroku-connect-api.md §4.3).
 */
export function failConnection(world: World, connection: Connection, state: FailureState | 'IDLE'): void {
  world.agenda.cancel(`${connection.id}:state`);
  connection.state = state;
  connection.stateSince = state === 'IDLE' ? undefined : world.clock.now();
  if (state === 'DB_UNAVAILABLE') {
    notify(world, connection, 'postgres-connection', `Heroku Connect cannot connect to the database in ${connection.dbKey ?? 'its db_key'}. Sync is stopped until it can.`);
  }
}

export function createConnection(world: World, addon: AddOn): Connection {
  const connection: Connection = {
    id: world.ids.uuid(),
    serial: world.ids.serial(),
    addonId: addon.id,
    appId: addon.appId,
    dbKey: null,
    schemaName: 'salesforce',
    state: 'NEW',
    createdAt: world.clock.now(),
    apiVersion: '62.0',
    accessible: false,
    mappings: [],
    features: { disable_bulk_writes: false, poll_db_no_merge: true, poll_external_ids: false, rest_count_only: false, ucs_basic_collation_index: false },
    logplexLogEnabled: true,
    validations: [],
    writeErrors: [],
    notifications: [],
  };
  world.connections.set(connection.id, connection);
  return connection;
}

export function removeConnection(world: World, addon: AddOn): void {
  for (const connection of [...world.connections.values()].filter((c) => c.addonId === addon.id)) {
    world.connections.delete(connection.id);
    world.agenda.forget(connection.id);
    for (const mapping of connection.mappings) world.agenda.forget(mapping.id);
  }
}

export function connectionApp(world: World, connection: Connection): App {
  const addon = world.addons.get(connection.addonId);
  if (!addon) throw notFound('connection', 'Connection not found.');
  return addOnApp(world, addon);
}

/** The writes to the database the connection syncs (its db_key, resolved on its app now); none without one. */
function databaseWrites(world: World, connection: Connection) {
  const addonId = connection.dbKey ? resolveConfigVar(world, connectionApp(world, connection), connection.dbKey) : null;
  return addonId ? writesOf(world, addonId) : [];
}

export function findConnection(world: World, id: string): Connection {
  const connection = world.connections.get(id);
  if (!connection) throw notFound('connection', 'Connection not found.');
  return connection;
}

/**
 * The state a client reads. A quiet connection is IDLE, but while its database takes writes it polls the
 * trigger log for the last minute of every ten (POLLING_DB_CHANGES); each connection starts its
 * cycle in the first half, so a fresh world answers IDLE for a few simulated minutes. The
 * `stuckPolling` fault keeps it polling. A db_key whose config var has gone shows DB_UNAVAILABLE.
 */
export function connectionState(world: World, connection: Connection): ConnectionState {
  if (connection.state !== 'IDLE') return connection.state;
  const app = connectionApp(world, connection);
  if (connection.dbKey && !(connection.dbKey in configVars(world, app))) return 'DB_UNAVAILABLE';
  if (world.faults.current.stuckPolling.includes(app.name)) return 'POLLING_DB_CHANGES';
  const offset = (connection.serial * 37_000) % (connect.pollCycle / 2);
  const phase = (world.clock.now() - world.clock.startedAt + offset) % connect.pollCycle;
  return world.writeLedger.written(resolveConfigVar(world, app, connection.dbKey ?? '') ?? '') && phase >= connect.pollCycle - connect.pollBurst ? 'POLLING_DB_CHANGES' : 'IDLE';
}

/**
 * "Connections can only be paused when they are in the IDLE state." Pending operations finish first.
 * (Heroku's exact 409 texts are not known; these say what is wrong.)
 */
export function pause(world: World, connection: Connection): void {
  const state = connectionState(world, connection);
  if (state !== 'IDLE') throw conflict(`Connections can only be paused when they are in the IDLE state. This connection is ${state}.`);
  connection.state = 'POLLING_DB_CHANGES';
  world.agenda.plan(`${connection.id}:state`, [
    {
      after: connect.pauseDrain,
      do: () => {
        connection.state = 'PAUSED';
        connection.pausedAt = world.clock.now();
      },
    },
  ]);
}

/**
 * Resume: database changes made while paused are sent to Salesforce (POLLING_DB_CHANGES), and each
 * mapping polls Salesforce for what changed there meanwhile (POLLING_SF_CHANGES, or POLLING_SF_BULK
 * past 10,000 changes) before it is DATA_SYNCED again.
 */
export function resume(world: World, connection: Connection): void {
  if (connection.state !== 'PAUSED' || connection.pausedAt === undefined) {
    throw conflict(`Only a paused connection can be resumed. This connection is ${connectionState(world, connection)}.`);
  }
  const now = world.clock.now();
  const pausedHours = (now - connection.pausedAt) / 3_600_000;
  const rows = new Map(connection.mappings.map((m) => [m.id, pendingRows(world, connection, m)]));
  const total = [...rows.values()].reduce((a, b) => a + b, 0);
  const until = now + (total / connect.pendingRowsPerMinute) * 60_000;
  connection.pausedAt = undefined;
  connection.drain = { from: now, until, rows };
  connection.state = total > 0 ? 'POLLING_DB_CHANGES' : 'IDLE';
  const drained = () => {
    connection.state = 'IDLE';
    connection.drain = undefined;
  };
  world.agenda.plan(`${connection.id}:state`, [{ after: until - now, do: drained }]);
  for (const mapping of connection.mappings.filter((m) => AT_REST.includes(m.state))) {
    const changes = Math.round(objectRows(world, connection.orgId, mapping.objectName) * connect.salesforceChangesPerRowHour * pausedHours);
    if (changes === 0) continue;
    const state = changes > connect.bulkThreshold ? 'POLLING_SF_BULK' : 'POLLING_SF_CHANGES';
    moveThrough(world, mapping, [[state, (changes / connect.salesforceChangesPerMinute) * 60_000]]);
  }
}

/** Rows written to a read_write mapping's table that Heroku Connect has not sent to Salesforce yet. */
export function pendingRows(world: World, connection: Connection, mapping: Mapping): number {
  if (mapping.config.access !== 'read_write') return 0;
  const now = world.clock.now();
  if (connection.pausedAt !== undefined) {
    const written = writingMs(databaseWrites(world, connection), connection.pausedAt, now);
    return Math.floor((written / 60_000) * writes.connectRowsPerMinute);
  }
  const drain = connection.drain;
  if (!drain || now >= drain.until) return 0;
  return Math.ceil((drain.rows.get(mapping.id) ?? 0) * ((drain.until - now) / (drain.until - drain.from)));
}

/** actions/restart "clears errors and attempts to resume sync operations", through RECOVERY. */
export function restart(world: World, connection: Connection): void {
  const state = connectionState(world, connection);
  if (state === 'UNAUTHORIZED') throw conflict('Salesforce authorization has expired. Reauthorize the connection instead.');
  if (!ERROR_STATES.includes(state)) throw conflict(`Only a connection in an error state can be restarted. This connection is ${state}.`);
  recover(world, connection);
}

function recover(world: World, connection: Connection): void {
  connection.state = 'RECOVERY';
  connection.stateSince = undefined;
  world.agenda.plan(`${connection.id}:state`, [{ after: connect.recovery, do: () => (connection.state = 'IDLE') }]);
}

/** C2: point the connection at the database behind a config var of its app (and a schema). */
export function setDatabase(world: World, connection: Connection, change: { db_key?: string; schema_name?: string }): void {
  const app = connectionApp(world, connection);
  if (change.db_key !== undefined && !(change.db_key in configVars(world, app))) {
    throw badRequest(`Config var ${change.db_key} does not exist on ${app.name}.`);
  }
  connection.dbKey = change.db_key ?? connection.dbKey;
  connection.schemaName = change.schema_name ?? connection.schemaName;
  if (connection.state === 'NEW' && connection.dbKey) connection.state = 'NEED_AUTHENTICATION';
}

/** C4: the Salesforce login a person opens; the admin endpoint plays the person completing it. */
export function authorizeUrl(world: World, connection: Connection, request: { environment?: string; domain?: string; next?: string }): string {
  if (connection.state === 'NEW') throw conflict('Set the database (db_key) of this connection before authorizing Salesforce.');
  const host = request.environment === 'sandbox' ? 'test.salesforce.com' : request.environment === 'custom' && request.domain ? request.domain : 'login.salesforce.com';
  const query = new URLSearchParams({ response_type: 'code', client_id: 'heroku-connect', state: connection.id, redirect_uri: request.next ?? '' });
  return `https://${host}/services/oauth2/authorize?${query}`;
}

/** Completes Salesforce authorization for an app's connections: NEED_AUTHENTICATION -> IDLE, UNAUTHORIZED -> RECOVERY. */
export function authorizeSalesforce(world: World, app: App): Connection[] {
  const waiting = [...world.connections.values()].filter(
    (c) => c.appId === app.id && ['NEED_AUTHENTICATION', 'UNAUTHORIZED'].includes(c.state),
  );
  if (!waiting.length) throw conflict(`No connection of ${app.name} is waiting for Salesforce authorization.`);
  for (const connection of waiting) {
    connection.orgId ??= orgFor(world, app).id;
    connection.authUpdatedAt = world.clock.now();
    if (connection.state === 'UNAUTHORIZED') recover(world, connection);
    else {
      connection.state = 'IDLE';
      connection.stateSince = undefined;
    }
  }
  return waiting;
}

/** D2: puts the caller on the access list of the app's Connect add-ons. */
export function grantAccess(world: World, app: App): Connection[] {
  const mine = [...world.connections.values()].filter((c) => c.appId === app.id);
  for (const connection of mine) connection.accessible = true;
  return mine;
}

/** C15: needs a PAUSED connection whose mappings are all at rest. */
export function changeApiVersion(world: World, connection: Connection, target: string): void {
  if (connection.state !== 'PAUSED') throw conflict('Pause the connection before changing its Salesforce API version.');
  const syncing = connection.mappings.filter((m) => !AT_REST.includes(m.state)).map((m) => m.objectName);
  if (syncing.length) {
    const error = `Mapping ${syncing.join(', ')} is still syncing. Wait for it to finish syncing before changing the API version.`;
    throw conflict(error, { error, syncing_mappings: syncing });
  }
  connection.apiVersion = target;
}
