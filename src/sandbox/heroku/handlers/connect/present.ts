import { configVars } from '../../world/config-vars.js';
import { connectionName } from '../../world/connect-config.js';
import { connectionApp, connectionState, type Connection } from '../../world/connections.js';
import { lastSalesforcePoll, mappingCounts, type Mapping } from '../../world/mappings.js';
import type { World } from '../../world/world.js';

const REGIONS = {
  us: { flag: 'united-states', label: 'Virginia (US)' },
  eu: { flag: 'european-union', label: 'Dublin (EU)' },
};

/** Mapping object (M1, and `mappings[]` of C1 with deep=true). */
export function presentMapping(world: World, connection: Connection, mapping: Mapping, baseUrl: string) {
  const counts = mappingCounts(world, connection, mapping);
  const iso = (t: number) => world.clock.iso(t);
  return {
    id: mapping.id,
    _id: mapping.serial,
    object_name: mapping.objectName,
    state: mapping.state,
    state_description: mapping.state === 'DATA_SYNCED' ? 'OK' : mapping.state.replace(/_/g, ' ').toLowerCase(),
    access: mapping.config.access,
    sf_notify_enabled: mapping.config.sf_notify_enabled,
    sf_polling_seconds: mapping.config.sf_polling_seconds,
    actively_writing: counts.pending > 0,
    is_polling: mapping.state.startsWith('POLLING'),
    upsert_field: mapping.config.upsert_field ?? null,
    has_hc_columns: true,
    sync_flags: {},
    counts,
    times: { sf_poll: iso(lastSalesforcePoll(world, connection, mapping)), sf_write: null, db_poll: null, db_write: iso(mapping.updatedAt) },
    config: { ...mapping.config, revision: mapping.revision, applied_at: iso(mapping.appliedAt) },
    detail_url: `/api/v3/mappings/${mapping.id}`,
    errors_url: `/api/v3/mappings/${mapping.id}/errors`,
    schema_url: `${baseUrl}/api/v3/connections/${connection.id}/schemas/${mapping.objectName}`,
    connection: { id: connection.id },
    created_at: iso(mapping.createdAt),
    updated_at: iso(mapping.updatedAt),
    db_count_date: iso(world.clock.now()),
    salesforce_count_date: iso(world.clock.now()),
  };
}

/** The database behind the connection's db_key, as C1 shows it. */
function databaseOf(world: World, connection: Connection) {
  const value = connection.dbKey ? configVars(world, connectionApp(world, connection))[connection.dbKey] : undefined;
  if (!value) return null;
  const url = new URL(value);
  return { host: url.hostname, database: url.pathname.slice(1), port: Number(url.port || 5432) };
}

/** Connection detail (C1); `deep` adds the mappings. Its `detail_url` is relative. */
export function presentConnection(world: World, connection: Connection, baseUrl: string, deep: boolean) {
  const app = connectionApp(world, connection);
  const addon = world.addons.get(connection.addonId);
  const org = connection.orgId ? world.orgs.get(connection.orgId) : undefined;
  const plan = addon?.plan.name.replace('herokuconnect:', '') ?? 'demo';
  return {
    id: connection.id,
    _id: connection.serial,
    name: connectionName(world, connection),
    resource_name: addon?.name ?? '',
    internal_name: addon?.name ?? '',
    app_name: app.name,
    app_id: app.id,
    addon_id: connection.addonId,
    team_name: null,
    enterprise_account_name: null,
    organization_id: connection.orgId ?? null,
    schema_name: connection.schemaName,
    db_key: connection.dbKey,
    database: databaseOf(world, connection),
    state: connectionState(world, connection),
    mappings_summary_state: connection.mappings.every((m) => m.state === 'DATA_SYNCED') ? 'OK' : 'SYNCING',
    sf_info: org
      ? { username: org.username, organization_id: org.id, environment: 'production', domain: null, api_version: connection.apiVersion }
      : null,
    api_version: connection.apiVersion,
    created_at: world.clock.iso(connection.createdAt),
    auth_updated: connection.authUpdatedAt === undefined ? null : world.clock.iso(connection.authUpdatedAt),
    plan,
    free_edition: plan === 'demo',
    dogwood: true,
    metrics: { last_write_activity_time: world.clock.iso() },
    features: connection.features,
    large_query_threshold: 10_000,
    bulk_page_size: 150_000,
    soap_batch_size: 200,
    logplex_log_enabled: connection.logplexLogEnabled,
    deletable: true,
    tags: [],
    detail_url: `/api/v3/connections/${connection.id}`,
    notifications_url: `/api/v3/connections/${connection.id}/notifications`,
    odata: null,
    sf_instance: null,
    sf_region: null,
    user_info: null,
    ...(deep ? { mappings: connection.mappings.map((m) => presentMapping(world, connection, m, baseUrl)) } : {}),
  };
}

/** A discovery result (D1/D2): `region_url` and `detail_url` point back at this server. */
export function discoveryResult(world: World, connection: Connection, baseUrl: string) {
  const app = connectionApp(world, connection);
  const region = REGIONS[app.region];
  return {
    id: connection.id,
    resource_name: world.addons.get(connection.addonId)?.name ?? '',
    display_name: app.name,
    addon_type: 'Sync',
    app_name: app.name,
    app_id: app.id,
    region: app.region,
    region_url: baseUrl,
    region_flag: region.flag,
    region_label: region.label,
    cell: `${app.region}-sandbox`,
    cell_label: `${region.label} sandbox`,
    detail_url: `${baseUrl}/api/v3/connections/${connection.id}`,
  };
}

/** The `regions` and `cells` maps that come with discovery results. */
export function discoveryIndex(world: World, connections: Connection[], baseUrl: string) {
  const regions = [...new Set(connections.map((c) => connectionApp(world, c).region))];
  return {
    regions: Object.fromEntries(regions.map((r) => [r, REGIONS[r]])),
    cells: Object.fromEntries(regions.map((r) => [`${r}-sandbox`, { url: baseUrl, flag: REGIONS[r].flag, label: `${REGIONS[r].label} sandbox` }])),
  };
}
