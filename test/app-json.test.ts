import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { CONFIG_VARS, loadConfig, secretsOf } from '../src/config.js';
import { SUBCOMMANDS } from '../src/cli/subcommands.js';

/**
 * app.json (the Deploy button, `heroku apps:create --manifest`) and the Procfile. The schema is
 * the field list of Dev Center's "app.json Schema" article ("app.json Schema Reference"), each key
 * with the types it documents; unknown keys are refused, as a misspelt key would be ignored.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked by the schema below
const appJson = JSON.parse(readFileSync(new URL('../app.json', import.meta.url), 'utf8')) as Record<string, any>;
const procfile = readFileSync(new URL('../Procfile', import.meta.url), 'utf8');
const processes = Object.fromEntries(procfile.trim().split('\n').map((line) => /^([a-zA-Z0-9_-]+):\s*(.+)$/.exec(line)!.slice(1, 3) as [string, string]));

const CONFIG_VAR_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';
const PROCESS_TYPE = '^[a-zA-Z0-9_-]+$';
const script = { anyOf: [{ type: 'string' }, { type: 'object', properties: { command: { type: 'string' }, size: { type: 'string' } }, required: ['command'], additionalProperties: false }] };
const overridable = {
  env: { $ref: '#/$defs/env' },
  formation: { $ref: '#/$defs/formation' },
  addons: { $ref: '#/$defs/addons' },
  buildpacks: { $ref: '#/$defs/buildpacks' },
};
const APP_JSON_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 30 },
    description: { type: 'string' },
    keywords: { type: 'array', items: { type: 'string' } },
    website: { type: 'string', format: 'uri' },
    repository: { type: 'string', format: 'uri' },
    logo: { type: 'string', format: 'uri' },
    success_url: { type: 'string' },
    scripts: { type: 'object', properties: { postdeploy: script, 'pr-predestroy': script }, additionalProperties: false },
    stack: { type: 'string' },
    image: { type: 'string' },
    environments: {
      type: 'object',
      propertyNames: { enum: ['test', 'review'] },
      additionalProperties: { type: 'object', properties: { ...overridable, scripts: { type: 'object' } }, additionalProperties: false },
    },
    ...overridable,
  },
  $defs: {
    env: {
      type: 'object',
      propertyNames: { pattern: CONFIG_VAR_NAME },
      additionalProperties: {
        anyOf: [
          { type: 'string' },
          {
            type: 'object',
            properties: { description: { type: 'string' }, value: { type: 'string' }, required: { type: 'boolean' }, generator: { enum: ['secret'] } },
            additionalProperties: false,
          },
        ],
      },
    },
    formation: {
      type: 'object',
      propertyNames: { pattern: PROCESS_TYPE },
      additionalProperties: {
        type: 'object',
        properties: {
          quantity: { type: 'integer', minimum: 0 },
          size: { type: 'string', pattern: '^(eco|basic|standard-[12]x|performance-(m|l|l-ram|xl|2xl)|(private|shield)-(s|m|l|l-ram|xl|2xl))$' },
        },
        required: ['quantity'],
        additionalProperties: false,
      },
    },
    addons: {
      type: 'array',
      items: {
        anyOf: [
          { type: 'string' },
          { type: 'object', properties: { plan: { type: 'string' }, as: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' }, options: { type: 'object' } }, required: ['plan'], additionalProperties: false },
        ],
      },
    },
    buildpacks: { type: 'array', items: { type: 'object', properties: { url: { type: 'string' } }, required: ['url'], additionalProperties: false } },
  },
};

const env = appJson.env as Record<string, { description?: string; value?: string; required?: boolean; generator?: string }>;
/** What a person fills in on the Deploy page, and what the add-on and the dyno set. */
const deployed = (): Record<string, string> => {
  const filled: Record<string, string> = {
    SLACK_BOT_TOKEN: 'xoxb-from-the-deploy-page',
    SLACK_SIGNING_SECRET: 'signing-secret-from-the-deploy-page',
    HEROKU_API_KEY: 'heroku-key-from-the-deploy-page',
    CONNECT_OPS_POLICY_YAML: '{apps: {acme-prod: {channel: C0123456789, operators: [U01OPERATOR], approvers: [U02APPROVER]}}}',
  };
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(env)) {
    if (spec.generator === 'secret') values[name] = 'f'.repeat(64);
    else if (spec.value !== undefined) values[name] = spec.value;
    else if (spec.required !== false) values[name] = filled[name] ?? '';
  }
  return { ...values, DATABASE_URL: 'postgres://u:p@ec2-1-2-3-4.compute-1.amazonaws.com:5432/d1', DYNO: 'web.1', PORT: '31337' };
};

describe('app.json', () => {
  it("is valid by the fields of Heroku's app.json schema", () => {
    const ajv = new Ajv({ allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(APP_JSON_SCHEMA);
    expect(validate(appJson) ? [] : validate.errors).toEqual([]);
    // The schema refuses what Heroku would not take or would ignore.
    expect(validate({ ...appJson, formations: appJson.formation })).toBe(false);
    expect(validate({ ...appJson, env: { ...env, METRICS_TOKEN: { generator: 'random' } } })).toBe(false);
    expect(validate({ ...appJson, formation: { web: { quantity: 1, size: 'standard-3x' } } })).toBe(false);
  });

  it('names only config vars src/config.ts reads, each with a description', () => {
    for (const [name, spec] of Object.entries(env)) {
      expect(CONFIG_VARS).toContain(name);
      expect(spec.description?.length).toBeGreaterThan(20);
    }
  });

  it("asks for everything `connect-ops start` needs on a dyno, the add-on giving DATABASE_URL; generated values are secrets the logs never show", () => {
    const config = loadConfig({ env: deployed(), require: ['slack', 'heroku', 'durable-store'], readPolicy: () => undefined });
    expect(config.onHeroku).toBe(true);
    expect(config.policySource).toBe('CONNECT_OPS_POLICY_YAML');
    expect(Object.keys(config.policy.apps)).toEqual(['acme-prod']);
    for (const [name, spec] of Object.entries(env)) if (spec.generator === 'secret') expect(secretsOf(config)).toContain(deployed()[name]);
    // Without any one required var, start refuses and names it.
    for (const [name] of Object.entries(env).filter(([, s]) => s.required !== false && s.value === undefined && !s.generator)) {
      const without = deployed();
      delete without[name];
      expect(() => loadConfig({ env: without, require: ['slack', 'heroku', 'durable-store'], readPolicy: () => undefined })).toThrow(name);
    }
  });

  it('provisions Heroku Postgres as DATABASE_URL and builds with the Node.js buildpack', () => {
    expect(appJson.addons).toContainEqual(expect.objectContaining({ plan: expect.stringMatching(/^heroku-postgresql(:|$)/), as: 'DATABASE' }));
    expect(appJson.buildpacks).toEqual([{ url: 'heroku/nodejs' }]);
  });

  it("scales only the Procfile's process types: web for HTTP, worker (Socket Mode) at zero", () => {
    for (const type of Object.keys(appJson.formation)) expect(Object.keys(processes)).toContain(type);
    expect(appJson.formation.web.quantity).toBe(1);
    expect(appJson.formation.worker.quantity).toBe(0);
  });
});

describe('Procfile', () => {
  it('migrates in the release phase, then runs the bot as web and worker, each a connect-ops subcommand run compiled', () => {
    expect(Object.keys(processes).sort()).toEqual(['release', 'web', 'worker']);
    expect(processes.release).toBe('node bin/connect-ops.js migrate');
    expect(processes.web).toBe('node bin/connect-ops.js start');
    expect(processes.worker).toBe('node bin/connect-ops.js start');
    const names = SUBCOMMANDS.map((s) => s.name);
    for (const command of Object.values(processes)) expect(names).toContain(command.split(' ')[2]);
  });
});

describe('LICENSE', () => {
  it("is the license package.json names", () => {
    const license = readFileSync(new URL('../LICENSE', import.meta.url), 'utf8');
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { license: string };
    expect(pkg.license).toBe('MIT');
    expect(license.split('\n')[0]).toBe('MIT License');
    expect(license).toContain('Permission is hereby granted, free of charge');
  });
});
