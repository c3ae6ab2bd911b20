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
  .transform((s) => ms(s as ms.StringValue))
  .refine((n) => n > 0, { error: 'must be longer than zero, such as 30m, 4h or 2d' });

/** A Slack user ID (U…/W…) or a user group handle ("@dba-leads"). */
const principal = z
  .string()
  .regex(/^(?:[UW][A-Z0-9]{2,}|@[a-z0-9][a-z0-9._-]*)$/, { error: 'must be a Slack user ID (U0123ABC) or a user group handle (@team)' });

const channelId = z.string().regex(/^[CG][A-Z0-9]{2,}$/, { error: 'must be a Slack channel ID such as C0123456789' });

// Every object is strict: a misspelt key (`aproval: 2`) is an error naming the key it resembles,
// never a setting silently left at its default. New keys are added to these shapes.
const runbookPolicy = z.strictObject({
  approvals: z
    .number()
    .int()
    .min(1, { error: 'must be at least 1: a cutover without an approval is not a connect-ops run' })
    .max(10)
    .optional(),
  approval_timeout: duration.optional(),
});

const reminder = z.union([z.enum(['start', 'end']), z.string().regex(/^\d+\s*[mhd]$/, { error: 'must be start, end or a lead time such as 24h' })]);

// ---------------------------------------------------------------------------------------------
// `health:`: the Connect health watcher and the Postgres version radar. Quiet by default: a
// condition becomes an incident only after its threshold, is told once and edited as it changes.

/** What the health watcher notices; `mute` names them. */
export const HEALTH_KINDS = [
  'connection_state',
  'connection_polling',
  'connection_paused',
  'mapping_schema_changed',
  'mapping_error',
  'mapping_stalled',
  'write_errors',
  'notification',
] as const;

const leadTime = z.string().regex(/^\d+\s*[mhd]$/, { error: 'must be a lead time such as 30d or 12h' });

const healthPolicy = z.strictObject({
  enabled: z.boolean().default(true),
  /** How long a condition lasts before it is an incident. */
  thresholds: z
    .strictObject({
      /** NEED_AUTHENTICATION, SYSTEM_ERROR, DB_UNAVAILABLE, UNAUTHORIZED... */
      connection_state: duration.prefault('10m'),
      /** "If your connection remains in the POLLING_DB_CHANGES status for an extended time, check your logs." */
      polling_db_changes: duration.prefault('1h'),
      /** PAUSED while no run of connect-ops holds the app. */
      paused: duration.prefault('4h'),
      schema_changed: duration.prefault('30m'),
      mapping_error: duration.prefault('10m'),
      /** No Salesforce poll for this long beyond the mapping's own polling interval. */
      sync_stalled: duration.prefault('2h'),
      /** New write errors (since the last quiet period) before they are an incident. */
      write_errors: z.number().int().min(1).default(1),
    })
    .prefault({}),
  /** Heroku Connect's own notifications (mapping errors, lost database connections). */
  notifications: z.boolean().default(true),
  /** Write errors and notifications: an incident resolves after this long without a new one. */
  quiet_period: duration.prefault('24h'),
  /** Kinds never told; `postgres_version` quiets the version radar. */
  mute: z.array(z.enum([...HEALTH_KINDS, 'postgres_version'])).default([]),
  /** `HH:MM` UTC: one digest a day per channel instead of a message per incident. */
  digest: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a UTC time such as 09:00' }).nullable().default(null),
  /** Heroku and Heroku Connect requests per hour the watchers may spend, after runs. */
  requests_per_hour: z.number().int().min(10).max(4500).default(600),
  versions: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** Warnings before the date Heroku upgrades a deprecated version by force, each once. */
      lead_times: z.array(leadTime).min(1).default(['90d', '30d', '7d', '1d']),
      /** How often each app's databases are read. */
      every: duration.prefault('6h'),
    })
    .prefault({}),
});

export type HealthPolicy = z.infer<typeof healthPolicy>;

// ---------------------------------------------------------------------------------------------

export const policySchema = z.strictObject({
  apps: z
    .record(
      z.string().regex(/^[a-z][a-z0-9-]{1,29}$/, { error: 'must be a Heroku app name' }),
      z.strictObject({
        channel: channelId,
        operators: z.array(principal).min(1),
        approvers: z.array(principal).min(1),
        /** Who may read the app (status, plan, runs) besides its operators and approvers. */
        readers: z.array(principal).default([]),
        /** Where reads are answered besides the app's channel. */
        read_channels: z.array(channelId).default([]),
      }),
    )
    .default({}),
  runbooks: z.record(z.string(), runbookPolicy).default({}),
  maintenance: z
    .strictObject({
      channels: z.array(channelId).default([]),
      regions: z.array(z.string().min(2)).default([]),
      reminders: z.array(reminder).default(['24h', '1h', 'start', 'end']),
    })
    .default({ channels: [], regions: [], reminders: ['24h', '1h', 'start', 'end'] }),
  health: healthPolicy.prefault({}),
});

export type Policy = z.infer<typeof policySchema>;
export type AppPolicy = Policy['apps'][string];

/**
 * The names `runbooks:` may configure: the `/connect` commands and the runbooks they run
 * (`upgrade --via follower` runs `upgrade-via-follower`), and `default`. Kept here because the
 * configuration loads before any runbook; test/config.test.ts checks it against both registries.
 */
export const POLICY_RUNBOOKS = [
  'default',
  'upgrade',
  'upgrade-via-follower',
  'plan-change',
  'plan-change-via-follower',
  'copy',
  'pause',
  'resume',
  'restart',
  'reload',
  'recreate',
  'field-change',
  'add-column',
] as const;

const DEFAULT_APPROVALS = 1;
const DEFAULT_APPROVAL_TIMEOUT = ms('4h');

/**
 * How many approvals a runbook's cutover needs and how long a request stays open: the runbook's own
 * entry, else its command's (`upgrade` also covers `upgrade --via follower`), else `default`.
 */
export function runbookPolicyFor(policy: Policy, runbook: string, command?: string): { approvals: number; approvalTimeoutMs: number } {
  const base = policy.runbooks.default ?? {};
  const own = policy.runbooks[runbook] ?? (command !== undefined ? policy.runbooks[command] : undefined) ?? {};
  return {
    approvals: own.approvals ?? base.approvals ?? DEFAULT_APPROVALS,
    approvalTimeoutMs: own.approval_timeout ?? base.approval_timeout ?? DEFAULT_APPROVAL_TIMEOUT,
  };
}

export type PolicyResult = { ok: true; policy: Policy } | { ok: false; problems: string[] };

/**
 * The policy from its YAML text, validated strictly; `source` names where the text came from (the
 * file's path, or a config var) in every problem. Every problem is listed, each with its fix.
 */
export function validatePolicy(text: string, source: string, options: { requireApps?: boolean } = {}): PolicyResult {
  if (text.trim() === '') return { ok: false, problems: [`${source}: is empty; name your apps under \`apps:\` (connect-ops.example.yml is a start)`] };
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    return { ok: false, problems: [`${source}: not valid YAML (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`] };
  }
  if (raw === null || raw === undefined) {
    return { ok: false, problems: [`${source}: holds no settings; name your apps under \`apps:\` (connect-ops.example.yml is a start)`] };
  }
  const result = policySchema.safeParse(raw);
  const problems: string[] = unknownRunbooks(raw, source);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const where = issue.path.map(String);
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const suggestion = closestKey(key, knownKeysAt(policySchema, where));
          problems.push(`${source}: ${[...where, key].join('.')} is not a setting${suggestion ? `; did you mean ${suggestion}?` : ''}`);
        }
      } else if (issue.code === 'invalid_type' && issue.input === undefined) {
        problems.push(`${source}: ${where.join('.')} is missing`);
      } else {
        problems.push(`${source}: ${where.join('.') || '(top)'} ${issue.message}`);
      }
    }
    return { ok: false, problems };
  }
  const policy = result.data;
  if (options.requireApps && Object.keys(policy.apps).length === 0) {
    problems.push(`${source}: names no apps; add each Heroku app under \`apps:\` with its channel, operators and approvers`);
  }
  for (const [app, own] of Object.entries(policy.apps)) {
    const short = approverShortfall(policy, own);
    if (short) {
      problems.push(
        `${source}: apps.${app}: ${short.runbooks.join(', ')} need${short.runbooks.length === 1 ? 's' : ''} ${short.approvals} approvals, ` +
          `but when ${short.requester} starts a run only ${short.available} other approver${short.available === 1 ? '' : 's'} can give them; ` +
          'add approvers to the app or lower the approvals',
      );
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, policy };
}

/** `runbooks:` keys that name no runbook (`upgarde`), read from the raw YAML so they are listed with every other problem. */
function unknownRunbooks(raw: unknown, source: string): string[] {
  const runbooks = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).runbooks : undefined;
  if (typeof runbooks !== 'object' || runbooks === null || Array.isArray(runbooks)) return [];
  return Object.keys(runbooks)
    .filter((name) => !(POLICY_RUNBOOKS as readonly string[]).includes(name))
    .map((name) => {
      const suggestion = closestKey(name, POLICY_RUNBOOKS);
      return `${source}: runbooks.${name} is not a runbook${suggestion ? `; did you mean ${suggestion}?` : ''} (runbooks: ${POLICY_RUNBOOKS.join(', ')})`;
    });
}

/**
 * Whether the approvers of an app who are not the operator starting a run can supply the approvals
 * each runbook needs. A user group counts as one person: its members are only known at run time.
 * An operator group may hold any listed approver, so it is taken to hold one.
 */
function approverShortfall(policy: Policy, own: AppPolicy): { runbooks: string[]; approvals: number; requester: string; available: number } | undefined {
  const users = new Set(own.approvers.filter((p) => !p.startsWith('@')));
  const groups = own.approvers.filter((p) => p.startsWith('@')).length;
  let requester = '';
  let available = Infinity;
  for (const operator of own.operators) {
    const others = operator.startsWith('@') ? Math.max(0, users.size - 1) + groups : users.size - (users.has(operator) ? 1 : 0) + groups;
    if (others < available) {
      available = others;
      requester = operator.startsWith('@') ? `a member of ${operator} who is also an approver` : operator;
    }
  }
  const short = POLICY_RUNBOOKS.filter((r) => r !== 'default' && runbookPolicyFor(policy, r).approvals > available);
  if (short.length === 0) return undefined;
  const approvals = Math.max(...short.map((r) => runbookPolicyFor(policy, r).approvals));
  return { runbooks: short, approvals, requester, available };
}

/** The keys an object of the schema accepts at `path` (record keys and array indexes are skipped through). */
function knownKeysAt(schema: z.ZodType, path: readonly string[]): string[] {
  let current: z.ZodType | undefined = schema;
  const unwrap = (s: z.ZodType): z.ZodType => {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodNullable) return unwrap(s.unwrap() as z.ZodType);
    if (s instanceof z.ZodPipe) return unwrap(s.in as z.ZodType);
    return s;
  };
  for (const key of path) {
    if (!current) return [];
    const s = unwrap(current);
    if (s instanceof z.ZodObject) current = (s.shape as Record<string, z.ZodType>)[key];
    else if (s instanceof z.ZodRecord) current = s.valueType as z.ZodType;
    else if (s instanceof z.ZodArray) current = s.element as z.ZodType;
    else return [];
  }
  const last = current && unwrap(current);
  return last instanceof z.ZodObject ? Object.keys(last.shape) : [];
}

/** The known key a misspelt one most resembles: `aproval` -> `approvals`. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  const needle = key.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of known) {
    const score = candidate.startsWith(needle) || needle.startsWith(candidate) ? 1 : editDistance(needle, candidate);
    if (score < bestScore) [best, bestScore] = [candidate, score];
  }
  return best !== undefined && bestScore <= Math.max(2, Math.floor(needle.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length] ?? Infinity;
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
  /** TLS to DATABASE_URL's Postgres (src/store/tls.ts); unset: TLS without verification for a remote host, as Heroku Postgres needs. */
  PGSSLMODE: z
    .enum(['disable', 'allow', 'prefer', 'require', 'no-verify', 'verify-ca', 'verify-full'], {
      error: 'must be disable, no-verify, require or verify-full (also allow, prefer, verify-ca)',
    })
    .optional(),
  /** The CA to trust for DATABASE_URL's certificate (libpq's PGSSLROOTCERT), with PGSSLMODE=verify-full. */
  PGSSLROOTCERT: z.string().min(1).optional(),
  CONNECT_OPS_DATA_DIR: z.string().min(1).default('./.data'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, { error: 'must be a redis:// URL' }).optional(),
  CONNECT_OPS_POLICY: z.string().min(1).default('./connect-ops.yml'),
  /** The policy itself, for a deploy without the (git-ignored) file: a Heroku config var. */
  CONNECT_OPS_POLICY_YAML: z.string().optional(),
  MAINTENANCE_CRON: z
    .string()
    .regex(/^(\S+\s+){4,5}\S+$/, { error: 'must be a cron expression such as */5 * * * *' })
    .default('*/5 * * * *'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CONNECT_OPS_TIME_SCALE: z.coerce.number().positive({ error: 'must be a number above 0' }).default(1),
  METRICS_TOKEN: z
    .string()
    .regex(/^\S{16,}$/, { error: 'must be at least 16 characters without spaces, such as the output of `openssl rand -hex 32`' })
    .optional(),
  DYNO: z.string().optional(),
});

/** Every environment variable the configuration reads (test/app-json.test.ts holds app.json to them). */
export const CONFIG_VARS = Object.keys(envSchema.shape) as ReadonlyArray<keyof typeof envSchema.shape>;

export interface Config {
  slack: { botToken?: string; signingSecret?: string; appToken?: string; apiUrl: string };
  port: number;
  heroku: { apiKey?: string; apiUrl: string; dataApiUrl: string; connectDiscoveryUrl: string };
  status: { herokuStatusUrl: string; salesforceTrustUrl: string; cron: string };
  store: { databaseUrl?: string; dataDir: string; sslMode?: string; sslRootCert?: string };
  redisUrl?: string;
  policyPath: string;
  /** Where the policy came from: the file's path, `CONNECT_OPS_POLICY_YAML`, or none (empty policy). */
  policySource: string | null;
  policy: Policy;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  timeScale: number;
  /** The bearer token `/metrics` requires; open when unset. */
  metricsToken?: string;
  /** Set on a Heroku dyno, whose filesystem is wiped at every restart. */
  onHeroku: boolean;
  /** Heroku's name for this process (`web.1`); replicas record it in the audit trail. */
  dyno?: string;
}

/**
 * Every secret the configuration holds, redacted by value wherever text goes (logs, Slack, the
 * store, the CLI's output); a URL's password is redacted on its own as well (see src/redact.ts).
 */
export function secretsOf(config: Config): string[] {
  return [
    config.heroku.apiKey,
    config.slack.botToken,
    config.slack.signingSecret,
    config.slack.appToken,
    config.store.databaseUrl,
    config.redisUrl,
    config.metricsToken,
  ].filter((s): s is string => Boolean(s));
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

  const { policy, source: policySource } = loadPolicy(
    { path: e.CONNECT_OPS_POLICY, yaml: e.CONNECT_OPS_POLICY_YAML },
    options.readPolicy ?? readFileIfPresent,
    needs.has('slack'),
    problems,
  );
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
    store: { databaseUrl: e.DATABASE_URL, dataDir: e.CONNECT_OPS_DATA_DIR, sslMode: e.PGSSLMODE, sslRootCert: e.PGSSLROOTCERT },
    redisUrl: e.REDIS_URL,
    policyPath: e.CONNECT_OPS_POLICY,
    policySource,
    policy,
    logLevel: e.LOG_LEVEL,
    timeScale: e.CONNECT_OPS_TIME_SCALE,
    metricsToken: e.METRICS_TOKEN,
    onHeroku: Boolean(e.DYNO),
    dyno: e.DYNO,
  };
}

/** The config var that holds the policy itself when there is no policy file (a Heroku deploy). */
export const POLICY_YAML_VAR = 'CONNECT_OPS_POLICY_YAML';

/**
 * The policy from its file or, when there is none, from CONNECT_OPS_POLICY_YAML, validated the same
 * way; every problem names its source. Both at once is refused rather than one silently ignored.
 */
function loadPolicy(
  from: { path: string; yaml?: string },
  read: (p: string) => string | undefined,
  required: boolean,
  problems: string[],
): { policy: Policy; source: string | null } {
  const empty = { policy: policySchema.parse({}), source: null };
  let text: string | undefined;
  try {
    text = read(from.path);
  } catch (error) {
    problems.push(`CONNECT_OPS_POLICY: ${unreadable(from.path, error)}`);
    return empty;
  }
  if (text !== undefined && from.yaml !== undefined) {
    problems.push(`${POLICY_YAML_VAR} is set and there is a policy file at ${from.path}: keep one (unset ${POLICY_YAML_VAR}, or remove the file)`);
    return empty;
  }
  const source = text !== undefined ? from.path : from.yaml !== undefined ? POLICY_YAML_VAR : undefined;
  if (source === undefined) {
    if (required) {
      problems.push(
        `CONNECT_OPS_POLICY: no policy file at ${from.path}; copy connect-ops.example.yml there and name your apps, ` +
          `or set ${POLICY_YAML_VAR} to the policy itself (on Heroku: heroku config:set ${POLICY_YAML_VAR}="$(cat connect-ops.yml)")`,
      );
    }
    return empty;
  }
  const result = validatePolicy(text ?? from.yaml ?? '', source, { requireApps: required });
  if (!result.ok) {
    problems.push(...result.problems);
    return empty;
  }
  return { policy: result.policy, source };
}

/** Why the policy file could not be read, in words that say what to do. */
function unreadable(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return `${path} is a directory; point CONNECT_OPS_POLICY at the policy file (YAML) itself`;
  if (code === 'EACCES' || code === 'EPERM') return `${path} cannot be read (permission denied); let the bot's user read it`;
  return `${path} cannot be read (${code ?? (error instanceof Error ? error.message : String(error))})`;
}

function readFileIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
