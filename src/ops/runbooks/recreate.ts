import { z } from 'zod';
import { isNotFound } from '../heroku/errors.js';
import type { Probe, RunbookDeps } from './deps.js';
import { connectionHasDatabase, pauseConnectSteps } from './probes/connection.js';
import {
  authorizeSalesforceStep,
  connectAddOnFound,
  createConnectAddOnStep,
  exportConfigurationCheck,
  importConfigurationStep,
  importFinishedStep,
  newConnectionListedStep,
  salesforceAuthorizedStep,
  setDatabaseStep,
  settingsByHandStep,
} from './probes/connection-config.js';
import { allMappingsSynced, mappingsSyncedStep, noPendingChanges } from './probes/mapping-states.js';
import { appName } from './probes/params.js';
import { required } from './probes/outputs.js';
import { connectionFoundCheck } from './probes/preflight.js';
import { action, approval, check, runbook, type ActionStep, type CheckResult, type Step } from './runbook.js';

export const recreateParams = z.object({ app: appName });
type Params = z.infer<typeof recreateParams>;

const DETAIL = 'GET /api/v3/connections/{id}?deep=true';

/** Check: the app takes no writes: maintenance mode on and every non-web process type at 0. */
const writesStopped: Probe<CheckResult> = async (ctx) => {
  const [app, formation] = await Promise.all([ctx.deps.platform.app(ctx.app), ctx.deps.platform.formation(ctx.app)]);
  const running = formation.filter((f) => f.type !== 'web' && f.quantity > 0);
  if (app.maintenance && running.length === 0) return { ok: true };
  const why = [!app.maintenance && 'maintenance mode is off', running.length > 0 && `${running.map((f) => `${f.type}=${f.quantity}`).join(', ')} still run`].filter(Boolean);
  const scale = running.map((f) => `${f.type}=0`).join(' ');
  return {
    ok: false,
    reason: `${ctx.app} still takes writes: ${why.join(' and ')}.`,
    next: `Stop writes first: ${[!app.maintenance && `\`heroku maintenance:on -a ${ctx.app}\``, scale && `\`heroku ps:scale ${scale} -a ${ctx.app}\``].filter(Boolean).join(' and ')}, then start again.`,
  };
};

/** Done probe of the destroy: the add-on is gone, or going. */
const oldAddOnGone: Probe<boolean> = async (ctx) => {
  try {
    const { state } = await ctx.deps.platform.addOn(ctx.app, required(ctx, 'connectAddOn').name);
    return state === 'deprovisioning' || state === 'deprovisioned';
  } catch (error) {
    if (isNotFound(error)) return true;
    throw error;
  }
};

const destroyOldAddOnStep = (): ActionStep<RunbookDeps, unknown> =>
  action('Destroy the old Heroku Connect add-on', {
    do: async (ctx) => {
      await ctx.deps.platform.destroyAddOn(ctx.app, required(ctx, 'connectAddOn').name);
    },
    done: oldAddOnGone,
    calls: ['DELETE /apps/{app}/addons/{addon}'],
  });

/** The old connection is destroyed right after its pause, so resuming it is no rollback. */
function pauseForGood(): Array<Step<RunbookDeps, unknown>> {
  return pauseConnectSteps({ downtime: 'starts' }).map((step) => (step.kind === 'action' ? { ...step, undo: undefined } : step));
}

function recreateSteps(): Array<Step<RunbookDeps, unknown>> {
  return [
    connectionFoundCheck(),
    check('Heroku Connect has a database set (db_key)', connectionHasDatabase, { calls: [DETAIL] }),
    check("Heroku Connect's add-on and plan are known", connectAddOnFound, { calls: [DETAIL, 'GET /apps/{app}/addons/{addon}'] }),
    check('Every mapping is DATA_SYNCED', allMappingsSynced, { calls: [DETAIL] }),
    check("The app's writes are stopped (maintenance mode on, worker dynos at 0)", writesStopped, { calls: ['GET /apps/{app}', 'GET /apps/{app}/formation'] }),
    check('Heroku Connect has no changes left to write to Salesforce', noPendingChanges, { calls: [DETAIL] }),
    exportConfigurationCheck(),
    approval('Approve destroying and recreating the Heroku Connect add-on'),
    ...pauseForGood(),
    destroyOldAddOnStep(),
    createConnectAddOnStep('Create a new Heroku Connect add-on on the same plan', { undo: false }),
    newConnectionListedStep(),
    setDatabaseStep('Set the database and schema of the new connection (connect:db:set)', 'newConnection', (ctx) => required(ctx, 'connection').db_key ?? 'DATABASE_URL'),
    authorizeSalesforceStep(),
    salesforceAuthorizedStep(),
    { ...importConfigurationStep('Import the kept configuration into the new connection'), downtime: 'ends' },
    importFinishedStep(),
    mappingsSyncedStep('newConnection', 'all', 'Wait until every mapping is DATA_SYNCED', { every: '1m', max: '10m', timeout: '72h', expect: ['10m', '24h'] }),
    settingsByHandStep(),
  ];
}

/**
 * `recreate`: rebuild the Heroku Connect add-on from its exported configuration. With writes
 * stopped and every mapping DATA_SYNCED, the old add-on is paused and destroyed, a new one is
 * created, set to the same database and schema, authorized in Salesforce, and given the same
 * mappings, which then load again. What the export does not carry is listed for the operator.
 */
export const recreate = runbook<RunbookDeps, Params>({
  name: 'recreate',
  summary: 'Recreate the Heroku Connect add-on from its exported configuration (writes stopped, every mapping DATA_SYNCED)',
  params: recreateParams,
  steps: recreateSteps,
});
