import { readFileSync } from 'node:fs';
import ms from 'ms';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * The one typed configuration. Nothing else reads process.env or the policy file: every setting is
 * validated here at start, and all problems are reported together with how to fix each one.
 */

const url = (example: string) =>
  z.url({ error: `must be a URL such as ${example}` }).transform((u) => u.replace(/\/+$/, ''));

const duration = z
  .string()
  .refine((s) => typeof ms(s as ms.StringValue) === 'number', { error: 'must be a duration such as 30m, 4h or 2d' })
  .transform((s) => ms(s as ms.StringValue));

/** A Slack user ID (U…/W…) or a user group handle ("@dba-leads"). */
const principal = z
  .string()
  .regex(/^(?:[UW][A-Z0-9]{2,}|@[a-z0-9][a-z0-9._-]*)$/, { error: 'must be a Slack user ID (U0123ABC) or a user group handle (@team)' });

const runbookPolicy = z.object({
  approvals: z.number().int().min(0).max(10).optional(),
  approval_timeout: duration.optional(),
});

const reminder = z.union([z.enum(['start', 'end']), z.string().regex(/^\d+\s*[mhd]$/, { error: 'must be start, end or a lead time such as 24h' })]);

export const policySchema = z.object({
  apps: z
    .record(
      z.string().regex(/^[a-z][a-z0-9-]{1,29}$/, { error: 'must be a Heroku app name' }),
      z.object({
        channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, { error: 'must be a Slack channel ID such as C0123456789' }),
        operators: z.array(principal).min(1),
        approvers: z.array(principal).min(1),
      }),
    )
    .default({}),
  runbooks: z.record(z.string(), runbookPolicy).default({}),
  maintenance: z
    .object({
      channels: z.array(z.string().regex(/^[CG][A-Z0-9]{2,}$/)).default([]),
      regions: z.array(z.string().min(2)).default([]),
      reminders: z.array(reminder).default(['24h', '1h', 'start', 'end']),
    })
    .default({ channels: [], regions: [], reminders: ['24h', '1h', 'start', 'end'] }),
});

export type Policy = z.infer<typeof policySchema>;
export type AppPolicy = Policy['apps'][string];

const DEFAULT_APPROVALS = 1;
const DEFAULT_APPROVAL_TIMEOUT = ms('4h');

/** How many approvals a runbook's cutover needs and how long a request stays open. */
export function runbookPolicyFor(policy: Policy, runbook: string): { approvals: number; approvalTimeoutMs: number } {
  const base = policy.runbooks.default ?? {};
  const own = policy.runbooks[runbook] ?? {};
  return {
    approvals: own.approvals ?? base.approvals ?? DEFAULT_APPROVALS,
    approvalTimeoutMs: own.approval_timeout ?? base.approval_timeout ?? DEFAULT_APPROVAL_TIMEOUT,
  };
}

const envSchema = z.object({
  SLACK_BOT_TOKEN: z.string().regex(/^xox[bp]-/, { error: 'must be a bot token starting with xoxb-' }).optional(),
  SLACK_SIGNING_SECRET: z.string().min(8).optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, { error: 'must be an app-level token starting with xapp-' }).optional(),
  SLACK_API_URL: z.url().default('https://slack.com/api/').transform((u) => (u.endsWith('/') ? u : `${u}/`)),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HEROKU_API_KEY: z.string().min(8).optional(),
  HEROKU_API_URL: url('https://api.heroku.com').default('https://api.heroku.com'),
  HEROKU_DATA_API_URL: url('https://api.data.heroku.com').default('https://api.data.heroku.com'),
  HEROKU_CONNECT_DISCOVERY_URL: url('https://hc-central.heroku.com').default('https://hc-central.heroku.com'),
  HEROKU_STATUS_URL: url('https://status.heroku.com').default('https://status.heroku.com'),
  SALESFORCE_TRUST_URL: url('https://api.status.salesforce.com/v1').default('https://api.status.salesforce.com/v1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// connection string' })
    .optional(),
  CONNECT_OPS_DATA_DIR: z.string().min(1).default('./.data'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, { error: 'must be a redis:// URL' }).optional(),
  CONNECT_OPS_POLICY: z.string().min(1).default('./connect-ops.yml'),
  MAINTENANCE_CRON: z
    .string()
    .regex(/^(\S+\s+){4,5}\S+$/, { error: 'must be a cron expression such as */5 * * * *' })
    .default('*/5 * * * *'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CONNECT_OPS_TIME_SCALE: z.coerce.number().positive({ error: 'must be a number above 0' }).default(1),
  DYNO: z.string().optional(),
});

export interface Config {
  slack: { botToken?: string; signingSecret?: string; appToken?: string; apiUrl: string };
  port: number;
  heroku: { apiKey?: string; apiUrl: string; dataApiUrl: string; connectDiscoveryUrl: string };
  status: { herokuStatusUrl: string; salesforceTrustUrl: string; cron: string };
  store: { databaseUrl?: string; dataDir: string };
  redisUrl?: string;
  policyPath: string;
  policy: Policy;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  timeScale: number;
  /** Set on a Heroku dyno, whose filesystem is wiped at every restart. */
  onHeroku: boolean;
}

/** What a command needs beyond the defaults; `start` needs everything. */
export type Requirement = 'slack' | 'heroku' | 'durable-store';

const HOW_TO_FIX: Record<string, string> = {
  SLACK_BOT_TOKEN: 'the Bot User OAuth Token from your Slack app\'s "OAuth & Permissions" page',
  SLACK_SIGNING_SECRET: 'the Signing Secret from your Slack app\'s "Basic Information" page',
  HEROKU_API_KEY: 'a Heroku API token: `heroku authorizations:create -d connect-ops`',
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `connect-ops cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'To try connect-ops without Slack or Heroku credentials, run `npm run sandbox`.',
    );
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  require?: Requirement[];
  /** Read the policy file (a missing file is only an error when the bot starts). */
  readPolicy?: (path: string) => string | undefined;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const problems: string[] = [];
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const needs = new Set(options.require ?? []);
  const missing = (name: keyof typeof e) => problems.push(`${name} is required: ${HOW_TO_FIX[name] ?? 'set it'}`);
  if (needs.has('slack')) {
    if (!e.SLACK_BOT_TOKEN) missing('SLACK_BOT_TOKEN');
    if (!e.SLACK_SIGNING_SECRET) missing('SLACK_SIGNING_SECRET');
  }
  if (needs.has('heroku') && !e.HEROKU_API_KEY) missing('HEROKU_API_KEY');
  if (needs.has('durable-store') && e.DYNO && !e.DATABASE_URL) {
    problems.push(
      'DATABASE_URL is required on Heroku: a dyno\'s filesystem is wiped at every restart. ' +
        'Attach Postgres to the bot\'s app: `heroku addons:create heroku-postgresql:essential-0 -a <bot-app>`',
    );
  }

  const policy = loadPolicy(e.CONNECT_OPS_POLICY, options.readPolicy ?? readFileIfPresent, needs.has('slack'), problems);
  if (problems.length > 0) throw new ConfigError(problems);

  return {
    slack: { botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET, appToken: e.SLACK_APP_TOKEN, apiUrl: e.SLACK_API_URL },
    port: e.PORT,
    heroku: {
      apiKey: e.HEROKU_API_KEY,
      apiUrl: e.HEROKU_API_URL,
      dataApiUrl: e.HEROKU_DATA_API_URL,
      connectDiscoveryUrl: e.HEROKU_CONNECT_DISCOVERY_URL,
    },
    status: { herokuStatusUrl: e.HEROKU_STATUS_URL, salesforceTrustUrl: e.SALESFORCE_TRUST_URL, cron: e.MAINTENANCE_CRON },
    store: { databaseUrl: e.DATABASE_URL, dataDir: e.CONNECT_OPS_DATA_DIR },
    redisUrl: e.REDIS_URL,
    policyPath: e.CONNECT_OPS_POLICY,
    policy,
    logLevel: e.LOG_LEVEL,
    timeScale: e.CONNECT_OPS_TIME_SCALE,
    onHeroku: Boolean(e.DYNO),
  };
}

function loadPolicy(path: string, read: (p: string) => string | undefined, required: boolean, problems: string[]): Policy {
  const text = read(path);
  if (text === undefined) {
    if (required) problems.push(`CONNECT_OPS_POLICY: no policy file at ${path}; copy connect-ops.example.yml there and name your apps`);
    return policySchema.parse({});
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    problems.push(`${path}: not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    return policySchema.parse({});
  }
  const result = policySchema.safeParse(raw ?? {});
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${path}: ${issue.path.join('.') || '(top)'} ${issue.message}`);
    return policySchema.parse({});
  }
  return result.data;
}

function readFileIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
