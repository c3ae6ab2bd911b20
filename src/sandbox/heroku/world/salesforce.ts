import type { App } from './apps.js';
import type { World } from './world.js';

/** The Salesforce org on the other side of a connection: how many records each object holds, and its fields. */
export interface SalesforceOrg {
  id: string;
  username: string;
  objects: Map<string, number>;
  /** Fields deleted in Salesforce, per object (lower-cased object name). */
  deletedFields: Map<string, Set<string>>;
  /**
   * Since when the org's daily Salesforce API calls are used up (`sf_max_daily_api_calls`): Heroku
   * Connect cannot poll it, and its mappings' syncs stop advancing while they stay DATA_SYNCED.
   */
  apiLimitReachedAt?: number;
}

/** Objects not listed in the org hold this many records. */
const DEFAULT_ROWS = 25_000;

/**
 * Fields every object has. The simulated org describes an object as these plus every field a
 * mapping of it names, less those deleted: enough for C16 and for a mapping to lose a field.
 */
const STANDARD_FIELDS = ['Id', 'IsDeleted', 'SystemModstamp', 'CreatedDate', 'LastModifiedDate', 'Name', 'OwnerId'];
/** "Some fields in the list are pre-selected and can't be removed from the mapping" (Dev Center). */
const REQUIRED_FIELDS = ['Id', 'IsDeleted', 'SystemModstamp'];

export function createOrg(world: World, username: string, objects: Record<string, number> = {}): SalesforceOrg {
  const org: SalesforceOrg = {
    id: `00D${world.ids.hex(12).toUpperCase()}`,
    username,
    objects: new Map(Object.entries(objects)),
    deletedFields: new Map(),
  };
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

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Whether Salesforce still has this field on the object (a deleted field is gone for good). */
export function fieldExists(org: SalesforceOrg | undefined, objectName: string, field: string): boolean {
  const deleted = org?.deletedFields.get(objectName.toLowerCase());
  return !deleted || ![...deleted].some((f) => same(f, field));
}

/** Deletes a field in Salesforce, as an admin of the org does in Setup. */
export function deleteField(org: SalesforceOrg, objectName: string, field: string): void {
  const key = objectName.toLowerCase();
  org.deletedFields.set(key, new Set([...(org.deletedFields.get(key) ?? []), field]));
}

/** C16: the object's fields as Salesforce describes them, `{name, required}` as the plugin reads them. */
export function describeObject(world: World, org: SalesforceOrg | undefined, objectName: string): Array<{ name: string; required: boolean }> {
  const mapped = [...world.connections.values()]
    .filter((c) => org && c.orgId === org.id)
    .flatMap((c) => c.mappings.filter((m) => same(m.objectName, objectName)).flatMap((m) => Object.keys(m.config.fields)));
  const names = [...new Map([...STANDARD_FIELDS, ...mapped].map((f) => [f.toLowerCase(), f])).values()];
  return names.filter((f) => fieldExists(org, objectName, f)).map((name) => ({ name, required: REQUIRED_FIELDS.includes(name) }));
}
