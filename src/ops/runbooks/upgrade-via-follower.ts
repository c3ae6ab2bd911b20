import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { maintenanceOperations } from './documents.js';
import { followerChangeoverSteps } from './follower-changeover.js';
import { runUpgrade } from './mutations/upgrade.js';
import { APP, appName, pgVersion, VERSION } from './params.js';
import { connectDatabaseChecks, consumersCheck } from './preflight.js';
import { isLeader, notEssential, versionIsNewer } from './reads/database.js';
import { follower, upgradeFinished, upgradeStarted } from './reads/upgrade.js';
import { action, check, runbook, wait } from './runbook.js';
import { timing } from './timings.js';

export const upgradeViaFollowerParams = z.object({ app: appName, version: pgVersion.optional() });
type Params = z.infer<typeof upgradeViaFollowerParams>;

export const NOT_ESSENTIAL = 'Followers are only supported on Standard tier and higher: move an Essential-tier database with `/connect plan-change APP PLAN --via copy`.';

/**
 * `upgrade --via follower`: the follower changeover of Dev Center "Heroku Connect Maintenance
 * Operations", "Upgrading the Version of Your Heroku Postgres Database" (follower-changeover.ts),
 * whose step 4 upgrades the follower: pg:upgrade:run on a follower unfollows it first, and the
 * upgraded database then takes over by promote or db_key.
 */
export const upgradeViaFollower = runbook<RunbookDeps, Params>({
  name: 'upgrade-via-follower',
  summary: 'Upgrade the Postgres version through a follower: upgrade it, then promote it (or point db_key at it), with Heroku Connect paused',
  document: maintenanceOperations.versionUpgrade,
  command: { command: 'upgrade', via: 'follower', params: [APP, VERSION], schedulable: true, examples: ['upgrade acme-prod --via follower --version 17'] },
  params: upgradeViaFollowerParams,
  steps: ({ version }) => {
    const target = version ? `Postgres ${version}` : 'the newest Postgres';
    return [
      ...connectDatabaseChecks(),
      consumersCheck(),
      check('The database is Standard tier or higher', notEssential(NOT_ESSENTIAL)),
      check('The database is a leader, not a follower', isLeader),
      check(`${version ? `Postgres ${version}` : 'The newest Postgres'} is newer than the database's version`, versionIsNewer(version)),
      ...followerChangeoverSteps({
        becomeLeader: [
          action(`Upgrade the follower to ${target} (pg:upgrade:run; it stops following)`, { do: runUpgrade(follower, version), done: upgradeStarted(follower), cites: 'step 4' }),
          wait('Wait until the upgrade has finished', upgradeFinished(follower), { ...timing.upgradeFinished, cites: 'step 4' }),
        ],
      }),
    ];
  },
});
