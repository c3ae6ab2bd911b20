import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { createHttp } from '../../../src/ops/heroku/http.js';
import { PlatformClient } from '../../../src/ops/heroku/platform.js';
import { createLimits, type Limits } from '../../../src/ops/limits.js';
import { cannedHeroku, ids } from './fixtures.js';
import { capturedLogger, startLoopback, type Loopback, type Received } from './loopback.js';

/**
 * Every Platform API request a PlatformClient method sends must match a link of Heroku's published
 * hyper-schema (method and href) and, where it has a body, validate against that link's schema.
 */

interface Link {
  method: string;
  href: string;
  title: string;
  schema?: unknown;
}

interface Route {
  method: string;
  pattern: RegExp;
  title: string;
  /** Undefined when the link takes no body. */
  validate?: ValidateFunction;
}

const schemaUrl = new URL('../../../../shared/fixtures/heroku-platform-api-schema.json', import.meta.url);
const addFormats = addFormatsPlugin as unknown as (ajv: Ajv) => Ajv;

/** The schema's links, each compiled against the whole document so `#/definitions/...` refs resolve. */
function loadRoutes(): Route[] {
  const { $schema: _meta, id: _id, ...document } = JSON.parse(readFileSync(schemaUrl, 'utf8')) as { $schema: string; id: string; definitions: Record<string, { links?: Link[] }> };
  // Heroku's patterns are written for non-unicode regular expressions (`\:`).
  const ajv = addFormats(new Ajv({ strict: false, allErrors: true, unicodeRegExp: false }));
  ajv.addSchema({ ...document, $id: 'heroku' });
  return Object.entries(document.definitions).flatMap(([name, definition]) =>
    (definition.links ?? []).map((link, index) => ({
      method: link.method,
      title: `${name} ${link.title}`,
      // `{(%23%2Fdefinitions%2Fapp%2Fdefinitions%2Fidentity)}` placeholders are one path segment each.
      pattern: new RegExp(`^${link.href.split(/\{\([^)]*\)\}/).map(escapeRegExp).join('[^/]+')}$`),
      validate: link.schema ? ajv.compile({ $ref: `heroku#/definitions/${name}/links/${index}/schema` }) : undefined,
    })),
  );
}

/** Problems with one request: no matching link, or a body no matching link accepts. */
function check(routes: Route[], request: Received): string | undefined {
  const candidates = routes.filter((r) => r.method === request.method && r.pattern.test(request.path));
  if (candidates.length === 0) return `${request.method} ${request.path} matches no link of the schema`;
  const errors: string[] = [];
  for (const route of candidates) {
    if (!route.validate) {
      if (request.body === undefined) return undefined;
      errors.push(`${route.title} takes no body`);
    } else if (route.validate(request.body)) {
      return undefined;
    } else {
      errors.push(`${route.title}: ${route.validate.errors?.map((e) => `${e.instancePath || 'body'} ${e.message}`).join(', ')}`);
    }
  }
  return `${request.method} ${request.path} ${JSON.stringify(request.body)} is rejected: ${errors.join('; ')}`;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type PlatformMethod = { [K in keyof PlatformClient]: PlatformClient[K] extends (...args: never[]) => unknown ? K : never }[keyof PlatformClient];

/** One or more calls per method, with every optional input the runbooks use. The type makes the list exhaustive. */
const calls: { [K in PlatformMethod]: (p: PlatformClient) => Array<Promise<unknown>> } = {
  app: (p) => [p.app('acme-prod'), p.app(ids.app)],
  setMaintenance: (p) => [p.setMaintenance('acme-prod', true), p.setMaintenance('acme-prod', false)],
  formation: (p) => [p.formation('acme-prod')],
  updateFormation: (p) => [p.updateFormation('acme-prod', [{ type: 'worker', quantity: 0 }, { type: 'web', quantity: 2, dyno_size: { name: 'Standard-2X' } }])],
  configVars: (p) => [p.configVars('acme-prod')],
  updateConfigVars: (p) => [p.updateConfigVars('acme-prod', { FOLLOWER_URL: 'postgres://x', OLD_URL: null })],
  createAddOn: (p) => [
    p.createAddOn('acme-prod', { plan: 'heroku-postgresql:standard-0' }),
    p.createAddOn('acme-prod', { plan: 'heroku-postgresql:standard-0', attachmentName: 'DATABASE_FOLLOWER', name: 'acme-follower', config: { follow: 'DATABASE_URL', version: '16' }, confirm: 'acme-prod' }),
  ],
  addOn: (p) => [p.addOn('acme-prod', 'postgresql-curved-12345'), p.addOn('acme-prod', ids.addon)],
  addOns: (p) => [p.addOns('acme-prod')],
  changeAddOnPlan: (p) => [p.changeAddOnPlan('acme-prod', 'postgresql-curved-12345', 'heroku-postgresql:standard-2')],
  destroyAddOn: (p) => [p.destroyAddOn('acme-prod', 'postgresql-curved-12345')],
  createAttachment: (p) => [
    p.createAttachment({ addon: 'postgresql-curved-12345', app: 'acme-prod' }),
    p.createAttachment({ addon: ids.addon, app: 'acme-prod', name: 'DATABASE', namespace: null, confirm: 'acme-prod' }),
    p.createAttachment({ addon: 'postgresql-curved-12345', app: 'acme-prod', namespace: 'connection-pooling:default', name: 'DATABASE_CONNECTION_POOL', confirm: 'acme-prod' }),
  ],
  attachments: (p) => [p.attachments('acme-prod')],
  addOnAttachments: (p) => [p.addOnAttachments('postgresql-curved-12345'), p.addOnAttachments(ids.addon)],
  dynos: (p) => [p.dynos('acme-prod')],
  stopDyno: (p) => [p.stopDyno('acme-prod', 'run.1042'), p.stopDyno('acme-prod', ids.addon)],
  resolveAttachment: (p) => [p.resolveAttachment('acme-prod', 'DATABASE_URL'), p.resolveAttachment('acme-prod', 'DATABASE', { addonService: 'heroku-postgresql' })],
  deleteAttachment: (p) => [p.deleteAttachment(ids.attachment)],
  releases: (p) => [p.releases('acme-prod'), p.releases('acme-prod', { newest: 5 })],
  release: (p) => [p.release('acme-prod', 42), p.release('acme-prod', ids.release)],
  addOnServicePlans: (p) => [p.addOnServicePlans('heroku-postgresql')],
  rateLimits: (p) => [p.rateLimits()],
};

describe('Platform API requests against the published schema', () => {
  let routes: Route[];
  let server: Loopback;
  let limits: Limits;
  let platform: PlatformClient;

  beforeAll(async () => {
    routes = loadRoutes();
    server = await startLoopback(cannedHeroku);
    limits = createLimits();
    const http = createHttp({ api: 'platform', token: 'HRKU-test-token-123456', limiter: limits.heroku, logger: capturedLogger().logger, headers: {} });
    platform = new PlatformClient(http, server.url);
  });

  afterAll(async () => {
    await server.close();
    await limits.disconnect();
  });

  it('the list of calls covers every PlatformClient method', () => {
    const methods = Object.getOwnPropertyNames(PlatformClient.prototype).filter((name) => name !== 'constructor' && name !== 'req');
    expect(Object.keys(calls).sort()).toEqual(methods.sort());
  });

  it('every request matches a link and validates against its schema', async () => {
    for (const [method, call] of Object.entries(calls)) {
      const before = server.received.length;
      await Promise.all(call(platform));
      const sent = server.received.slice(before);
      expect({ method, sent: sent.length > 0 }).toEqual({ method, sent: true });
      expect({ method, problems: sent.map((r) => check(routes, r)).filter(Boolean) }).toEqual({ method, problems: [] });
    }
  });

  it('catches a request outside the schema and a body the schema rejects', () => {
    const request = (method: string, path: string, body?: unknown): Received => ({ method, path, body, headers: {}, query: new URLSearchParams() });
    expect(check(routes, request('POST', '/apps/acme-prod/addons', { plan: 'heroku-postgresql:standard-0' }))).toBeUndefined();
    // The CLI's object form is not what the schema publishes.
    expect(check(routes, request('POST', '/apps/acme-prod/addons', { plan: { name: 'heroku-postgresql:standard-0' } }))).toMatch(/is rejected/);
    expect(check(routes, request('POST', '/apps/acme-prod/addons', { plan: 'x', config: { fork: true } }))).toMatch(/is rejected/);
    expect(check(routes, request('DELETE', '/apps/acme-prod/addons/x', { force: true }))).toMatch(/takes no body/);
    expect(check(routes, request('POST', '/apps/acme-prod/actions/pause'))).toMatch(/matches no link/);
  });
});
