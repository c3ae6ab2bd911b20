import type { App } from './apps.js';
import type { World } from './world.js';

/** The Salesforce org on the other side of a connection: how many records each object holds. */
export interface SalesforceOrg {
  id: string;
  username: string;
  objects: Map<string, number>;
}

/** Objects not listed in the org hold this many records. */
const DEFAULT_ROWS = 25_000;

export function createOrg(world: World, username: string, objects: Record<string, number> = {}): SalesforceOrg {
  const org = { id: `00D${world.ids.hex(12).toUpperCase()}`, username, objects: new Map(Object.entries(objects)) };
  world.orgs.set(org.id, org);
  return org;
}

/** Authorizing a second connection of an app (a parallel connection) logs into the same org. */
export function orgFor(world: World, app: App): SalesforceOrg {
  const sibling = [...world.connections.values()].find((c) => c.appId === app.id && c.orgId);
  return (sibling?.orgId && world.orgs.get(sibling.orgId)) || createOrg(world, `integration@${app.name}.example.com`);
}

export function objectRows(world: World, orgId: string | undefined, objectName: string): number {
  const org = orgId ? world.orgs.get(orgId) : undefined;
  if (!org) return 0;
  const key = [...org.objects.keys()].find((k) => k.toLowerCase() === objectName.toLowerCase());
  return key ? (org.objects.get(key) ?? DEFAULT_ROWS) : DEFAULT_ROWS;
}
