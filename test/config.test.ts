import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig, runbookPolicyFor } from '../src/config.js';

const examplePolicy = `
apps:
  acme-prod:
    channel: C0123456789
    operators: [U01OPERATOR, "@platform-team"]
    approvers: [U02APPROVER, U03APPROVER, "@dba-leads"]
runbooks:
  default: { approvals: 1, approval_timeout: 4h }
  upgrade: { approvals: 2 }
maintenance:
  channels: [C0999999999]
  regions: [virginia, oregon]
  reminders: [24h, 1h, start, end]
`;

const noPolicy = () => undefined;

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig({ env: {}, readPolicy: noPolicy });
    expect(c.heroku.apiUrl).toBe('https://api.heroku.com');
    expect(c.heroku.dataApiUrl).toBe('https://api.data.heroku.com');
    expect(c.heroku.connectDiscoveryUrl).toBe('https://hc-central.heroku.com');
    expect(c.status).toEqual({
      herokuStatusUrl: 'https://status.heroku.com',
      salesforceTrustUrl: 'https://api.status.salesforce.com/v1',
      cron: '*/5 * * * *',
    });
    expect(c.slack.apiUrl).toBe('https://slack.com/api/');
    expect(c.port).toBe(3000);
    expect(c.store).toEqual({ databaseUrl: undefined, dataDir: './.data' });
    expect(c.policyPath).toBe('./connect-ops.yml');
    expect(c.logLevel).toBe('info');
    expect(c.timeScale).toBe(1);
  });

  it('lists every missing setting at once, with how to fix it', () => {
    let error: unknown;
    try {
      loadConfig({ env: {}, require: ['slack', 'heroku'], readPolicy: noPolicy });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('SLACK_BOT_TOKEN is required');
    expect(message).toContain('SLACK_SIGNING_SECRET is required');
    expect(message).toContain('HEROKU_API_KEY is required: a Heroku API token');
    expect(message).toContain('no policy file at ./connect-ops.yml');
    expect(message).toContain('npm run sandbox');
  });

  it('reports invalid values by name', () => {
    expect(() => loadConfig({ env: { PORT: 'eighty', CONNECT_OPS_TIME_SCALE: '0', HEROKU_API_URL: 'nope' }, readPolicy: noPolicy })).toThrow(
      /PORT[\s\S]*HEROKU_API_URL[\s\S]*CONNECT_OPS_TIME_SCALE|PORT[\s\S]*CONNECT_OPS_TIME_SCALE/,
    );
  });

  it('refuses the embedded store on a Heroku dyno', () => {
    expect(() => loadConfig({ env: { DYNO: 'web.1' }, require: ['durable-store'], readPolicy: noPolicy })).toThrow(
      /DATABASE_URL is required on Heroku[\s\S]*heroku addons:create heroku-postgresql/,
    );
    expect(loadConfig({ env: { DYNO: 'web.1', DATABASE_URL: 'postgres://u:p@h/d' }, require: ['durable-store'], readPolicy: noPolicy }).onHeroku).toBe(true);
  });

  it('reads the policy example as written', () => {
    const c = loadConfig({ env: {}, readPolicy: () => examplePolicy });
    expect(c.policy.apps['acme-prod']).toEqual({
      channel: 'C0123456789',
      operators: ['U01OPERATOR', '@platform-team'],
      approvers: ['U02APPROVER', 'U03APPROVER', '@dba-leads'],
    });
    expect(runbookPolicyFor(c.policy, 'upgrade')).toEqual({ approvals: 2, approvalTimeoutMs: 4 * 3600_000 });
    expect(runbookPolicyFor(c.policy, 'pause')).toEqual({ approvals: 1, approvalTimeoutMs: 4 * 3600_000 });
    expect(c.policy.maintenance).toEqual({ channels: ['C0999999999'], regions: ['virginia', 'oregon'], reminders: ['24h', '1h', 'start', 'end'] });
  });

  it('accepts the example policy shipped in the repository', () => {
    const shipped = readFileSync(new URL('../connect-ops.example.yml', import.meta.url), 'utf8');
    const c = loadConfig({ env: {}, readPolicy: () => shipped });
    expect(Object.keys(c.policy.apps)).toEqual(['acme-prod']);
    expect(runbookPolicyFor(c.policy, 'upgrade').approvals).toBe(2);
  });

  it('points at the line that is wrong in a bad policy file', () => {
    expect(() => loadConfig({ env: {}, readPolicy: () => 'apps:\n  acme-prod:\n    channel: general\n    operators: []\n    approvers: [bob]\n' })).toThrow(
      /apps\.acme-prod\.channel must be a Slack channel ID[\s\S]*apps\.acme-prod\.approvers\.0 must be a Slack user ID/,
    );
    expect(() => loadConfig({ env: {}, readPolicy: () => 'apps: [' })).toThrow(/not valid YAML/);
  });
});
