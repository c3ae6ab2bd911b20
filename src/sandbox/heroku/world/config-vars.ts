import { invalidParams } from '../errors.js';
import type { App } from './apps.js';
import { attachmentsOf } from './attachments.js';
import { release } from './releases.js';
import type { World } from './world.js';

/**
 * `<NAME>_URL` for every Postgres attachment whose add-on has finished provisioning. Derived, so that
 * attach, promote and destroy move DATABASE_URL without bookkeeping.
 */
function attachmentVars(world: World, app: App): Map<string, string> {
  const vars = new Map<string, string>();
  for (const attachment of attachmentsOf(world, { app })) {
    const addon = world.addons.get(attachment.addonId);
    if (addon?.url && addon.state === 'provisioned') vars.set(`${attachment.name}_URL`, addon.url);
  }
  return vars;
}

export function configVars(world: World, app: App): Record<string, string> {
  return Object.fromEntries([...app.configVars, ...attachmentVars(world, app)]);
}

/** Sets (string) and removes (null) config vars; a change creates a release. */
export function updateConfigVars(world: World, app: App, changes: Record<string, string | null>): Record<string, string> {
  const managed = Object.keys(changes).filter((key) => attachmentVars(world, app).has(key));
  if (managed.length) throw invalidParams(`Cannot overwrite attachment values ${managed.join(', ')}.`);
  const set = Object.entries(changes).filter(([k, v]) => v !== null && app.configVars.get(k) !== v).map(([k]) => k);
  const removed = Object.entries(changes).filter(([k, v]) => v === null && app.configVars.has(k)).map(([k]) => k);
  for (const key of set) app.configVars.set(key, changes[key] as string);
  for (const key of removed) app.configVars.delete(key);
  const parts = [set.length && `set ${set.join(', ')}`, removed.length && `remove ${removed.join(', ')}`].filter(Boolean).join(' and ');
  if (parts) release(world, app, `${parts.charAt(0).toUpperCase()}${parts.slice(1)} config vars`);
  return configVars(world, app);
}
