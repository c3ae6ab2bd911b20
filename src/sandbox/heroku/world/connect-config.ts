import { z } from 'zod';
import { conflict } from '../errors.js';
import { connectionApp, type Connection } from './connections.js';
import { applyConfig, createMapping, mappingConfigSchema, withSystemFields, type MappingConfig } from './mappings.js';
import { connect } from './timings.js';
import type { World } from './world.js';

/** The configuration file of C8 (export) and C9 (import): docs/reference/heroku-connect-api.md §6. */
export const configFileSchema = z.object({
  mappings: z.array(z.object({ object_name: z.string().min(1), config: mappingConfigSchema })),
  connection: z
    .object({
      features: z.record(z.string(), z.boolean()).optional(),
      logplex_log_enabled: z.boolean().optional(),
    })
    .loose()
    .optional(),
  version: z.literal(1).optional(),
});
export type ConfigFile = z.infer<typeof configFileSchema>;

export function exportConfiguration(world: World, connection: Connection) {
  const app = connectionApp(world, connection);
  return {
    mappings: connection.mappings.map((m) => ({ object_name: m.objectName, config: { ...m.config, applied_at: world.clock.iso(m.appliedAt) } })),
    connection: {
      app_name: app.name,
      organization_id: connection.orgId ?? null,
      exported_at: world.clock.iso(),
      api_version: connection.apiVersion,
      name: connectionName(world, connection),
      logplex_log_enabled: connection.logplexLogEnabled,
      features: connection.features,
    },
    version: 1,
  };
}

/** `<app>:<db_key>:<schema>`, once the database is set. */
export function connectionName(world: World, connection: Connection): string | null {
  return connection.dbKey ? `${connectionApp(world, connection).name}:${connection.dbKey}:${connection.schemaName}` : null;
}

/**
 * C9. The connection shows IMPORT_CONFIGURATION for a while, then the file is applied like a PATCH:
 * new mappings are created, changed ones altered, mappings missing from the file are kept.
 */
export function importConfiguration(world: World, connection: Connection, file: ConfigFile): void {
  if (connection.state === 'NEW' || connection.state === 'NEED_AUTHENTICATION') {
    throw conflict('Set the database and authorize Salesforce before importing a configuration.');
  }
  if (connection.state !== 'IDLE' && connection.state !== 'PAUSED') {
    throw conflict(`A configuration can be imported only into an idle or paused connection. This connection is ${connection.state}.`);
  }
  const returnTo = connection.state;
  connection.state = 'IMPORT_CONFIGURATION';
  world.agenda.plan(`${connection.id}:state`, [
    {
      after: connect.importBase + connect.importPerMapping * file.mappings.length,
      do: () => {
        apply(world, connection, file);
        connection.state = returnTo;
      },
    },
  ]);
}

function apply(world: World, connection: Connection, file: ConfigFile): void {
  for (const { object_name, config } of file.mappings) {
    const existing = connection.mappings.find((m) => m.objectName.toLowerCase() === object_name.toLowerCase());
    if (!existing) createMapping(world, connection, object_name, config);
    else if (canonical(existing.config) !== canonical(withSystemFields(config))) applyConfig(world, connection, existing, config);
  }
  Object.assign(connection.features, file.connection?.features ?? {});
  connection.logplexLogEnabled = file.connection?.logplex_log_enabled ?? connection.logplexLogEnabled;
}

/** Key order inside `config` varies between exports: compare with sorted keys. */
function canonical(config: MappingConfig): string {
  const sort = (value: unknown): unknown =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sort(v)]))
      : value;
  return JSON.stringify(sort(config));
}
