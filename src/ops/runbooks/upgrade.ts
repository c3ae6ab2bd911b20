import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { maintenanceOperations } from './documents.js';
import { pause } from './mutations/pause.js';
import { resume } from './mutations/resume.js';
import { cancelUpgrade, DRY_RUN_STARTED, dryRunUpgrade, prepareUpgrade, runUpgrade } from './mutations/upgrade.js';
import { APP, appName, flag, pgVersion, VERSION } from './params.js';
import { connectDatabaseChecks, consumersCheck, consumersUnchangedCheck } from './preflight.js';
import { connectionReaches, notPaused, pausedOrPausing } from './reads/connection-state.js';
import { HEROKU_CONNECT } from './reads/connection.js';
import { isLeader, notEssential, versionIsNewer } from './reads/database.js';
import { mappingsSynced } from './reads/mappings.js';
import {
  connectDatabase,
  noUpgradePending,
  noUpgradePrepared,
  preparedToRun,
  upgradeFinished,
  upgradePrepared,
  upgradeStarted,
  upgradeStillScheduled,
} from './reads/upgrade.js';
import { action, approval, check, runbook, wait, type ParamSpec } from './runbook.js';
import { read } from './deps.js';
import { pauseRetry, timing } from './timings.js';
import { disableScheduler, enableScheduler, noWriterBefore, restartAppWriters, restartOtherWriters, stopAppWriters, stopOtherWriters } from './writers.js';

export const upgradeParams = z.object({
  app: appName,
  version: pgVersion.optional(),
  /** Start with a test upgrade (pg:upgrade:dryrun), whose result Heroku emails before the cutover is approved. */
  dryRun: flag.optional(),
});

const DRY_RUN: ParamSpec = {
  key: 'dryRun',
  kind: 'option',
  name: '--dry-run',
  type: 'flag',
  optional: true,
  description: 'Start with a test upgrade on a copy (pg:upgrade:dryrun); Heroku emails its result before the cutover is approved.',
};
type Params = z.infer<typeof upgradeParams>;

const ESSENTIAL_REMEDY = 'Essential-tier databases are upgraded onto a new database with pg:copy: `/connect plan-change APP PLAN --via copy --version N`.';

/**
 * `upgrade`: pg:upgrade in place (Dev Center "Heroku Connect Maintenance Operations", "Upgrading the
 * Version of Your Heroku Postgres Database"; the pg:upgrade:* commands of "Upgrading the Version of a
 * Heroku Postgres Database"): a Standard-tier or higher leader is prepared (Heroku schedules it, up to
 * a day), then, at the cutover, Heroku Connect is paused while the upgrade runs, and resumed after.
 * `upgrade --via follower` is upgrade-via-follower.ts.
 */
export const upgrade = runbook<RunbookDeps, Params>({
  name: 'upgrade',
  summary: 'Upgrade the Postgres version in place with pg:upgrade, pausing Heroku Connect while it runs',
  document: maintenanceOperations.versionUpgrade,
  command: {
    command: 'upgrade',
    params: [APP, VERSION, DRY_RUN],
    schedulable: true,
    examples: ['upgrade acme-prod --version 17', 'upgrade acme-prod --version 17 --dry-run', 'upgrade acme-prod --at "sat 02:00 UTC"'],
  },
  params: upgradeParams,
  steps: ({ version, dryRun }) => {
    const target = version ? `Postgres ${version}` : 'The newest Postgres';
    return [
      ...connectDatabaseChecks(),
      consumersCheck(),
      check('The database is Standard tier or higher', notEssential(ESSENTIAL_REMEDY)),
      check('The database is a leader, not a follower', isLeader),
      check(`${target} is newer than the database's version`, versionIsNewer(version)),
      check('No upgrade is prepared or running already', noUpgradePending),
      ...(dryRun
        ? [
            action(`Start a test upgrade${version ? ` to Postgres ${version}` : ''} on a copy (pg:upgrade:dryrun); Heroku emails its result`, {
              do: dryRunUpgrade(version),
              done: read([], async (ctx) => typeof ctx.outputs[DRY_RUN_STARTED] === 'string'),
              cites: 'pg:upgrade:dryrun',
            }),
          ]
        : []),
      action(`Prepare the upgrade to ${version ? `Postgres ${version}` : 'the newest Postgres'} (pg:upgrade:prepare)`, {
        do: prepareUpgrade(version),
        done: upgradePrepared,
        // A prepared upgrade runs by itself at the next maintenance window: rolling back cancels it.
        undo: { title: 'Cancel the prepared upgrade (pg:upgrade:cancel)', do: cancelUpgrade, done: noUpgradePrepared },
        cites: 'pg:upgrade:prepare',
      }),
      wait('Wait until the upgrade is prepared', preparedToRun, { ...timing.upgradePrepared, cites: 'pg:upgrade:wait' }),
      approval('Approve the cutover', { binds: ['consumers'] }),
      check('The prepared upgrade is still waiting to run', upgradeStillScheduled),
      // "Both methods require some application downtime to ensure that no data is lost during the
      // upgrade" (Dev Center "Upgrading the Version of a Heroku Postgres Database"): every writer stops.
      disableScheduler('pg:upgrade:run'),
      consumersUnchangedCheck({}, 'pg:upgrade:run'),
      ...stopAppWriters('pg:upgrade:run'),
      ...stopOtherWriters('pg:upgrade:run'),
      wait('Wait until Heroku Connect is IDLE', connectionReaches(HEROKU_CONNECT, 'IDLE'), timing.untilIdle),
      action('Pause Heroku Connect', {
        do: pause(HEROKU_CONNECT),
        done: pausedOrPausing(HEROKU_CONNECT),
        undo: { title: 'Resume Heroku Connect', do: resume(HEROKU_CONNECT), done: notPaused(HEROKU_CONNECT) },
        retryRefused: pauseRetry,
        cites: 'pause Heroku Connect',
      }),
      wait('Wait until Heroku Connect is PAUSED', connectionReaches(HEROKU_CONNECT, 'PAUSED'), timing.untilPaused),
      noWriterBefore('pg:upgrade:run'),
      action('Run the upgrade (pg:upgrade:run)', { do: runUpgrade(connectDatabase, version), done: upgradeStarted(connectDatabase), cites: 'pg:upgrade:run' }),
      wait('Wait until the upgrade has finished', upgradeFinished(connectDatabase), { ...timing.upgradeFinished, cites: 'pg:upgrade:wait' }),
      action('Resume Heroku Connect', { do: resume(HEROKU_CONNECT), done: notPaused(HEROKU_CONNECT), cites: 'resume Heroku Connect' }),
      ...restartAppWriters('pg:upgrade:run'),
      ...restartOtherWriters('pg:upgrade:run'),
      enableScheduler('pg:upgrade:run'),
      wait('Wait until every mapping is DATA_SYNCED', mappingsSynced(HEROKU_CONNECT, 'all'), timing.mappingsSynced),
    ];
  },
});
