import type { RunbookDeps } from './deps.js';
import { cutoverSteps } from './cutover.js';
import { scaleDownWorkers, restoreFormation } from './mutations/formation.js';
import { setMaintenance } from './mutations/maintenance.js';
import { createDatabase } from './mutations/new-database.js';
import { pause } from './mutations/pause.js';
import { resume } from './mutations/resume.js';
import { required } from './outputs.js';
import { shortPlan } from './params.js';
import { formationRestored, maintenanceIs, workersScaledDown } from './reads/app.js';
import { connectionReaches, notPaused, pausedOrPausing } from './reads/connection-state.js';
import { HEROKU_CONNECT } from './reads/connection.js';
import { canCreateFollower } from './reads/database.js';
import { CAUGHT_UP, lagAtMost } from './reads/follower.js';
import { mappingsSynced } from './reads/mappings.js';
import { newDatabaseAvailable, newDatabaseExists, newDatabaseGone } from './reads/new-database.js';
import { destroyNewDatabase } from './mutations/new-database.js';
import { action, approval, check, wait, type Step } from './runbook.js';
import { disableScheduler, enableScheduler, restartOtherWriters, stopOtherWriters } from './writers.js';
import { pauseRetry, timing } from './timings.js';
import { consumersUnchangedCheck } from './preflight.js';

type Steps = Array<Step<RunbookDeps, unknown>>;

/**
 * The follower changeover (Dev Center "Heroku Connect Maintenance Operations", "Upgrading the Version
 * of Your Heroku Postgres Database"; docs/procedures.md numbers its steps): a follower catches up
 * while the app runs; at the cutover, writes stop and Heroku Connect pauses, the follower replays
 * the last commits and becomes a database of its own (`becomeLeader`: step 4, pg:upgrade; a plan
 * change omits it and unfollows instead), takes over from the old one (promote or db_key), and
 * everything starts again. `upgrade --via follower` and `plan-change --via follower` run it.
 */
export function followerChangeoverSteps(options: { plan?: string; becomeLeader: Steps }): Steps {
  const onPlan = options.plan ? `on ${shortPlan(options.plan)}` : 'on the same plan';
  return [
    check('The database can get a follower now (Fork/Follow: Available)', canCreateFollower, { cites: 'step 1' }),
    action(`Create a follower of the database ${onPlan}`, {
      do: createDatabase({ kind: 'follower', plan: options.plan, config: (ctx) => ({ follow: required(ctx, 'database').configVar }) }),
      done: newDatabaseExists,
      undo: { title: 'Destroy the new database', do: destroyNewDatabase, done: newDatabaseGone },
      cites: 'step 1',
    }),
    wait('Wait until the follower is available', newDatabaseAvailable, { ...timing.newDatabase, cites: 'step 1' }),
    wait(`Wait until the follower is within ${CAUGHT_UP} commits of its leader`, lagAtMost(CAUGHT_UP), { ...timing.followerCaughtUp, cites: 'step 2' }),
    approval('Approve the cutover', { binds: ['consumers'] }),
    disableScheduler('step 3'),
    consumersUnchangedCheck({}, 'step 3'),
    action('Turn maintenance mode on', {
      do: setMaintenance(true),
      done: maintenanceIs(true),
      undo: { title: 'Turn maintenance mode off', do: setMaintenance(false), done: maintenanceIs(false) },
      downtime: 'starts',
      cites: 'step 3',
    }),
    action('Record the formation and scale the worker dynos to 0', {
      do: scaleDownWorkers,
      done: workersScaledDown,
      undo: { title: 'Scale the worker dynos back to the recorded formation', do: restoreFormation, done: formationRestored },
      cites: 'step 3',
    }),
    ...stopOtherWriters('step 3'),
    wait('Wait until Heroku Connect is IDLE', connectionReaches(HEROKU_CONNECT, 'IDLE'), { ...timing.untilIdle, cites: 'step 3' }),
    action('Pause Heroku Connect', {
      do: pause(HEROKU_CONNECT),
      done: pausedOrPausing(HEROKU_CONNECT),
      undo: { title: 'Resume Heroku Connect', do: resume(HEROKU_CONNECT), done: notPaused(HEROKU_CONNECT) },
      retryRefused: pauseRetry,
      cites: 'step 3',
    }),
    wait('Wait until Heroku Connect is PAUSED', connectionReaches(HEROKU_CONNECT, 'PAUSED'), { ...timing.untilPaused, cites: 'step 3' }),
    wait('Wait until the follower is 0 commits behind', lagAtMost(0), { ...timing.followerInSync, cites: 'step 3' }),
    ...options.becomeLeader,
    ...cutoverSteps('step 5'),
    action('Resume Heroku Connect', { do: resume(HEROKU_CONNECT), done: notPaused(HEROKU_CONNECT), cites: 'step 6' }),
    action('Scale the worker dynos back to the recorded formation', { do: restoreFormation, done: formationRestored, cites: 'step 7' }),
    action('Turn maintenance mode off', { do: setMaintenance(false), done: maintenanceIs(false), downtime: 'ends', cites: 'step 7' }),
    ...restartOtherWriters('step 7'),
    enableScheduler('step 7'),
    // Not a document step: the run ends when Heroku Connect is healthy and caught up.
    wait('Wait until every mapping is DATA_SYNCED', mappingsSynced(HEROKU_CONNECT, 'all'), timing.mappingsSynced),
  ];
}
