import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig, POLICY_RUNBOOKS, runbookPolicyFor, secretsOf, validatePolicy } from '../src/config.js';
import { RUNBOOK_COMMANDS } from '../src/bot/commands/grammar.js';
import { runbooks } from '../src/ops/runbooks/index.js';

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

  it('reads METRICS_TOKEN, refuses a short one with how to make one, and redacts it as a secret', () => {
    expect(() => loadConfig({ env: { METRICS_TOKEN: 'short' }, readPolicy: noPolicy })).toThrow(/METRICS_TOKEN: must be at least 16 characters[\s\S]*openssl rand -hex 32/);
    expect(loadConfig({ env: {}, readPolicy: noPolicy }).metricsToken).toBeUndefined();
    const token = '0123456789abcdef0123';
    const c = loadConfig({ env: { METRICS_TOKEN: token }, readPolicy: noPolicy });
    expect(c.metricsToken).toBe(token);
    expect(secretsOf(c)).toContain(token);
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
      readers: [],
      read_channels: [],
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
    // The example spells out the health defaults.
    expect(c.policy.health).toEqual(loadConfig({ env: {}, readPolicy: () => 'apps: {}' }).policy.health);
  });

  it('reads the health section: thresholds as durations, muted kinds and a digest time, quiet by default', () => {
    const quiet = loadConfig({ env: {}, readPolicy: () => 'apps: {}' }).policy.health;
    expect(quiet).toMatchObject({ enabled: true, mute: [], digest: null, notifications: true, thresholds: { connection_state: 600_000, polling_db_changes: 3_600_000, write_errors: 1 } });
    expect(quiet.versions).toEqual({ enabled: true, lead_times: ['90d', '30d', '7d', '1d'], every: 6 * 3_600_000 });
    const set = loadConfig({ env: {}, readPolicy: () => 'health: {thresholds: {paused: 30m}, mute: [write_errors], digest: "08:30"}' }).policy.health;
    expect(set).toMatchObject({ thresholds: { paused: 1_800_000, connection_state: 600_000 }, mute: ['write_errors'], digest: '08:30' });
    expect(() => loadConfig({ env: {}, readPolicy: () => 'health: {mute: [everything], digest: "9am", versions: {lead_times: [soon]}}' })).toThrow(
      /health\.mute\.0[\s\S]*health\.digest must be a UTC time such as 09:00[\s\S]*health\.versions\.lead_times\.0 must be a lead time such as 30d/,
    );
  });

  it('points at the line that is wrong in a bad policy file', () => {
    expect(() => loadConfig({ env: {}, readPolicy: () => 'apps:\n  acme-prod:\n    channel: general\n    operators: []\n    approvers: [bob]\n' })).toThrow(
      /apps\.acme-prod\.channel must be a Slack channel ID[\s\S]*apps\.acme-prod\.approvers\.0 must be a Slack user ID/,
    );
    expect(() => loadConfig({ env: {}, readPolicy: () => 'apps: [' })).toThrow(/not valid YAML/);
  });
});

/** The problems loadConfig reports for a policy text, one per line. */
function problemsOf(text: string, require: Array<'slack'> = []): string[] {
  try {
    loadConfig({ env: {}, require, readPolicy: () => text });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const ONE_APP = 'apps:\n  acme-prod:\n    channel: C0123456789\n    operators: [U01OPERATOR]\n    approvers: [U02APPROVER, U03APPROVER]\n';

describe('the strict policy (issue 14, failure 4)', () => {
  it('refuses a misspelt key, naming the key it resembles, instead of silently using the default', () => {
    expect(problemsOf(`${ONE_APP}runbooks: { upgrade: { aproval: 2 } }`)).toEqual([
      './connect-ops.yml: runbooks.upgrade.aproval is not a setting; did you mean approvals?',
    ]);
    expect(problemsOf(`${ONE_APP}maintenence: { channels: [C0999999999] }`)).toEqual(['./connect-ops.yml: maintenence is not a setting; did you mean maintenance?']);
    expect(problemsOf(ONE_APP.replace('operators', 'operator'))).toEqual([
      './connect-ops.yml: apps.acme-prod.operators is missing',
      './connect-ops.yml: apps.acme-prod.operator is not a setting; did you mean operators?',
    ]);
    expect(problemsOf(`${ONE_APP}runbooks: { upgarde: { approvals: 2 } }`)).toEqual([
      expect.stringMatching(/^\.\/connect-ops\.yml: runbooks\.upgarde is not a runbook; did you mean upgrade\?/),
    ]);
  });

  it('refuses approvals below 1 and timeouts that are not longer than zero, listing every problem at once', () => {
    const problems = problemsOf(`${ONE_APP}runbooks: { default: { approvals: 0, approval_timeout: 0s }, upgrade: { approval_timeout: -4h }, upgarde: {} }`);
    expect(problems).toEqual([
      expect.stringContaining('runbooks.upgarde is not a runbook; did you mean upgrade?'),
      './connect-ops.yml: runbooks.default.approvals must be at least 1: a cutover without an approval is not a connect-ops run',
      './connect-ops.yml: runbooks.default.approval_timeout must be longer than zero, such as 30m, 4h or 2d',
      './connect-ops.yml: runbooks.upgrade.approval_timeout must be longer than zero, such as 30m, 4h or 2d',
    ]);
  });

  it('refuses approvers who cannot supply the approvals a runbook needs without the operator who starts it', () => {
    // U02 is an operator and an approver: when U02 starts an upgrade, only U03 is left to approve it.
    const selfApproving = 'apps:\n  acme-prod:\n    channel: C0123456789\n    operators: [U01OPERATOR, U02APPROVER]\n    approvers: [U02APPROVER, U03APPROVER]\n';
    expect(problemsOf(`${selfApproving}runbooks: { upgrade: { approvals: 2 } }`)).toEqual([
      './connect-ops.yml: apps.acme-prod: upgrade needs 2 approvals, but when U02APPROVER starts a run only 1 other approver can give them; add approvers to the app or lower the approvals',
    ]);
    expect(problemsOf(`${ONE_APP}runbooks: { default: { approvals: 3 } }`)[0]).toMatch(/upgrade, upgrade-via-follower, .* need 3 approvals, but when U01OPERATOR starts a run only 2 other approvers/);
    // A group counts as one more person; two listed approvers and a group supply two for any operator.
    expect(problemsOf(`${selfApproving.replace('[U02APPROVER, U03APPROVER]', '[U02APPROVER, U03APPROVER, "@dba-leads"]')}runbooks: { upgrade: { approvals: 2 } }`)).toEqual([]);
    expect(problemsOf(`${ONE_APP}runbooks: { upgrade: { approvals: 2 } }`)).toEqual([]);
  });

  it('says an empty policy, a policy without apps, a directory and an unreadable file are problems, with the fix', () => {
    expect(problemsOf('', ['slack'])).toContain('./connect-ops.yml: is empty; name your apps under `apps:` (connect-ops.example.yml is a start)');
    expect(problemsOf('# nothing yet\n', ['slack'])).toContain('./connect-ops.yml: holds no settings; name your apps under `apps:` (connect-ops.example.yml is a start)');
    expect(problemsOf('apps: {}\n', ['slack'])).toContain(
      './connect-ops.yml: names no apps; add each Heroku app under `apps:` with its channel, operators and approvers',
    );
    const dir = mkdtempSync(join(tmpdir(), 'connect-ops-policy-'));
    try {
      const directory = (() => {
        try {
          loadConfig({ env: { CONNECT_OPS_POLICY: dir }, require: ['slack'] });
        } catch (error) {
          return (error as ConfigError).problems;
        }
        return [];
      })();
      expect(directory).toEqual(expect.arrayContaining([`CONNECT_OPS_POLICY: ${dir} is a directory; point CONNECT_OPS_POLICY at the policy file (YAML) itself`]));
      expect(directory.some((p) => p.startsWith('SLACK_BOT_TOKEN is required'))).toBe(true);
      const file = join(dir, 'connect-ops.yml');
      writeFileSync(file, ONE_APP);
      chmodSync(file, 0o000);
      // root reads any file: the permission check only means something for other users.
      if (process.getuid?.() !== 0) {
        expect(() => loadConfig({ env: { CONNECT_OPS_POLICY: file } })).toThrow(/cannot be read \(permission denied\)/);
      }
      expect(() => loadConfig({ env: {}, readPolicy: () => { throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }); } })).toThrow(
        "CONNECT_OPS_POLICY: ./connect-ops.yml cannot be read (permission denied); let the bot's user read it",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('validates a policy from any source through one function, naming the source', () => {
    expect(validatePolicy('apps: { acme-prod: { chanel: C1 } }', 'CONNECT_OPS_POLICY_YAML')).toEqual({
      ok: false,
      problems: [
        'CONNECT_OPS_POLICY_YAML: apps.acme-prod.channel is missing',
        'CONNECT_OPS_POLICY_YAML: apps.acme-prod.operators is missing',
        'CONNECT_OPS_POLICY_YAML: apps.acme-prod.approvers is missing',
        'CONNECT_OPS_POLICY_YAML: apps.acme-prod.chanel is not a setting; did you mean channel?',
      ],
    });
    expect(validatePolicy(ONE_APP, 'x').ok).toBe(true);
  });

  it('knows every runbook name the bot and the engine use', () => {
    for (const name of [...RUNBOOK_COMMANDS, ...runbooks.keys()]) expect(POLICY_RUNBOOKS).toContain(name);
  });
});

describe('the policy from CONNECT_OPS_POLICY_YAML, for a deploy without the file (issue 15)', () => {
  /** The problems for a policy given as the file, or as the config var with no file. */
  const problems = (text: string, from: 'file' | 'env'): string[] => {
    try {
      loadConfig({ env: from === 'env' ? { CONNECT_OPS_POLICY_YAML: text } : {}, require: ['slack'], readPolicy: from === 'file' ? () => text : noPolicy });
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.filter((p) => !p.startsWith('SLACK_'));
      throw error;
    }
    return [];
  };

  it('is read when there is no policy file, and says so', () => {
    const c = loadConfig({ env: { CONNECT_OPS_POLICY_YAML: examplePolicy }, readPolicy: noPolicy });
    expect(c.policySource).toBe('CONNECT_OPS_POLICY_YAML');
    expect(c.policy).toEqual(loadConfig({ env: {}, readPolicy: () => examplePolicy }).policy);
    expect(loadConfig({ env: {}, readPolicy: () => examplePolicy }).policySource).toBe('./connect-ops.yml');
    expect(loadConfig({ env: {}, readPolicy: noPolicy }).policySource).toBeNull();
  });

  it('is validated exactly like the file, each problem naming the config var', () => {
    const bad = [
      `${ONE_APP}runbooks: { upgrade: { aproval: 2 } }`,
      `${ONE_APP}runbooks: { upgarde: { approvals: 0 } }`,
      'apps:\n  acme-prod:\n    channel: general\n    operators: []\n    approvers: [bob]\n',
      'apps: [',
      'apps: {}',
      '# only a comment',
      ONE_APP.replace('approvers: [U02APPROVER, U03APPROVER]', 'approvers: [U01OPERATOR]'),
    ];
    for (const text of bad) {
      const fromFile = problems(text, 'file');
      expect(fromFile.length).toBeGreaterThan(0);
      expect(problems(text, 'env')).toEqual(fromFile.map((p) => p.replace(/^\.\/connect-ops\.yml:/, 'CONNECT_OPS_POLICY_YAML:')));
    }
    expect(problems(`${ONE_APP}runbooks: { upgrade: { aproval: 2 } }`, 'env')).toEqual([
      'CONNECT_OPS_POLICY_YAML: runbooks.upgrade.aproval is not a setting; did you mean approvals?',
    ]);
  });

  it('is refused beside a policy file, rather than one of them silently ignored', () => {
    expect(() => loadConfig({ env: { CONNECT_OPS_POLICY_YAML: examplePolicy }, readPolicy: () => examplePolicy })).toThrow(
      'CONNECT_OPS_POLICY_YAML is set and there is a policy file at ./connect-ops.yml: keep one',
    );
  });

  it('is named, with the heroku config:set that sets it, when the bot has no policy at all', () => {
    expect(problems('', 'env')).toEqual([
      'CONNECT_OPS_POLICY: no policy file at ./connect-ops.yml; copy connect-ops.example.yml there and name your apps, ' +
        'or set CONNECT_OPS_POLICY_YAML to the policy itself (on Heroku: heroku config:set CONNECT_OPS_POLICY_YAML="$(cat connect-ops.yml)")',
    ]);
  });
});
