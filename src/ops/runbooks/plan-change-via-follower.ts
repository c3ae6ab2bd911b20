import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { isLeader, notEssential } from './probes/database.js';
import { unfollowedStep, unfollowStep } from './probes/follower.js';
import { appName, postgresPlan } from './probes/params.js';
import { differentPlan, notEssentialTarget } from './probes/plan.js';
import { connectDatabaseChecks } from './probes/preflight.js';
import { check, runbook, type Step } from './runbook.js';
import { followerChangeoverSteps, NOT_ESSENTIAL } from './upgrade-via-follower.js';

export const planChangeViaFollowerParams = z.object({ app: appName, plan: postgresPlan });
type Params = z.infer<typeof planChangeViaFollowerParams>;

export function planChangeViaFollowerSteps({ plan }: Pick<Params, 'plan'>): Array<Step<RunbookDeps, unknown>> {
  return [
    ...connectDatabaseChecks(),
    check('The database is Standard tier or higher', notEssential(NOT_ESSENTIAL)),
    check('The new plan is Standard tier or higher', notEssentialTarget(plan)),
    check('The database is not on that plan already', differentPlan(plan)),
    check('The database is a leader, not a follower', isLeader, { calls: ['GET /client/v11/databases/{id}'] }),
    ...followerChangeoverSteps({ plan, becomeLeader: [unfollowStep(), unfollowedStep()] }),
  ];
}

/** `plan-change --via follower`: the follower changeover onto the new plan, without a version upgrade. */
export const planChangeViaFollower = runbook<RunbookDeps, Params>({
  name: 'plan-change-via-follower',
  summary: 'Change the database plan through a follower on the new plan, promoted (or put in db_key) with Heroku Connect paused',
  params: planChangeViaFollowerParams,
  steps: planChangeViaFollowerSteps,
});
