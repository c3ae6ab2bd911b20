import type { ConnectClient } from './connect.js';
import type { PostgresDataClient } from './data.js';
import type { PlatformClient } from './platform.js';

/**
 * What each client method sends, as plans show it and as a request log can be matched against:
 * `PATCH /apps/{app} {"maintenance"}` is the verb, the path with `{placeholders}`, an optional
 * query, and the body's keys. Runbook steps declare the client methods they use; the API calls of
 * their plan come from here, so a plan cannot name a call the code does not make (and a test fails
 * when the code makes one its step did not declare: test/support/declared-calls.ts).
 */

/** One client method, e.g. `connect.pause`, and the requests it sends. */
export interface ClientCall {
  readonly method: string;
  readonly requests: readonly string[];
}

type MethodsOf<C> = { [K in keyof C]: C[K] extends (...args: never[]) => unknown ? K : never }[keyof C] & string;

function catalog<C>(client: string, requests: Record<MethodsOf<C>, readonly string[]>): { readonly [K in MethodsOf<C>]: ClientCall } {
  return Object.fromEntries(Object.entries<readonly string[]>(requests).map(([name, sent]) => [name, { method: `${client}.${name}`, requests: sent }])) as {
    [K in MethodsOf<C>]: ClientCall;
  };
}

const DETAIL = 'GET /api/v3/connections/{id}?deep=true';

/** Every public method of each client must be here (the `Record` type says so). */
export const api = {
  platform: catalog<PlatformClient>('platform', {
    app: ['GET /apps/{app}'],
    setMaintenance: ['PATCH /apps/{app} {"maintenance"}'],
    formation: ['GET /apps/{app}/formation'],
    updateFormation: ['PATCH /apps/{app}/formation {"updates"}'],
    configVars: ['GET /apps/{app}/config-vars'],
    updateConfigVars: ['PATCH /apps/{app}/config-vars'],
    createAddOn: ['POST /apps/{app}/addons {"plan", "name", "attachment", "config", "confirm"}'],
    addOn: ['GET /apps/{app}/addons/{addon}'],
    addOns: ['GET /apps/{app}/addons'],
    changeAddOnPlan: ['PATCH /apps/{app}/addons/{addon} {"plan"}'],
    destroyAddOn: ['DELETE /apps/{app}/addons/{addon}'],
    createAttachment: ['POST /addon-attachments {"addon", "app", "name", "namespace", "confirm"}'],
    attachments: ['GET /apps/{app}/addon-attachments'],
    addOnAttachments: ['GET /addons/{addon}/addon-attachments'],
    dynos: ['GET /apps/{app}/dynos'],
    stopDyno: ['POST /apps/{app}/dynos/{dyno}/actions/stop'],
    resolveAttachment: ['POST /actions/addon-attachments/resolve {"addon_attachment", "app"}'],
    deleteAttachment: ['DELETE /addon-attachments/{attachment}'],
    releases: ['GET /apps/{app}/releases'],
    release: ['GET /apps/{app}/releases/{release}'],
    addOnServicePlans: ['GET /addon-services/{service}/plans'],
    rateLimits: ['GET /account/rate-limits'],
  }),
  data: catalog<PostgresDataClient>('data', {
    database: ['GET /client/v11/databases/{id}'],
    waitStatus: ['GET /client/v11/databases/{id}/wait_status'],
    unfollow: ['PUT /client/v11/databases/{id}/unfollow'],
    upgradePrepare: ['POST /client/v11/databases/{id}/upgrade/prepare {"version"}'],
    upgradeRun: ['POST /client/v11/databases/{id}/upgrade/run {"version"}'],
    upgradeDryRun: ['POST /client/v11/databases/{id}/upgrade/dry_run {"version"}'],
    upgradeCancel: ['POST /client/v11/databases/{id}/upgrade/cancel'],
    upgradeWaitStatus: ['GET /client/v11/databases/{id}/upgrade/wait_status'],
    createTransfer: ['POST /client/v11/databases/{id}/transfers {"from_name", "from_url", "to_name", "to_url"}'],
    transfers: ['GET /client/v11/apps/{app}/transfers'],
    transfer: ['GET /client/v11/apps/{app}/transfers/{uuid}?verbose=true'],
  }),
  connect: catalog<ConnectClient>('connect', {
    discover: ['GET /connections?app={app}'],
    authorize: ['POST /auth/{app}'],
    // Discovery, then (when it finds nothing) the access list and discovery again, then the detail.
    findConnection: ['GET /connections?app={app}', 'POST /auth/{app}', DETAIL],
    connection: [DETAIL],
    pause: ['POST /api/v3/connections/{id}/actions/pause'],
    resume: ['POST /api/v3/connections/{id}/actions/resume'],
    restart: ['POST /api/v3/connections/{id}/actions/restart'],
    exportConfiguration: ['GET /api/v3/connections/{id}/actions/export'],
    importConfiguration: ['POST /api/v3/connections/{id}/actions/import'],
    setDatabase: ['PATCH /api/v3/connections/{id} {"db_key", "schema_name"}'],
    authorizeUrl: ['POST /api/v3/connections/{id}/authorize_url {"environment", "next"}'],
    mapping: ['GET /api/v3/mappings/{id}'],
    reloadMapping: ['POST /api/v3/mappings/{id}/actions/reload'],
    updateMapping: ['PUT /api/v3/mappings/{id} {"object_name", "config", "revision"}'],
    deleteMapping: ['DELETE /api/v3/mappings/{id}'],
    diagnose: ['POST /api/v3/connections/{id}/validations', 'GET /api/v3/connections/{id}/validations/{n}'],
    writeErrors: ['GET /api/v3/connections/{id}/errors'],
    notifications: ['GET /api/v3/connections/{id}/notifications'],
    salesforceSchema: ['GET /api/v3/connections/{id}/schemas/{object}'],
  }),
} as const;

/** The requests of several client methods, each once, in order. */
export function requestsOf(calls: Iterable<ClientCall>): string[] {
  return [...new Set([...calls].flatMap((c) => c.requests))];
}

/**
 * Whether a request (`GET`, `/apps/acme-prod/addons/x`) is one a request line describes: same verb,
 * and the path matches with each `{placeholder}` standing for one path segment. The query and the
 * body are not compared.
 */
export function matchesRequest(line: string, method: string, path: string): boolean {
  const [verb, target] = line.split(' ');
  if (!verb || !target || verb !== method.toUpperCase()) return false;
  const template = target.split('?')[0] ?? '';
  const pattern = template
    .split('/')
    .map((segment) => (/^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}/?$`).test(path.split('?')[0] ?? '');
}
