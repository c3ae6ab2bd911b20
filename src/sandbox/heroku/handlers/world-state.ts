import { attachmentsOf } from '../world/attachments.js';
import { configVars } from '../world/config-vars.js';
import { connectionState } from '../world/connections.js';
import { waitStatus } from '../world/databases.js';
import { behindBy } from '../world/followers.js';
import { mappingCounts } from '../world/mappings.js';
import { takesWrites } from '../world/writes.js';
import type { App } from '../world/apps.js';
import type { World } from '../world/world.js';

function appState(world: World, app: App) {
  const addons = [...world.addons.values()].filter((a) => a.appId === app.id);
  const name = (id: string | undefined) => (id ? world.addons.get(id)?.name : undefined) ?? null;
  return {
    name: app.name,
    id: app.id,
    maintenance: app.maintenance,
    takesWrites: takesWrites(app),
    access: app.access,
    writers: app.writers.map((w) => `${w.processType} (${w.configVar})`),
    dynos: app.dynos.map((d) => ({ name: d.name, command: d.command, state: d.state })),
    schedulerJobs: app.schedulerJobs.map((j) => ({ command: j.command, everyMinutes: j.everyMs / 60_000, enabled: j.enabled })),
    formation: Object.fromEntries(app.formation.map((f) => [f.type, f.quantity])),
    configVars: configVars(world, app),
    releases: app.releases.length,
    addons: addons.map((a) => ({
      id: a.id,
      name: a.name,
      plan: a.plan.name,
      state: a.state,
      attachments: attachmentsOf(world, { addon: a }).map((x) => x.name),
    })),
    databases: addons.flatMap((a) => {
      const db = world.databases.get(a.id);
      if (!db) return [];
      const upgrade = db.upgrade && { phase: db.upgrade.phase, version: db.upgrade.version, step: `${db.upgrade.step}/${db.upgrade.steps.length}` };
      return [{ addon: a.name, version: db.version, following: name(db.leaderId), behindBy: behindBy(world, db) ?? null, waitStatus: waitStatus(db), upgrade: upgrade ?? null }];
    }),
    connections: [...world.connections.values()]
      .filter((c) => c.appId === app.id)
      .map((c) => ({
        id: c.id,
        state: connectionState(world, c),
        dbKey: c.dbKey,
        schemaName: c.schemaName,
        accessible: c.accessible,
        mappings: c.mappings.map((m) => ({ id: m.id, objectName: m.objectName, state: m.state, revision: m.revision, counts: mappingCounts(world, c, m), syncStopped: m.stoppedAt !== undefined })),
        writeErrors: c.writeErrors.length,
        notifications: c.notifications.filter((n) => !n.acknowledged).length,
        salesforceApiLimitReached: Boolean(c.orgId && world.orgs.get(c.orgId)?.apiLimitReachedAt !== undefined),
      })),
  };
}

/** A readable summary of the whole world (GET /__sandbox/state), for the browser sandbox and debugging. */
export function worldState(world: World) {
  return {
    now: world.clock.iso(),
    timeScale: world.clock.timeScale,
    rateLimit: { remaining: world.rateLimit.remaining(), ...world.rateLimit.options },
    faults: world.faults.current,
    apps: [...world.apps.values()].map((app) => appState(world, app)),
    notices: world.notices.list().map((n) => ({ id: n.id, kind: n.kind, title: n.title, phase: n.phase, window: n.window ?? null })),
    deprecatedVersions: world.versions.all().map((d) => ({ major: d.major, deprecatedAt: world.clock.iso(d.deprecatedAt), forcedUpgradesFrom: world.clock.iso(d.forcedUpgradesFrom) })),
  };
}
