import { stringify } from 'yaml';
import type { z } from 'zod';
import type { policySchema } from '../config.js';
import type { SlackWorkspace } from './slack/index.js';

/**
 * The sandbox's Slack workspace and policy: a channel per seeded Heroku app and one for Heroku
 * Connect maintenance, and four people (an operator, two approvers, someone with no rights) so
 * that approvals can be tried for real from the page's "You are" switch.
 */

export const SANDBOX_PEOPLE = {
  operator: { id: 'U01PRIYA', name: 'priya', realName: 'Priya Raman', role: 'operator' },
  approver1: { id: 'U02ALEX', name: 'alex', realName: 'Alex Chen', role: 'approver' },
  /** An approver through the @dba-leads user group, as teams usually name approvers. */
  approver2: { id: 'U03JORDAN', name: 'jordan', realName: 'Jordan Lee', role: 'approver, @dba-leads' },
  noRights: { id: 'U04SAM', name: 'sam', realName: 'Sam Rivera', role: 'no rights' },
} as const;

const { operator, approver1, approver2, noRights } = SANDBOX_PEOPLE;

export const DBA_LEADS = { id: 'S0DBALEADS', handle: 'dba-leads', name: 'DBA leads', users: [approver2.id] };

/** One channel per seeded app, named after it. */
export const APP_CHANNELS = {
  'acme-prod': 'C0ACMEPROD',
  'acme-staging': 'C0ACMESTAGING',
  'globex-prod': 'C0GLOBEXPROD',
  // A connection pool, a color name as Connect's db_key, a Scheduler, a follower, and the database shared with hooli-reports.
  'hooli-prod': 'C0HOOLIPROD',
  'hooli-reports': 'C0HOOLIREPORTS',
} as const;

export const MAINTENANCE_CHANNEL = { id: 'C0MAINTENANCE', name: 'heroku-maintenance' };

/** What the maintenance watcher listens for: the seeded apps run in the US (acme) and the EU (globex). */
const MAINTENANCE_REGIONS = ['us', 'eu'];

/**
 * The policy file's text. The engine divides approval timeouts by the time scale, so the timeout
 * is written as one real hour in simulated time: long enough for people trying approvals by hand.
 */
export function sandboxPolicy(options: { timeScale: number }): string {
  const people = { operators: [operator.id], approvers: [approver1.id, `@${DBA_LEADS.handle}`] };
  const policy: z.input<typeof policySchema> = {
    apps: Object.fromEntries(Object.entries(APP_CHANNELS).map(([app, channel]) => [app, { channel, ...people }])),
    runbooks: {
      default: { approvals: 1, approval_timeout: `${Math.max(1, Math.ceil(options.timeScale))}h` },
      upgrade: { approvals: 2 },
    },
    maintenance: { channels: [MAINTENANCE_CHANNEL.id], regions: MAINTENANCE_REGIONS, reminders: ['24h', '1h', 'start', 'end'] },
    // In simulated time: at the default scale a watcher tick is 50 simulated minutes, so a trouble
    // set from the panel is told within two ticks. POLLING_DB_CHANGES, which the seeded apps show
    // for a minute in ten, must be seen for three ticks in a row.
    health: {
      thresholds: { connection_state: '30m', polling_db_changes: '2h', paused: '2h', schema_changed: '30m', mapping_error: '30m', sync_stalled: '30m' },
      requests_per_hour: 4500,
      versions: { every: '4h', lead_times: ['90d', '30d', '7d', '1d'] },
    },
  };
  return stringify(policy);
}

/** Adds the people, the user group and the channels of the policy to the workspace. */
export function seedSandboxWorkspace(workspace: SlackWorkspace): void {
  for (const person of [operator, approver1, approver2, noRights]) workspace.addUser({ id: person.id, name: person.name, realName: person.realName });
  workspace.addUserGroup(DBA_LEADS);
  for (const [app, id] of Object.entries(APP_CHANNELS)) {
    workspace.addChannel({ id, name: app, topic: `Runs on the Heroku app ${app}: ${operator.realName} operates, ${approver1.realName} and @${DBA_LEADS.handle} approve.` });
  }
  workspace.addChannel({ ...MAINTENANCE_CHANNEL, topic: 'Heroku Connect maintenance windows in the US and EU regions, from the status feeds.' });
}

/** The "You are" switch of the page: every person, with their role. */
export const sandboxPeople = (): Array<{ id: string; role: string }> => Object.values(SANDBOX_PEOPLE).map(({ id, role }) => ({ id, role }));
