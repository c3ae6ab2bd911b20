import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { SimulatedHeroku } from '../../../src/sandbox/heroku/index.js';
import { call, simulatedHeroku } from './helpers.js';

/** Platform API responses follow the definitions of Heroku's published hyper-schema. */
describe('simulated Heroku: Platform API shapes', () => {
  let sim: SimulatedHeroku;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // an interagent hyper-schema: drop its draft-04 `id` and meta-schema so Ajv reads it as plain JSON Schema
  const { id: _id, $schema: _meta, ...schema } = JSON.parse(
    readFileSync(resolve(process.cwd(), '../shared/fixtures/heroku-platform-api-schema.json'), 'utf8'),
  ) as Record<string, unknown>;
  ajv.addSchema(schema, 'heroku');

  beforeAll(async () => {
    sim = await simulatedHeroku();
  });
  afterAll(() => sim.close());

  const expectValid = (definition: string, value: unknown) => {
    const validate = ajv.getSchema(`heroku#/definitions/${definition}`);
    if (!validate) throw new Error(`no definition ${definition}`);
    expect(validate(value) ? [] : validate.errors).toEqual([]);
  };

  it.each([
    ['app', '/apps'],
    ['formation', '/apps/acme-prod/formation'],
    ['add-on', '/apps/globex-prod/addons'],
    ['add-on-attachment', '/apps/globex-prod/addon-attachments'],
    ['release', '/apps/acme-prod/releases'],
  ])('%s items from GET %s', async (definition, path) => {
    const { body } = await call(sim, 'GET', path);
    expect(body.length).toBeGreaterThan(0);
    for (const item of body) expectValid(definition, item);
  });

  it('config vars and rate limits', async () => {
    expectValid('config-var/definitions/config_vars', (await call(sim, 'GET', '/apps/acme-prod/config-vars')).body);
    expectValid('rate-limit', (await call(sim, 'GET', '/account/rate-limits')).body);
    expect(ajv.getSchema('heroku#/definitions/rate-limit')?.({ remaining: 'plenty' })).toBe(false);
  });
});
