import { z } from 'zod';
import type { RunbookDeps } from './deps.js';
import { createDatabaseStep, newDatabaseAvailableStep } from './probes/addons.js';
import { pauseConnectSteps, resumeConnectStep } from './probes/connection.js';
import { restoreFormationStep, scaleDownWorkersStep } from './probes/formation.js';
import { maintenanceOffStep, maintenanceOnStep } from './probes/maintenance.js';
import { verifyConnectStep } from './probes/mapping-states.js';
import { required } from './probes/outputs.js';
import { appName, pgVersion, postgresPlan, shortPlan } from './probes/params.js';
import { connectDatabaseChecks } from './probes/preflight.js';
import { cutoverSteps } from './probes/promote.js';
import { copyFinishedStep, copyStep } from './probes/transfer.js';
import { approval, check, runbook, type Step } from './runbook.js';

export const copyParams = z
  .object({ app: appName, plan: postgresPlan.optional(), version: pgVersion.optional() })
  .refine((p) => p.plan !== undefined || p.version !== undefined, { message: 'give the new database a --plan, a --version, or both', path: ['plan'] });
type Params = z.infer<typeof copyParams>;

/** Check: pg:copy can move to the same or a newer Postgres version, never an older one. */
const versionNotOlder = (version: number | undefined) =>
  check<RunbookDeps, unknown>(`The new database's version is not older than the current one`, async (ctx) => {
    const current = required(ctx, 'database').version;
    if (version === undefined || version >= current) return { ok: true };
    return { ok: false, reason: `The database runs Postgres ${current}; a copy cannot go back to ${version}.`, next: `Choose --version ${current} or newer.` };
  });

export function copySteps({ plan, version }: Pick<Params, 'plan' | 'version'>): Array<Step<RunbookDeps, unknown>> {
  const onto = [plan && shortPlan(plan), version && `Postgres ${version}`].filter(Boolean).join(', ');
  return [
    ...connectDatabaseChecks(),
    versionNotOlder(version),
    createDatabaseStep(`Create the new database (${onto})`, {
      kind: 'copy',
      plan,
      // Without a version Heroku would pick its default, which may be older than the database's.
      config: (ctx) => ({ version: String(version ?? required(ctx, 'database').version) }),
    }),
    newDatabaseAvailableStep('Wait until the new database is available'),
    approval('Approve the cutover'),
    maintenanceOnStep(),
    scaleDownWorkersStep(),
    ...pauseConnectSteps(),
    copyStep(),
    copyFinishedStep(),
    ...cutoverSteps(),
    resumeConnectStep(),
    restoreFormationStep(),
    maintenanceOffStep(),
    verifyConnectStep(),
  ];
}

/**
 * `plan-change --via copy`: the Essential-tier move. A new database, then with the app in maintenance
 * mode and Heroku Connect paused, pg:copy and promote (or db_key), and everything starts again.
 */
export const copy = runbook<RunbookDeps, Params>({
  name: 'copy',
  summary: 'Move the database to a new one with pg:copy (Essential-tier plan changes and upgrades), with Heroku Connect paused',
  params: copyParams,
  steps: copySteps,
});
