import { z } from 'zod';
import { copySteps } from './copy.js';
import type { RunbookDeps } from './deps.js';
import { verifyConnectStep } from './probes/mapping-states.js';
import { appName, postgresPlan } from './probes/params.js';
import { changePlanStep, differentPlan, planChangedStep, sameTierFamily } from './probes/plan.js';
import { connectDatabaseChecks } from './probes/preflight.js';
import { planChangeViaFollowerSteps } from './plan-change-via-follower.js';
import { approval, check, runbook } from './runbook.js';

export const planChangeParams = z.object({ app: appName, plan: postgresPlan, via: z.enum(['follower', 'copy']).optional() });
type Params = z.infer<typeof planChangeParams>;

/**
 * `plan-change`: the plan in place with addons:upgrade (Heroku Connect rides the changeover like an
 * HA failover). `--via follower` and `--via copy` run those procedures instead.
 */
export const planChange = runbook<RunbookDeps, Params>({
  name: 'plan-change',
  summary: 'Change the database plan in place (addons:upgrade) and check Heroku Connect after it (--via follower or --via copy: those changeovers)',
  params: planChangeParams,
  steps: ({ plan, via }) => {
    if (via === 'follower') return planChangeViaFollowerSteps({ plan });
    if (via === 'copy') return copySteps({ plan });
    return [
      ...connectDatabaseChecks(),
      check('The new plan is in the same tier family (Essential-tier moves use pg:copy)', sameTierFamily(plan)),
      check('The database is not on that plan already', differentPlan(plan)),
      approval('Approve the plan change'),
      changePlanStep(plan),
      planChangedStep(),
      verifyConnectStep(),
    ];
  },
});
