import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { createDatabaseStep, newDatabaseAvailableStep, newDatabaseId } from './probes/addons.js';
import { pauseConnectSteps, resumeConnectStep } from './probes/connection.js';
import { canCreateFollower, isLeader, notEssential, versionIsNewer } from './probes/database.js';
import { followerCaughtUpStep, followerInSyncStep } from './probes/follower.js';
import { restoreFormationStep, scaleDownWorkersStep } from './probes/formation.js';
import { maintenanceOffStep, maintenanceOnStep } from './probes/maintenance.js';
import { verifyConnectStep } from './probes/mapping-states.js';
import { required } from './probes/outputs.js';
import { appName, pgVersion, shortPlan } from './probes/params.js';
import { connectDatabaseChecks } from './probes/preflight.js';
import { cutoverSteps } from './probes/promote.js';
import { runUpgradeStep, upgradeFinishedStep } from './probes/upgrade.js';
import { approval, check, runbook, type Step } from './runbook.js';

type Steps = Array<Step<RunbookDeps, unknown>>;

export const NOT_ESSENTIAL = 'Followers are only supported on Standard tier and higher: move an Essential-tier database with the copy runbook.';

/**
 * The follower changeover (Dev Center "Heroku Connect Maintenance Operations", reference section 10):
 * a follower catches up while the app runs; at the cutover, writes stop, Heroku Connect pauses, the
 * follower replays the last commits, becomes a database of its own (`becomeLeader`), takes over from
 * the old one, and everything starts again.
 */
export function followerChangeoverSteps(options: { plan?: string; becomeLeader: Steps }): Steps {
  return [
    check('The database can get a follower now (Fork/Follow: Available)', canCreateFollower, { calls: ['GET /client/v11/databases/{id}'] }),
    createDatabaseStep(options.plan ? `Create a follower of the database on ${shortPlan(options.plan)}` : 'Create a follower of the database on the same plan', {
      kind: 'follower',
      plan: options.plan,
      config: (ctx) => ({ follow: required(ctx, 'database').configVar }),
    }),
    newDatabaseAvailableStep('Wait until the follower is available'),
    followerCaughtUpStep(),
    approval('Approve the cutover'),
    maintenanceOnStep(),
    scaleDownWorkersStep(),
    ...pauseConnectSteps(),
    followerInSyncStep(),
    ...options.becomeLeader,
    ...cutoverSteps(),
    resumeConnectStep(),
    restoreFormationStep(),
    maintenanceOffStep(),
    verifyConnectStep(),
  ];
}

export const upgradeViaFollowerParams = z.object({ app: appName, version: pgVersion.optional() });
type Params = z.infer<typeof upgradeViaFollowerParams>;

export function upgradeViaFollowerSteps({ version }: Pick<Params, 'version'>): Steps {
  const target = version ? `Postgres ${version}` : 'the newest Postgres';
  return [
    ...connectDatabaseChecks(),
    check('The database is Standard tier or higher', notEssential(NOT_ESSENTIAL)),
    check('The database is a leader, not a follower', isLeader, { calls: ['GET /client/v11/databases/{id}'] }),
    check(`${target} is newer than the database's version`, versionIsNewer(version)),
    ...followerChangeoverSteps({
      becomeLeader: [
        runUpgradeStep(`Upgrade the follower to ${target} (pg:upgrade:run; it stops following)`, newDatabaseId, version),
        upgradeFinishedStep(newDatabaseId),
      ],
    }),
  ];
}

/** `upgrade --via follower`: the Postgres upgrade with the least downtime, through an upgraded follower. */
export const upgradeViaFollower = runbook<RunbookDeps, Params>({
  name: 'upgrade-via-follower',
  summary: 'Upgrade the Postgres version through a follower: upgrade it, then promote it (or point db_key at it), with Heroku Connect paused',
  params: upgradeViaFollowerParams,
  steps: upgradeViaFollowerSteps,
});
