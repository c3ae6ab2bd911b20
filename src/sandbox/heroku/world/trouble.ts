import { badRequest, conflict } from '../errors.js';
import type { App } from './apps.js';
import { notify, type Connection } from './connections.js';
import { lastSalesforcePoll, stopSync } from './mappings.js';
import { deleteField, type SalesforceOrg } from './salesforce.js';
import type { World } from './world.js';

/**
 * What goes wrong on the Salesforce side of a connection without anyone at Heroku announcing it,
 * played from the sandbox: a mapped field deleted in Salesforce, writes Salesforce refuses, and an
 * org whose daily API calls are used up.
 */

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The app's connections and the org they log into; a 409 when it has none set up. */
function connectionsOf(world: World, app: App): { connections: Connection[]; org: SalesforceOrg } {
  const connections = [...world.connections.values()].filter((c) => c.appId === app.id && c.orgId);
  const org = connections[0]?.orgId ? world.orgs.get(connections[0].orgId) : undefined;
  if (!org) throw conflict(`${app.name} has no Heroku Connect connection logged into Salesforce.`);
  return { connections, org };
}

/**
 * Deletes a field in Salesforce. Each mapping of the object that maps it notices at its next
 * Salesforce poll: its sync stops in SCHEMA_CHANGED and a `mapping-error` notification is raised.
 */
export function deleteSalesforceField(world: World, app: App, objectName: string, field: string): Array<{ connection: string; mapping: string }> {
  const { org } = connectionsOf(world, app);
  const affected = [...world.connections.values()]
    .filter((c) => c.orgId === org.id)
    .flatMap((connection) =>
      connection.mappings.filter((m) => same(m.objectName, objectName) && Object.keys(m.config.fields).some((f) => same(f, field))).map((mapping) => ({ connection, mapping })),
    );
  if (affected.length === 0) throw badRequest(`No mapping of ${app.name} maps ${objectName}.${field}.`);
  if (['Id', 'IsDeleted', 'SystemModstamp'].some((f) => same(f, field))) throw badRequest(`${field} is a system field: Salesforce cannot delete it.`);
  deleteField(org, objectName, field);
  for (const { connection, mapping } of affected) {
    const nextPoll = lastSalesforcePoll(world, connection, mapping) + mapping.config.sf_polling_seconds * 1000;
    world.agenda.plan(`${mapping.id}:schema`, [
      {
        after: Math.max(0, nextPoll - world.clock.now()),
        do: () => {
          stopSync(world, mapping);
          notify(world, connection, 'mapping-error', `The ${mapping.objectName} mapping references ${field}, which no longer exists in Salesforce. Sync of ${mapping.objectName} has stopped: edit the mapping and save it.`);
        },
      },
    ]);
  }
  return affected.map(({ connection, mapping }) => ({ connection: connection.id, mapping: mapping.id }));
}

/** Mapping states that are errors (Dev Center mapping states reference, as django-heroku-connect lists them). */
export const MAPPING_ERROR_STATES = ['BULK_LOAD_ERROR', 'SYSTEM_ERROR', 'DB_UNAVAILABLE', 'BAD_CONFIG', 'SYNC_REMOVED', 'INACTIVE_ORG', 'UNAUTHORIZED'] as const;
export type MappingErrorState = (typeof MAPPING_ERROR_STATES)[number];

/**
 * Puts a mapping in an error state, where its sync stops (a bulk load that failed, a config Salesforce
 * refuses); DATA_SYNCED puts it back. How Heroku Connect recovers a mapping from each is not known.
 */
export function failMapping(world: World, app: App, objectName: string, state: MappingErrorState | 'DATA_SYNCED'): void {
  const { connections } = connectionsOf(world, app);
  const mapping = connections.flatMap((c) => c.mappings).find((m) => same(m.objectName, objectName));
  if (!mapping) throw badRequest(`${app.name} has no ${objectName} mapping.`);
  world.agenda.cancel(`${mapping.id}:state`);
  mapping.state = state;
  mapping.stoppedAt = state === 'DATA_SYNCED' ? undefined : world.clock.now();
  mapping.updatedAt = world.clock.now();
}

/** Salesforce errors people see when a write is refused (Dev Center, "Write errors"). */
const REFUSALS = [
  'REQUIRED_FIELD_MISSING: Required fields are missing: [LastName]',
  'FIELD_CUSTOM_VALIDATION_EXCEPTION: Region must be set for active accounts',
  'DUPLICATE_VALUE: duplicate value found: External_ID__c duplicates value on record with id: 0015e00000ABCDeAAO',
];

/** Salesforce refuses `count` writes of a read_write mapping: they show in `/errors` and `counts.errors`. */
export function refuseWrites(world: World, app: App, objectName: string | undefined, count: number, message?: string): number {
  const { connections } = connectionsOf(world, app);
  const connection = connections[0] as Connection;
  const mapping = connection.mappings.find((m) => (objectName ? same(m.objectName, objectName) : m.config.access === 'read_write'));
  if (!mapping) throw badRequest(objectName ? `${app.name} has no ${objectName} mapping.` : `${app.name} has no read_write mapping.`);
  for (let i = 0; i < count; i += 1) {
    const id = world.ids.serial();
    connection.writeErrors.push({
      id,
      table_name: mapping.objectName.toLowerCase(),
      record_id: 1000 + id,
      message: message ?? (REFUSALS[id % REFUSALS.length] as string),
      created_at: world.clock.iso(),
    });
  }
  return connection.writeErrors.length;
}

/** The org's daily Salesforce API calls run out (or reset): Connect stops (or resumes) polling it. */
export function exhaustApiCalls(world: World, app: App, exhausted: boolean): void {
  const { org } = connectionsOf(world, app);
  org.apiLimitReachedAt = exhausted ? (org.apiLimitReachedAt ?? world.clock.now()) : undefined;
}
