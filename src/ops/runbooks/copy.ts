import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { cutoverSteps } from './cutover.js';
import { maintenanceOperations } from './documents.js';
import { restoreFormation, scaleDownWorkers } from './mutations/formation.js';
import { setMaintenance } from './mutations/maintenance.js';
import { createDatabase, destroyNewDatabase } from './mutations/new-database.js';
import { pause } from './mutations/pause.js';
import { resume } from './mutations/resume.js';
import { copyData } from './mutations/transfer.js';
import { required } from './outputs.js';
import { APP, appName, PLAN, pgVersion, postgresPlan, shortPlan, VERSION } from './params.js';
import { connectDatabaseChecks, consumersCheck, consumersUnchangedCheck } from './preflight.js';
import { formationRestored, maintenanceIs, workersScaledDown } from './reads/app.js';
import { connectionReaches, notPaused, pausedOrPausing } from './reads/connection-state.js';
import { HEROKU_CONNECT } from './reads/connection.js';
import { versionNotOlder } from './reads/database.js';
import { mappingsSynced } from './reads/mappings.js';
import { newDatabaseAvailable, newDatabaseExists, newDatabaseGone } from './reads/new-database.js';
import { NEW_ADD_ON } from './reads/consumers.js';
import { copyFinished, copyStarted } from './reads/transfer.js';
import { action, approval, check, runbook, wait } from './runbook.js';
import { pauseRetry, timing } from './timings.js';
import { disableScheduler, enableScheduler, noWriterAfter, noWriterBefore, restartOtherWriters, stopOtherWriters } from './writers.js';

export const copyParams = z
  .object({ app: appName, plan: postgresPlan.optional(), version: pgVersion.optional() })
  .refine((p) => p.plan !== undefined || p.version !== undefined, { message: 'give the new database a --plan, a --version, or both', path: ['plan'] });
type Params = z.infer<typeof copyParams>;

const PG_COPY = 'pg:copy';


/**
 * `plan-change --via copy`: the Essential-tier move (Dev Center "Heroku Connect Maintenance
 * Operations", "Changing the Plan of Your Heroku Postgres Database": "If you're upgrading from an
 * Essential-tier database to a plan in another tier, you can't create a follower. Instead, use the
 * pg:copy process to copy data into the new database. Pause Heroku Connect at the same time as you
 * put your application into maintenance mode"). The paragraph has no numbered steps: the steps cite
 * it as "pg:copy". A new database (a new version too, with --version), then with the app in
 * maintenance mode and Heroku Connect paused, pg:copy and the cutover, and everything starts again.
 */
export const copy = runbook<RunbookDeps, Params>({
  name: 'copy',
  summary: 'Move the database to a new one with pg:copy (Essential-tier plan changes, and upgrades with --version), with Heroku Connect paused',
  document: maintenanceOperations.planChange,
  command: { command: 'plan-change', via: 'copy', params: [APP, PLAN, VERSION], schedulable: true, examples: ['plan-change acme-staging standard-0 --via copy', 'plan-change acme-staging essential-1 --via copy --version 17'] },
  params: copyParams,
  steps: ({ plan, version }) => {
    const onto = [plan && shortPlan(plan), version && `Postgres ${version}`].filter(Boolean).join(', ');
    return [
      ...connectDatabaseChecks(),
      consumersCheck(NEW_ADD_ON),
      check("The new database's version is not older than the current one", versionNotOlder(version)),
      action(`Create the new database (${onto})`, {
        // Without a version Heroku would pick its default, which may be older than the database's.
        do: createDatabase({ kind: 'copy', plan, config: (ctx) => ({ version: String(version ?? required(ctx, 'database').version) }) }),
        done: newDatabaseExists,
        undo: { title: 'Destroy the new database', do: destroyNewDatabase, done: newDatabaseGone },
        cites: PG_COPY,
      }),
      wait('Wait until the new database is available', newDatabaseAvailable, { ...timing.newDatabase, cites: PG_COPY }),
      approval('Approve the cutover', { binds: ['consumers'] }),
      disableScheduler(PG_COPY),
      consumersUnchangedCheck(NEW_ADD_ON, PG_COPY),
      action('Turn maintenance mode on', {
        do: setMaintenance(true),
        done: maintenanceIs(true),
        undo: { title: 'Turn maintenance mode off', do: setMaintenance(false), done: maintenanceIs(false) },
        downtime: 'starts',
        cites: PG_COPY,
      }),
      action('Record the formation and scale the worker dynos to 0', {
        do: scaleDownWorkers,
        done: workersScaledDown,
        undo: { title: 'Scale the worker dynos back to the recorded formation', do: restoreFormation, done: formationRestored },
        cites: PG_COPY,
      }),
      ...stopOtherWriters(PG_COPY),
      wait('Wait until Heroku Connect is IDLE', connectionReaches(HEROKU_CONNECT, 'IDLE'), { ...timing.untilIdle, cites: PG_COPY }),
      action('Pause Heroku Connect', {
        do: pause(HEROKU_CONNECT),
        done: pausedOrPausing(HEROKU_CONNECT),
        undo: { title: 'Resume Heroku Connect', do: resume(HEROKU_CONNECT), done: notPaused(HEROKU_CONNECT) },
        retryRefused: pauseRetry,
        cites: PG_COPY,
      }),
      wait('Wait until Heroku Connect is PAUSED', connectionReaches(HEROKU_CONNECT, 'PAUSED'), { ...timing.untilPaused, cites: PG_COPY }),
      noWriterBefore(PG_COPY),
      action('Copy the data to the new database (pg:copy)', { do: copyData, done: copyStarted, cites: PG_COPY }),
      wait('Wait until the copy has finished', copyFinished, { ...timing.copyFinished, cites: PG_COPY }),
      noWriterAfter(PG_COPY),
      ...cutoverSteps(PG_COPY),
      action('Resume Heroku Connect', { do: resume(HEROKU_CONNECT), done: notPaused(HEROKU_CONNECT), cites: PG_COPY }),
      // "…and everything starts again": the app's writers, the other apps', the Scheduler, then the sync.
      action('Scale the worker dynos back to the recorded formation', { do: restoreFormation, done: formationRestored, cites: PG_COPY }),
      action('Turn maintenance mode off', { do: setMaintenance(false), done: maintenanceIs(false), downtime: 'ends', cites: PG_COPY }),
      ...restartOtherWriters(PG_COPY),
      enableScheduler(PG_COPY),
      wait('Wait until every mapping is DATA_SYNCED', mappingsSynced(HEROKU_CONNECT, 'all'), { ...timing.mappingsSynced, cites: PG_COPY }),
    ];
  },
});
