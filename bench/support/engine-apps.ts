import type { World } from '../../src/sandbox/heroku/index.js';
import { createAddOn } from '../../src/sandbox/heroku/world/addons.js';
import { createApp, setMaintenance } from '../../src/sandbox/heroku/world/apps.js';
import { authorizeSalesforce, failConnection, grantAccess, setDatabase } from '../../src/sandbox/heroku/world/connections.js';
import { scale } from '../../src/sandbox/heroku/world/formation.js';
import { createMapping, mappingConfigSchema } from '../../src/sandbox/heroku/world/mappings.js';
import { createOrg } from '../../src/sandbox/heroku/world/salesforce.js';

/**
 * Apps like the default seed's, made in the simulated world the way the seed makes them: through
 * the same operations the API uses, back in simulated history, so that provisioning and initial
 * loads are over by "now". Each runbook of the benchmark gets apps in the state it starts from.
 */

export type AppKind =
  /** acme-prod: standard-0, PG 15, web 2 + worker 3, Connect on DATABASE_URL with three mappings. */
  | 'connect'
  /** The same with Heroku Connect paused an hour ago (what `resume` starts from). */
  | 'paused'
  /** The same with writes stopped: maintenance mode on and the workers at 0 (what `recreate` wants). */
  | 'stopped'
  /** acme-staging: essential-1, PG 16, with Connect (what `copy` moves). */
  | 'essential'
  /** acme-prod with its connection stopped in SYSTEM_ERROR (what `restart` recovers). */
  | 'error';

const DAY = 24 * 3_600_000;
const OBJECTS = { Account: 300_000, Contact: 600_000, Opportunity: 150_000 };
const ACCESS = { Account: 'read_write', Contact: 'read_write', Opportunity: 'read_only' } as const;

export function createBenchApp(world: World, name: string, kind: AppKind): void {
  const inHistory = <T>(daysAgo: number, fn: () => T): T =>
    world.clock.pinnedAt(world.clock.now() - daysAgo * DAY, () => {
      world.settle();
      return fn();
    });
  const essential = kind === 'essential';
  const app = inHistory(30, () => {
    const created = createApp(world, { name, formation: { web: 2, worker: essential ? 1 : 3, release: 0 } });
    createAddOn(world, created, { plan: essential ? 'heroku-postgresql:essential-1' : 'heroku-postgresql:standard-0', config: { version: essential ? '16' : '15' } });
    createAddOn(world, created, { plan: 'herokuconnect:enterprise' });
    return created;
  });
  const org = createOrg(world, `integration@${name}.example.com`, OBJECTS);
  const connection = inHistory(29, () => {
    const found = [...world.connections.values()].find((c) => c.appId === app.id);
    if (!found) throw new Error(`${name} has no connection`);
    setDatabase(world, found, { db_key: 'DATABASE_URL', schema_name: 'salesforce' });
    found.orgId = org.id;
    authorizeSalesforce(world, app);
    grantAccess(world, app);
    for (const [object, access] of Object.entries(ACCESS)) {
      const writable = access === 'read_write';
      const config = mappingConfigSchema.parse({
        access,
        upsert_field: writable ? 'External_ID__c' : null,
        fields: { Name: {}, CreatedDate: {}, ...(writable ? { External_ID__c: {} } : {}) },
        indexes: writable ? { External_ID__c: { unique: true } } : {},
      });
      createMapping(world, found, object, config);
    }
    return found;
  });
  world.settle();
  if (kind === 'paused') {
    connection.state = 'PAUSED';
    connection.pausedAt = world.clock.now() - 3_600_000;
  }
  if (kind === 'error') failConnection(world, connection, 'SYSTEM_ERROR');
  if (kind === 'stopped') {
    setMaintenance(world, app, true);
    scale(world, app, [{ type: 'worker', quantity: 0 }]);
  }
}
