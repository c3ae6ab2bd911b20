import type { RetryRefused, WaitSpec } from './runbook.js';

/**
 * How often each kind of wait polls, how long it may take, and how long it usually takes (for the
 * plan's downtime estimate), from docs/reference/heroku-platform-and-postgres-api.md ("Polling
 * intervals and stop conditions") and docs/reference/heroku-connect-api.md ("Polling and stop
 * conditions"). Runbooks name these next to the step they time.
 */
type Timing = Pick<WaitSpec<unknown, unknown>, 'every' | 'max' | 'timeout' | 'expect' | 'next'>;
// `every` is a wait's fastest interval: 20 s at most for the waits outside a cutover, so that the
// engine's lateness allowance (30 s, aimed at 27 s: engine/poll-interval.ts) paces them rather than
// an `every` above it (a minute's polling noticed a short initial load up to a minute late). A mapping
// edit's wait keeps 30 s: its probe says "near" while the mapping loads, and at 20 s it polled 0.30×
// the CLI's requests for no wait noticed sooner.


const POLLING_ADVICE =
  'Heroku Connect stayed busy (POLLING_DB_CHANGES). "Connections can only be paused when they are in the IDLE state. If your connection remains in the ' +
  'POLLING_DB_CHANGES status for an extended time, check your logs to debug": the Heroku Connect dashboard\'s Logs tab, or `heroku logs --tail`. Start the runbook again once it is IDLE.';

export const timing = {
  /** A connection is IDLE between polls of the trigger log, within minutes unless stuck. */
  untilIdle: { every: '10s', max: '1m', timeout: '30m', expect: ['0s', '10m'], next: POLLING_ADVICE },
  /** A pause "completes any pending operations before entering the paused state". */
  untilPaused: { every: '10s', max: '1m', timeout: '1h', expect: ['30s', '5m'], next: 'The connection did not reach PAUSED: check its state in the Heroku Connect dashboard, then pause it by hand or roll back.' },
  newDatabase: { every: '5s', max: '1m', timeout: '24h', expect: ['5m', '6h'], next: 'Heroku is still preparing the new database: check `heroku pg:wait` and `heroku addons`, then start again or roll back.' },
  followerCaughtUp: { every: '20s', max: '5m', timeout: '24h', expect: ['10m', '8h'], next: 'The follower is still far behind: check `heroku pg:info` for its lag, then start again or roll back.' },
  followerInSync: {
    every: '10s',
    max: '1m',
    timeout: '1h',
    expect: ['10s', '15m'],
    next: 'The follower did not reach 0 commits: something still writes to the leader (a one-off dyno, a scheduler job, another app?). Stop it, or roll back.',
  },
  unfollowed: { every: '10s', max: '1m', timeout: '30m', expect: ['10s', '5m'], next: 'The database still follows its leader: check `heroku pg:info`, then start again or roll back.' },
  upgradePrepared: { every: '20s', max: '10m', timeout: '30h', expect: ['10m', '24h'], next: 'Preparation can take up to a day: follow it with `heroku pg:upgrade:wait`, then start again.' },
  upgradeFinished: { every: '15s', max: '1m', timeout: '2h', expect: ['10m', '30m'], next: 'Follow the upgrade with `heroku pg:upgrade:wait`; when it has finished, resume Heroku Connect by hand or roll back.' },
  copyFinished: { every: '5s', max: '1m', timeout: '24h', expect: ['1m', '2h'], next: 'Follow the copy with `heroku pg:copy` output or `heroku pg:backups`; roll back if it failed.' },
  planChanged: { every: '20s', max: '10m', timeout: '30h', expect: ['30m', '12h'], next: 'Heroku may take several hours to prepare the replacement: follow it with `heroku pg:wait`, then start again.' },
  /** After a resume, every mapping polls what changed meanwhile before it is DATA_SYNCED again. */
  mappingsSynced: { every: '20s', max: '3m', timeout: '2h' },
  newConnectAddOn: { every: '5s', max: '30s', timeout: '1h', expect: ['30s', '5m'], next: 'Check the new add-on with `heroku addons -a APP`; start again once it is provisioned, or roll back.' },
  salesforceAuthorized: { every: '10s', max: '1m', timeout: '30m', expect: ['0s', '1m'], next: 'Salesforce did not authorize the new connection: open the link again (or run `heroku connect:sf:auth`), then start again.' },
  importFinished: { every: '15s', max: '1m', timeout: '1h', expect: ['20s', '5m'], next: 'Check the new connection in the Heroku Connect dashboard; import the kept configuration again by hand if needed.' },
  mappingsAtRest: { every: '15s', max: '2m', timeout: '12h', expect: ['0s', '30m'], next: 'A mapping stayed busy: check it with `heroku connect:info`, then start again.' },
  reloadFinished: { every: '20s', max: '10m', timeout: '72h', expect: ['1m', '12h'], next: 'The reload is still running: follow it with `heroku connect:info`, start the runbook again to keep waiting.' },
  /** A mapping edit alters the table and loads the changed columns. */
  mappingEdited: { every: '30s', max: '5m', timeout: '24h', expect: ['1m', '2h'] },
  /** The initial load of every mapping of a new connection: hours to days for very large tables, a minute for small ones. */
  initialLoad: { every: '20s', max: '15m', timeout: '7d', expect: ['10m', '48h'] },
  pendingWritten: { every: '10s', max: '1m', timeout: '2h', expect: ['0s', '10m'], next: 'Heroku Connect still has changes to write: check its write errors (`heroku connect:write-errors`), then start again or roll back.' },
  /** A restarted connection goes through RECOVERY, then syncs again. */
  recovered: {
    every: '10s',
    max: '1m',
    timeout: '30m',
    expect: ['30s', '10m'],
    next: 'Heroku Connect did not recover: read its logs (`heroku logs --tail --dyno herokuconnect`) and the Heroku Connect dashboard.',
  },
  /** pg:promote polls the Attach and Detach releases every 5 s for 15 minutes when the app has a release phase. */
  releasePhase: {
    every: '5s',
    max: '30s',
    timeout: '15m',
    expect: ['0s', '5m'],
    next: 'The release phase is still running for the attach and detach releases: check `heroku releases -a APP` and `heroku releases:output`; writes stay stopped until it ends, or roll back.',
  },
  /** A connection just resumed on its database syncs again within minutes. */
  dataFlows: { every: '10s', max: '1m', timeout: '1h', expect: ['0s', '5m'] },
} satisfies Record<string, Timing>;

/** A pause refused because the connection is busy is tried again until it is IDLE, within this. */
export const pauseRetry: RetryRefused = { every: '10s', timeout: '30m', next: POLLING_ADVICE };
