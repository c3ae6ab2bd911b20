import { confirmationRequired, invalidParams, notFound, unprocessable } from '../errors.js';
import type { AddOn } from './addons.js';
import { appById, type App } from './apps.js';
import { release } from './releases.js';
import { noteWriters } from './writers.js';
import type { World } from './world.js';

/** An add-on attached to an app under a name; Postgres attachments expose `<NAME>_URL`. */
export interface Attachment {
  id: string;
  name: string;
  namespace: string | null;
  addonId: string;
  appId: string;
  createdAt: number;
  updatedAt: number;
}

export interface NewAttachment {
  addon: AddOn;
  app: App;
  name?: string;
  namespace?: string | null;
  confirm?: string;
}

const COLORS = ['AMBER', 'AQUA', 'BLACK', 'BLUE', 'BRONZE', 'CHARCOAL', 'COBALT', 'COPPER', 'CRIMSON', 'GOLD', 'GRAY', 'GREEN', 'IVORY', 'JADE', 'LAVENDER', 'MAROON', 'MAUVE', 'NAVY', 'OLIVE', 'ONYX', 'ORANGE', 'PINK', 'PURPLE', 'RED', 'ROSE', 'SILVER', 'TEAL', 'TOPAZ', 'VIOLET', 'WHITE', 'YELLOW'];

/**
 * The name a new add-on is attached under by default: `HEROKU_POSTGRESQL_<COLOR>` for every
 * database, the service name (`HEROKUCONNECT`) for others, with a color when that name is taken.
 */
export function defaultAttachmentName(world: World, app: App, base: string, colored: boolean, color?: string): string {
  const used = new Set([
    ...[...world.addons.values()].filter((a) => a.appId === app.id).map((a) => a.defaultAttachment),
    ...attachmentsOf(world, { app }).map((a) => a.name),
  ]);
  if (!colored && !used.has(base)) return base;
  const free = color ?? COLORS.find((c) => !used.has(`${base}_${c}`)) ?? String(used.size);
  return `${base}_${free}`;
}

/** `DATABASE_URL`, `database` and `DATABASE` all name the DATABASE attachment. */
export const attachmentName = (name: string) => name.toUpperCase().replace(/_URL$/, '');

export function attachmentsOf(world: World, of: { app?: App; addon?: AddOn }): Attachment[] {
  return [...world.attachments.values()].filter(
    (a) => (!of.app || a.appId === of.app.id) && (!of.addon || a.addonId === of.addon.id),
  );
}

/**
 * The attachment holding `name` on the app, whatever its namespace: a name is one config var
 * (`<NAME>_URL`), so it is unique on the app (pg:promote finds DATABASE by name alone). Taking it
 * from another add-on, or in another namespace, needs `confirm: <app>`.
 */
export function claimName(world: World, app: App, name: string, namespace: string | null, confirm?: string, addon?: AddOn): Attachment | undefined {
  const taken = attachmentsOf(world, { app }).find((a) => a.name === name);
  if (taken && (taken.addonId !== addon?.id || taken.namespace !== namespace) && confirm !== app.name) {
    const holder = world.addons.get(taken.addonId)?.name ?? 'another add-on';
    throw confirmationRequired(app.name, `This replaces the ${name} attachment of ${holder} (namespace ${taken.namespace ?? 'none'}) on ${app.name}.`);
  }
  return taken;
}

/**
 * Attaches an add-on. Taking a name that is already used on the app replaces that attachment, and
 * only with `confirm: <app>`. This is how pg:promote moves DATABASE_URL. Heroku does not give the
 * previous holder a name of its own: an add-on must keep an attachment on the app that bills it, so
 * replacing its last one there is refused, which is why pg:promote first attaches the old database
 * "just-in-time" under a name of its own (heroku/cli src/commands/pg/promote.ts; the refusal's text
 * is inferred).
 */
export function attach(world: World, spec: NewAttachment): Attachment {
  const { addon, app } = spec;
  const name = attachmentName(spec.name ?? addon.defaultAttachment);
  if (!/^[A-Z][A-Z0-9_]*$/.test(name)) throw invalidParams(`Name ${name} is invalid: use letters, digits and underscores.`);
  const namespace = spec.namespace ?? null;
  const taken = claimName(world, app, name, namespace, spec.confirm, addon);
  if (taken?.addonId === addon.id && taken.namespace === namespace) return taken;
  if (taken && taken.addonId !== addon.id) mustKeepBillingAttachment(world, taken);
  // Replacing a name detaches the holder first: two releases, as pg:promote expects to find them.
  if (taken) detach(world, taken);
  const now = world.clock.now();
  const attachment: Attachment = { id: world.ids.uuid(), name, namespace, addonId: addon.id, appId: app.id, createdAt: now, updatedAt: now };
  world.attachments.set(attachment.id, attachment);
  release(world, app, `Attach ${name} (@ref:${addon.name})`);
  noteWriters(world, app);
  return attachment;
}

/** Refuses to take away the last attachment of an add-on on the app that bills it (inferred: 422). */
export function mustKeepBillingAttachment(world: World, attachment: Attachment): void {
  const addon = world.addons.get(attachment.addonId);
  if (!addon || addon.appId !== attachment.appId) return;
  const app = appById(world, attachment.appId);
  if (app && attachmentsOf(world, { app, addon }).length === 1) {
    throw unprocessable(`${attachment.name} is the last attachment of ${addon.name} on ${app.name}, which bills it: attach it under another name first (as pg:promote does).`);
  }
}

export function detach(world: World, attachment: Attachment): void {
  world.attachments.delete(attachment.id);
  const app = appById(world, attachment.appId);
  const addon = world.addons.get(attachment.addonId);
  if (!app) return;
  release(world, app, `Detach ${attachment.name} (@ref:${addon?.name ?? attachment.addonId})`);
  noteWriters(world, app);
}

/** By id, or by name within an app (`DATABASE`, `DATABASE_URL`, `app::DATABASE_URL`). */
export function findAttachment(world: World, idOrName: string, app?: App): Attachment {
  const byId = world.attachments.get(idOrName);
  if (byId) return byId;
  const [appName, name] = idOrName.includes('::') ? idOrName.split('::') : [app?.name, idOrName];
  const found = [...world.attachments.values()].find(
    (a) => a.name === attachmentName(name ?? '') && appById(world, a.appId)?.name === appName,
  );
  if (!found) throw notFound('add_on attachment', `Couldn't find that add on attachment.`);
  return found;
}
