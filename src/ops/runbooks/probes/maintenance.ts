import type { Probe, RunbookDeps } from '../deps.js';
import { action, type ActionStep, type UndoSpec } from '../runbook.js';

/** Maintenance mode: web dynos serve a maintenance page, so the app's users stop writing. */

const ON_CALL = 'PATCH /apps/{app} {"maintenance": true}';
const OFF_CALL = 'PATCH /apps/{app} {"maintenance": false}';
const OFF_TITLE = 'Turn maintenance mode off';

const setMaintenance = (on: boolean): Probe<void> => async (ctx) => {
  await ctx.deps.platform.setMaintenance(ctx.app, on);
};

const maintenanceIs = (on: boolean): Probe<boolean> => async (ctx) => (await ctx.deps.platform.app(ctx.app)).maintenance === on;

const maintenanceOffUndo: UndoSpec<RunbookDeps, unknown> = { title: OFF_TITLE, do: setMaintenance(false), done: maintenanceIs(false), calls: [OFF_CALL] };

/** Starts the downtime: the app stops taking writes from its users. */
export function maintenanceOnStep(): ActionStep<RunbookDeps, unknown> {
  return action('Turn maintenance mode on', {
    do: setMaintenance(true),
    done: maintenanceIs(true),
    undo: maintenanceOffUndo,
    downtime: 'starts',
    calls: [ON_CALL],
  });
}

/** Ends the downtime. */
export function maintenanceOffStep(): ActionStep<RunbookDeps, unknown> {
  return action(OFF_TITLE, { do: setMaintenance(false), done: maintenanceIs(false), downtime: 'ends', calls: [OFF_CALL] });
}
