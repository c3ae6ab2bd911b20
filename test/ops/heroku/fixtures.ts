import type { Received, Reply } from './loopback.js';

/** Answers shaped like Heroku's (reference sections 6-7 and the Connect reference section 4), trimmed. */

export const ids = {
  app: '11111111-1111-4111-8111-111111111111',
  addon: '22222222-2222-4222-8222-222222222222',
  attachment: '33333333-3333-4333-8333-333333333333',
  release: '44444444-4444-4444-8444-444444444444',
  connection: '55555555-5555-4555-8555-555555555555',
  mapping: '66666666-6666-4666-8666-666666666666',
};

const appRef = { id: ids.app, name: 'acme-prod' };
const planRef = { id: '77777777-7777-4777-8777-777777777777', name: 'heroku-postgresql:standard-0' };

export const app = { id: ids.app, name: 'acme-prod', maintenance: false, region: { id: 'r1', name: 'us' }, released_at: '2025-01-01T00:00:00Z', web_url: 'https://acme-prod.herokuapp.com/' };

export const formation = { id: 'f1', type: 'worker', quantity: 2, size: 'Standard-1X', command: 'npm run worker' };

export const addOn = {
  id: ids.addon,
  name: 'postgresql-curved-12345',
  state: 'provisioned',
  plan: planRef,
  addon_service: { id: 's1', name: 'heroku-postgresql' },
  app: appRef,
  config_vars: ['DATABASE_URL'],
};

export const attachment = {
  id: ids.attachment,
  name: 'DATABASE',
  namespace: null,
  addon: { id: ids.addon, name: addOn.name, app: appRef, plan: planRef },
  app: appRef,
  config_vars: ['DATABASE_URL'],
};

export const release = { id: ids.release, version: 42, description: 'Attach DATABASE (@ref:postgresql-curved-12345)', status: 'succeeded', current: true, created_at: '2025-01-01T00:00:00Z' };

export const database = {
  addon_id: ids.addon,
  name: addOn.name,
  plan: 'Standard 0',
  postgres_version: '15.7',
  following: 'postgres://leader.example.com/d1',
  'waiting?': false,
  info: [
    { name: 'Plan', values: ['Standard 0'] },
    { name: 'Status', values: ['Available'] },
    { name: 'PG Version', values: ['15.7'] },
    { name: 'Fork/Follow', values: ['Available'] },
    { name: 'Following', values: ['postgres://leader.example.com/d1'], resolve_db_name: true },
    { name: 'Behind By', values: ['125 commits'] },
  ],
};

export const waitStatus = { 'waiting?': false, message: 'available' };

export const transfer = { uuid: '88888888-8888-4888-8888-888888888888', num: 1, from_name: 'DATABASE', to_name: 'HEROKU_POSTGRESQL_WHITE', succeeded: true, finished_at: '2025-01-01T00:10:00Z' };

/** Every Platform and data API route the clients use, answered with the bodies above. */
export function cannedHeroku(request: Received): Reply {
  const { method, path } = request;
  const routes: Array<[string, RegExp, unknown]> = [
    ['GET', /^\/apps\/[^/]+$/, app],
    ['PATCH', /^\/apps\/[^/]+$/, { ...app, maintenance: (request.body as { maintenance?: boolean })?.maintenance ?? false }],
    ['GET', /^\/apps\/[^/]+\/formation$/, [formation]],
    ['PATCH', /^\/apps\/[^/]+\/formation$/, [formation]],
    ['GET', /^\/apps\/[^/]+\/config-vars$/, { DATABASE_URL: 'postgres://u:p@db.example.com/d1' }],
    ['PATCH', /^\/apps\/[^/]+\/config-vars$/, { DATABASE_URL: 'postgres://u:p@db.example.com/d1' }],
    ['POST', /^\/apps\/[^/]+\/addons$/, { ...addOn, state: 'provisioning' }],
    ['GET', /^\/apps\/[^/]+\/addons$/, [addOn]],
    ['GET', /^\/apps\/[^/]+\/addons\/[^/]+$/, addOn],
    ['PATCH', /^\/apps\/[^/]+\/addons\/[^/]+$/, addOn],
    ['DELETE', /^\/apps\/[^/]+\/addons\/[^/]+$/, { ...addOn, state: 'deprovisioned' }],
    ['POST', /^\/addon-attachments$/, attachment],
    ['GET', /^\/apps\/[^/]+\/addon-attachments$/, [attachment]],
    ['GET', /^\/addons\/[^/]+\/addon-attachments$/, [attachment]],
    ['GET', /^\/apps\/[^/]+\/dynos$/, [{ id: ids.addon, name: 'run.1042', type: 'run', command: 'bin/rake', state: 'up', created_at: '2026-01-01T00:00:00Z' }]],
    ['POST', /^\/apps\/[^/]+\/dynos\/[^/]+\/actions\/stop$/, {}],
    ['POST', /^\/actions\/addon-attachments\/resolve$/, [attachment]],
    ['DELETE', /^\/addon-attachments\/[^/]+$/, attachment],
    ['GET', /^\/apps\/[^/]+\/releases$/, [release]],
    ['GET', /^\/apps\/[^/]+\/releases\/[^/]+$/, release],
    ['GET', /^\/account\/rate-limits$/, { remaining: 4321 }],
    ['GET', /^\/addon-services\/[^/]+\/plans$/, [{ id: ids.addon, name: 'heroku-postgresql:standard-0', state: 'public', human_name: 'Standard 0' }]],
    ['GET', /^\/client\/v11\/databases\/[^/]+$/, database],
    ['GET', /^\/client\/v11\/databases\/[^/]+(\/upgrade)?\/wait_status$/, waitStatus],
    ['PUT', /^\/client\/v11\/databases\/[^/]+\/unfollow$/, undefined],
    ['POST', /^\/client\/v11\/databases\/[^/]+\/upgrade\/(prepare|run|dry_run|cancel)$/, { message: 'Started the upgrade.' }],
    ['POST', /^\/client\/v11\/databases\/[^/]+\/transfers$/, transfer],
    ['GET', /^\/client\/v11\/apps\/[^/]+\/transfers\/[^/]+$/, transfer],
  ];
  const route = routes.find(([m, pattern]) => m === method && pattern.test(path));
  return route ? { body: route[2] } : { status: 404, body: { id: 'not_found', message: `No route for ${method} ${path}` } };
}
