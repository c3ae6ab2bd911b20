import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { pauseConnectSteps, resumeConnectStep } from './probes/connection.js';
import { isLeader, notEssential, versionIsNewer } from './probes/database.js';
import { verifyConnectStep } from './probes/mapping-states.js';
import { appName, pgVersion } from './probes/params.js';
import { connectDatabaseChecks } from './probes/preflight.js';
import {
  connectDatabase,
  noUpgradePending,
  prepareUpgradeStep,
  runUpgradeStep,
  upgradeFinishedStep,
  upgradePreparedStep,
  upgradeStillScheduled,
} from './probes/upgrade.js';
import { approval, check, runbook } from './runbook.js';
import { upgradeViaFollowerSteps } from './upgrade-via-follower.js';

export const upgradeParams = z.object({ app: appName, version: pgVersion.optional(), via: z.enum(['follower']).optional() });
type Params = z.infer<typeof upgradeParams>;

const ESSENTIAL_REMEDY = 'Essential-tier databases are upgraded onto a new database with pg:copy: use the copy runbook with --version.';

/**
 * `upgrade`: pg:upgrade in place, with Heroku Connect paused while the database is down.
 * `upgrade --via follower` runs the follower changeover instead (upgrade-via-follower.ts).
 */
export const upgrade = runbook<RunbookDeps, Params>({
  name: 'upgrade',
  summary: 'Upgrade the Postgres version with pg:upgrade, pausing Heroku Connect around it (--via follower: through an upgraded follower)',
  params: upgradeParams,
  steps: ({ version, via }) =>
    via === 'follower'
      ? upgradeViaFollowerSteps({ version })
      : [
          ...connectDatabaseChecks(),
          check('The database is Standard tier or higher', notEssential(ESSENTIAL_REMEDY)),
          check('The database is a leader, not a follower', isLeader, { calls: ['GET /client/v11/databases/{id}'] }),
          check(`${version ? `Postgres ${version}` : 'The newest Postgres'} is newer than the database's version`, versionIsNewer(version)),
          check('No upgrade is prepared or running already', noUpgradePending, { calls: ['GET /client/v11/databases/{id}/upgrade/wait_status'] }),
          prepareUpgradeStep(version),
          upgradePreparedStep(),
          approval('Approve the cutover'),
          check('The prepared upgrade is still waiting to run', upgradeStillScheduled, { calls: ['GET /client/v11/databases/{id}/upgrade/wait_status'] }),
          ...pauseConnectSteps({ downtime: 'starts' }),
          runUpgradeStep('Run the upgrade (pg:upgrade:run)', connectDatabase, version),
          upgradeFinishedStep(connectDatabase),
          resumeConnectStep({ downtime: 'ends' }),
          verifyConnectStep(),
        ],
});
