import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { maintenanceOperations } from './documents.js';
import { changePlan } from './mutations/plan.js';
import { APP, appName, PLAN, postgresPlan, shortPlan } from './params.js';
import { connectDatabaseChecks } from './preflight.js';
import { HEROKU_CONNECT } from './reads/connection.js';
import { databaseAvailable } from './reads/database.js';
import { mappingsSynced } from './reads/mappings.js';
import { databaseOnPlan, differentPlan, sameTierFamily } from './reads/plan.js';
import { action, approval, check, runbook, wait } from './runbook.js';
import { timing } from './timings.js';

export const planChangeParams = z.object({ app: appName, plan: postgresPlan });
type Params = z.infer<typeof planChangeParams>;

/**
 * `plan-change`: Dev Center "Heroku Connect Maintenance Operations", "Changing the Plan of Your
 * Heroku Postgres Database": "you can use the heroku addons:upgrade command to do so. Heroku Connect
 * is able to handle this operation transparently since it behaves identically to an HA failover."
 * So Heroku Connect is not paused: the run changes the plan, waits for the replacement (hours to
 * prepare, under a minute to change over), and checks that Heroku Connect synced through it.
 * `--via follower` and `--via copy` are plan-change-via-follower.ts and copy.ts.
 */
export const planChange = runbook<RunbookDeps, Params>({
  name: 'plan-change',
  summary: 'Change the database plan in place with addons:upgrade, which Heroku Connect rides through like an HA failover (it is not paused), then check it synced',
  document: maintenanceOperations.planChange,
  command: { command: 'plan-change', params: [APP, PLAN], schedulable: true, examples: ['plan-change acme-prod standard-2'] },
  params: planChangeParams,
  steps: ({ plan }) => [
    ...connectDatabaseChecks(),
    check('The new plan is in the same tier family (Essential-tier moves use pg:copy)', sameTierFamily(plan)),
    check('The database is not on that plan already', differentPlan(plan)),
    approval('Approve the plan change'),
    action(`Change the database plan to ${shortPlan(plan)} (addons:upgrade)`, { do: changePlan(plan), done: databaseOnPlan(plan), cites: 'heroku addons:upgrade' }),
    wait('Wait until the database is available on its new plan', databaseAvailable, timing.planChanged),
    // Not a document step: "transparently" is what the run verifies.
    wait('Wait until every mapping is DATA_SYNCED', mappingsSynced(HEROKU_CONNECT, 'all'), timing.mappingsSynced),
  ],
});
