import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { maintenanceOperations } from './documents.js';
import { followerChangeoverSteps } from './follower-changeover.js';
import { unfollow } from './mutations/unfollow.js';
import { APP, appName, PLAN, postgresPlan } from './params.js';
import { connectDatabaseChecks, consumersCheck } from './preflight.js';
import { isLeader, notEssential } from './reads/database.js';
import { stillFollowing, unfollowed } from './reads/follower.js';
import { differentPlan, notEssentialTarget } from './reads/plan.js';
import { read } from './deps.js';
import { action, check, runbook, wait } from './runbook.js';
import { timing } from './timings.js';
import { NOT_ESSENTIAL } from './upgrade-via-follower.js';

export const planChangeViaFollowerParams = z.object({ app: appName, plan: postgresPlan });
type Params = z.infer<typeof planChangeViaFollowerParams>;

const notFollowing = read([stillFollowing], async (ctx) => !(await stillFollowing(ctx)));

/**
 * `plan-change --via follower` (Dev Center "Heroku Connect Maintenance Operations", "Changing the
 * Plan of Your Heroku Postgres Database": "While not recommended, you could use the Follower
 * Changeover method instead ... omitting step 4"): the follower changeover onto a follower on the new
 * plan. Without step 4's upgrade, nothing unfollows the follower, and pg:promote "doesn't
 * automatically unfollow its leader": pg:unfollow stands in its place.
 */
export const planChangeViaFollower = runbook<RunbookDeps, Params>({
  name: 'plan-change-via-follower',
  summary: 'Change the database plan through a follower on the new plan, promoted (or put in db_key) with Heroku Connect paused',
  document: maintenanceOperations.planChange,
  command: { command: 'plan-change', via: 'follower', params: [APP, PLAN], schedulable: true, examples: ['plan-change acme-prod premium-0 --via follower'] },
  params: planChangeViaFollowerParams,
  steps: ({ plan }) => [
    ...connectDatabaseChecks(),
    consumersCheck(),
    check('The database is Standard tier or higher', notEssential(NOT_ESSENTIAL)),
    check('The new plan is Standard tier or higher', notEssentialTarget(plan)),
    check('The database is not on that plan already', differentPlan(plan)),
    check('The database is a leader, not a follower', isLeader),
    ...followerChangeoverSteps({
      plan,
      becomeLeader: [
        action('Stop the follower following its leader (pg:unfollow)', { do: unfollow, done: notFollowing, cites: 'instead of step 4' }),
        wait('Wait until the follower has stopped following', unfollowed, { ...timing.unfollowed, cites: 'instead of step 4' }),
      ],
    }),
  ],
});
