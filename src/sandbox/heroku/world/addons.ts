import { ApiError, invalidParams, notFound } from '../errors.js';
import { appById, type App } from './apps.js';
import { attach, attachmentName, attachmentsOf, claimName, defaultAttachmentName, detach } from './attachments.js';
import { createConnection, removeConnection } from './connections.js';
import { newDatabase } from './databases.js';
import { findPlan, isEssential, isPostgres, type Plan } from './plans.js';
import { connect, postgres } from './timings.js';
import { noteWritersOfAddOn } from './writers.js';
import type { World } from './world.js';

export interface AddOn {
  id: string;
  name: string;
  plan: Plan;
  /** the billing app */
  appId: string;
  state: 'provisioning' | 'provisioned' | 'deprovisioned';
  createdAt: number;
  updatedAt: number;
  /** The name it is attached under when none is given: `HEROKU_POSTGRESQL_<COLOR>`, `HEROKUCONNECT`. */
  defaultAttachment: string;
  /** Postgres only: the connection URL that attachments expose as `<NAME>_URL`. */
  url?: string;
}

export interface NewAddOn {
  plan: string;
  name?: string;
  /** attachment name; the first database of an app becomes DATABASE */
  as?: string;
  confirm?: string;
  /** provisioning options: `follow`, `fork`, `version` (`-- --follow DATABASE_URL`) */
  config?: Record<string, string | boolean>;
  /** seeds pick colors (`ONYX`); the API picks the next free one */
  color?: string;
}

export function createAddOn(world: World, app: App, spec: NewAddOn): AddOn {
  const plan = findPlan(spec.plan);
  const taken = (n: string) => [...world.addons.values()].some((a) => a.name === n);
  // A name asked for must be free; a generated one is drawn again until it is (as Heroku picks a free one).
  let name = spec.name ?? world.ids.addonName(plan.service);
  if (spec.name === undefined) while (taken(name)) name = world.ids.addonName(plan.service);
  if (taken(name)) throw invalidParams(`Name ${name} is already taken.`);
  const database = isPostgres(plan) ? newDatabase(world, app, plan, spec.config ?? {}) : undefined;
  const base = database ? 'HEROKU_POSTGRESQL' : plan.service.toUpperCase();
  const defaultAttachment = defaultAttachmentName(world, app, base, Boolean(database), spec.color);
  const firstDatabase = database && !attachmentsOf(world, { app }).some((a) => a.name === 'DATABASE');
  const as = attachmentName(spec.as ?? (firstDatabase ? 'DATABASE' : defaultAttachment));
  claimName(world, app, as, null, spec.confirm);

  const now = world.clock.now();
  const addon: AddOn = { id: world.ids.uuid(), name, plan, appId: app.id, state: 'provisioning', createdAt: now, updatedAt: now, defaultAttachment, url: database?.url };
  world.addons.set(addon.id, addon);
  if (database) world.databases.set(addon.id, { ...database, addonId: addon.id });
  attach(world, { addon, app, name: as, confirm: spec.confirm });

  const delay = !database ? connect.provisioning : database.leaderId ? postgres.followerProvisioning : postgres.provisioning;
  world.agenda.plan(`${addon.id}:provisioning`, [{ after: delay, do: () => provisioned(world, addon) }]);
  return addon;
}

function provisioned(world: World, addon: AddOn): void {
  addon.state = 'provisioned';
  addon.updatedAt = world.clock.now();
  const database = world.databases.get(addon.id);
  if (database) database.availableAt = addon.updatedAt;
  if (database) noteWritersOfAddOn(world, addon.id);
  else if (addon.plan.service === 'herokuconnect') createConnection(world, addon);
}

/**
 * Plan change. Postgres prepares a replacement, then changes over with under a minute of downtime;
 * Essential databases cannot move to or from the higher tiers in place (pg:copy instead).
 */
export function changePlan(world: World, addon: AddOn, planName: string): AddOn {
  const plan = findPlan(planName);
  if (plan.service !== addon.plan.service) {
    throw invalidParams(`Couldn't find either the add-on service or the add-on plan of "${planName}".`);
  }
  if (plan.id === addon.plan.id) return addon;
  const database = world.databases.get(addon.id);
  if (database && isEssential(plan) !== isEssential(addon.plan)) {
    throw invalidParams(
      'Changing between Essential-tier and higher-tier plans is not supported. Provision a new database and use pg:copy to transfer the data.',
    );
  }
  addon.plan = plan;
  addon.updatedAt = world.clock.now();
  if (database && !isEssential(plan)) {
    database.planChange = 'preparing';
    world.agenda.plan(`${addon.id}:plan`, [
      { after: postgres.planChangePreparation, do: () => (database.planChange = 'changeover') },
      { after: postgres.planChangeover, do: () => (database.planChange = undefined) },
    ]);
  }
  return addon;
}

/** Destroy removes the attachments (and their config vars), the database, or the Connect connection. */
export function destroyAddOn(world: World, addon: AddOn): AddOn {
  if (addon.state === 'deprovisioned') throw new ApiError(403, 'forbidden', 'This add-on has already been destroyed.');
  for (const attachment of attachmentsOf(world, { addon })) detach(world, attachment);
  removeConnection(world, addon);
  world.databases.delete(addon.id);
  world.addons.delete(addon.id);
  world.agenda.forget(addon.id);
  addon.state = 'deprovisioned';
  addon.updatedAt = world.clock.now();
  return addon;
}

/** `{addon}` is an add-on id or its globally unique name; with an app, an attachment name works too. */
export function findAddOn(world: World, idOrName: string, app?: App): AddOn {
  const byAttachment = app && attachmentsOf(world, { app }).find((a) => a.name === attachmentName(idOrName));
  const addon =
    world.addons.get(idOrName) ??
    [...world.addons.values()].find((a) => a.name === idOrName) ??
    (byAttachment && world.addons.get(byAttachment.addonId));
  if (!addon || (app && addon.appId !== app.id && !attachmentsOf(world, { app, addon }).length)) {
    throw notFound('add_on', `Couldn't find that add-on.`);
  }
  return addon;
}

export function addOnApp(world: World, addon: AddOn): App {
  const app = appById(world, addon.appId);
  if (!app) throw notFound('app');
  return app;
}
