import { createAddOn } from './addons.js';
import { attach } from './attachments.js';
import { addSchedulerJob } from './scheduler.js';
import { createApp, type App, type NewApp } from './apps.js';
import { updateConfigVars } from './config-vars.js';
import { authorizeSalesforce, grantAccess, setDatabase, type Connection } from './connections.js';
import { createMapping, mappingConfigSchema } from './mappings.js';
import { createOrg } from './salesforce.js';
import { HOUR } from './timings.js';

const MINUTE = 60_000;
import type { World } from './world.js';

export type SeedName = 'default' | 'empty';

const DAY = 24 * HOUR;
const GB = 1024 ** 3;

/**
 * The default scenario. Everything is created through the same operations the API uses, back in
 * simulated history, so releases, provisioning and initial loads have all happened by "now".
 *
 * | app          | databases                                              | Heroku Connect                                   |
 * |--------------|--------------------------------------------------------|--------------------------------------------------|
 * | acme-prod    | standard-0, PG 15 (DATABASE)                           | DATABASE_URL, Account 1.2M, Contact 3.4M, Opportunity 800k, Case 400k |
 * | acme-staging | essential-1, PG 16 (DATABASE)                          | DATABASE_URL, Account 12k, Contact 30k           |
 * | globex-prod  | standard-2, PG 14 (DATABASE) + standard-0, PG 14 (ONYX) | HEROKU_POSTGRESQL_ONYX_URL, Account, Contact, Order |
 * | initech-api  | essential-0, PG 16 (DATABASE)                          | none                                             |
 * | hooli-prod   | standard-0, PG 15 (DATABASE, HEROKU_POSTGRESQL_CHARCOAL, DATABASE_CONNECTION_POOL) + follower standard-0 (GRAY) | HEROKU_POSTGRESQL_CHARCOAL_URL, Account, Contact |
 * | hooli-reports| hooli-prod's database attached `--as HOOLI_DB`         | none                                             |
 *
 * hooli-prod is the messy topology of issue 10: web reads the connection pool, worker reads
 * DATABASE_URL, a release phase runs on every release, a Heroku Scheduler job (every 10 minutes, 2
 * minutes long) writes through DATABASE_URL, and the database is shared with hooli-reports, whose
 * worker writes through HOOLI_DB_URL. Maintenance mode on hooli-prod stops none of those.
 *
 * A database is written by whichever writers resolve to it (writers.ts): globex-prod's worker writes
 * the ONYX database Heroku Connect syncs, its web the leader.
 */
function seedDefault(world: World): void {
  const acme = createOrg(world, 'integration@acme.example.com', { Account: 1_204_311, Contact: 3_412_877, Opportunity: 803_992, Case: 398_140, Lead: 251_004 });
  const acmeSandbox = createOrg(world, 'integration@acme.example.com.staging', { Account: 12_040, Contact: 30_512, Lead: 2_210 });
  const globex = createOrg(world, 'sync@globex.example.com', { Account: 611_020, Contact: 1_498_733, Order: 2_050_118 });

  const acmeProd = herokuApp(world, { name: 'acme-prod', formation: { web: 2, worker: 3, release: 0 } }, [
    { plan: 'heroku-postgresql:standard-0', version: 15, gb: 48.2, tables: 64 },
  ]);
  withConnect(world, acmeProd, { org: acme.id, mappings: { Account: 'read_write', Contact: 'read_write', Opportunity: 'read_only', Case: 'read_only' } });

  const staging = herokuApp(world, { name: 'acme-staging', formation: { web: 1, worker: 1 } }, [
    { plan: 'heroku-postgresql:essential-1', version: 16, gb: 1.3, tables: 41 },
  ]);
  withConnect(world, staging, { plan: 'herokuconnect:demo', org: acmeSandbox.id, mappings: { Account: 'read_write', Contact: 'read_only' } });

  const globexProd = herokuApp(
    world,
    {
      name: 'globex-prod',
      region: 'eu',
      formation: { web: 3, worker: 2 },
      writers: [
        { processType: 'web', configVar: 'DATABASE_URL' },
        { processType: 'worker', configVar: 'HEROKU_POSTGRESQL_ONYX_URL' },
      ],
    },
    [
      { plan: 'heroku-postgresql:standard-2', version: 14, gb: 212.5, tables: 188 },
      { plan: 'heroku-postgresql:standard-0', version: 14, gb: 35.7, tables: 23, color: 'ONYX' },
    ],
  );
  withConnect(world, globexProd, { dbKey: 'HEROKU_POSTGRESQL_ONYX_URL', org: globex.id, mappings: { Account: 'read_only', Contact: 'read_only', Order: 'read_only' } });

  herokuApp(world, { name: 'initech-api', formation: { web: 1 } }, [{ plan: 'heroku-postgresql:essential-0', version: 16, gb: 0.4, tables: 12 }]);

  seedHooli(world);
  world.settle();
}

function seedHooli(world: World): void {
  const hooliOrg = createOrg(world, 'connect@hooli.example.com', { Account: 302_118, Contact: 911_400 });
  const hooli = herokuApp(
    world,
    {
      name: 'hooli-prod',
      formation: { web: 2, worker: 1, release: 0 },
      writers: [
        { processType: 'web', configVar: 'DATABASE_CONNECTION_POOL_URL' },
        { processType: 'worker', configVar: 'DATABASE_URL' },
      ],
    },
    [{ plan: 'heroku-postgresql:standard-0', version: 15, gb: 61.9, tables: 74, color: 'CHARCOAL' }],
  );
  const database = [...world.addons.values()].find((a) => a.appId === hooli.id && a.plan.service === 'heroku-postgresql');
  if (!database) throw new Error('seed: hooli-prod has no database');
  inHistory(world, 399, () => {
    // What Heroku does for a first database: DATABASE_URL and its color name both point at it.
    attach(world, { addon: database, app: hooli, name: 'HEROKU_POSTGRESQL_CHARCOAL' });
    // `heroku pg:connection-pooling:attach`: the pool as DATABASE_CONNECTION_POOL in its namespace.
    attach(world, { addon: database, app: hooli, name: 'DATABASE_CONNECTION_POOL', namespace: 'connection-pooling:default' });
    createAddOn(world, hooli, { plan: 'heroku-postgresql:standard-0', config: { follow: 'DATABASE_URL' }, color: 'GRAY' });
    createAddOn(world, hooli, { plan: 'scheduler:standard' });
  });
  const reports = inHistory(world, 398, () => {
    const app = createApp(world, { name: 'hooli-reports', formation: { web: 1, worker: 1 }, writers: [{ processType: 'worker', configVar: 'HOOLI_DB_URL' }] });
    // `heroku addons:attach <database> --as HOOLI_DB -a hooli-reports`
    attach(world, { addon: database, app, name: 'HOOLI_DB' });
    return app;
  });
  void reports;
  withConnect(world, hooli, { dbKey: 'HEROKU_POSTGRESQL_CHARCOAL_URL', org: hooliOrg.id, mappings: { Account: 'read_write', Contact: 'read_only' } });
  world.settle();
  addSchedulerJob(world, hooli, { command: 'bin/rake invoices:send', everyMs: 10 * MINUTE, runsFor: 2 * MINUTE, configVar: 'DATABASE_URL' });
}

interface SeedDatabase {
  plan: string;
  version: number;
  gb: number;
  tables: number;
  color?: string;
}

function herokuApp(world: World, spec: NewApp, databases: SeedDatabase[]): App {
  return inHistory(world, 400, () => {
    const app = createApp(world, spec);
    updateConfigVars(world, app, { RAILS_ENV: 'production', RAILS_LOG_TO_STDOUT: 'enabled', SECRET_KEY_BASE: world.ids.hex(64) });
    for (const db of databases) {
      const addon = createAddOn(world, app, { plan: db.plan, config: { version: String(db.version) }, color: db.color });
      Object.assign(world.databases.get(addon.id) ?? {}, { numBytes: Math.round(db.gb * GB), numTables: db.tables });
    }
    return app;
  });
}

interface SeedConnect {
  plan?: string;
  dbKey?: string;
  org: string;
  mappings: Record<string, 'read_only' | 'read_write'>;
}

/** A Connect add-on, set up the way a person does it: db:set, Salesforce login, mappings. */
function withConnect(world: World, app: App, spec: SeedConnect): Connection {
  const addon = inHistory(world, 380, () => createAddOn(world, app, { plan: spec.plan ?? 'herokuconnect:enterprise' }));
  return inHistory(world, 379, () => {
    const connection = [...world.connections.values()].find((c) => c.addonId === addon.id);
    if (!connection) throw new Error(`seed: ${addon.name} has no connection`);
    setDatabase(world, connection, { db_key: spec.dbKey ?? 'DATABASE_URL', schema_name: 'salesforce' });
    connection.orgId = spec.org;
    authorizeSalesforce(world, app);
    grantAccess(world, app);
    for (const [object, access] of Object.entries(spec.mappings)) {
      const config = mappingConfigSchema.parse({
        access,
        upsert_field: access === 'read_write' ? 'External_ID__c' : null,
        fields: { Name: {}, CreatedDate: {}, ...(access === 'read_write' ? { External_ID__c: {} } : {}) },
        indexes: access === 'read_write' ? { External_ID__c: { unique: true } } : {},
      });
      createMapping(world, connection, object, config);
    }
    return connection;
  });
}

/** Runs `fn` as if `daysAgo` days before now, after settling what was due by then. */
function inHistory<T>(world: World, daysAgo: number, fn: () => T): T {
  return world.clock.pinnedAt(world.clock.now() - daysAgo * DAY, () => {
    world.settle();
    return fn();
  });
}

export const seeds: Record<SeedName, (world: World) => void> = {
  default: seedDefault,
  empty: () => undefined,
};
