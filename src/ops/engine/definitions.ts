import type { Runbook, RunbookRegistry, Step } from '../runbooks/runbook.js';
import { EngineError } from './errors.js';
import { downtimeWindow, renderPlan, validateParams, type DowntimeWindow, type ValidParams } from './plan.js';
import { rollbackOf } from './rollback.js';
import type { Snapshot } from './run-store.js';
import type { Plan } from './types.js';

/** A run's steps as its runbook defines them for its parameters, and the plan they render as. */
export interface Definition<Deps> {
  runbook: Runbook<Deps>;
  valid: ValidParams;
  steps: ReadonlyArray<Step<Deps>>;
  plan: Plan;
  /** Where writes are stopped: the waits in it poll at their own pace, whatever the polling budget. */
  downtime: DowntimeWindow | null;
}

/**
 * Resolves runbooks and parameters into step lists. A run's definition is derived from what the
 * store holds (runbook name and parameters), never stored itself, so a restarted process rebuilds
 * it; a rollback run derives its steps from the run it rolls back.
 */
export class Definitions<Deps> {
  private readonly byRun = new Map<string, Definition<Deps>>();

  constructor(
    private readonly registry: RunbookRegistry<Deps>,
    private readonly load: (runId: string) => Promise<Snapshot | undefined>,
  ) {}

  fresh(name: string, params: Record<string, unknown>, app?: string): Definition<Deps> {
    return defineRun(this.registry, name, params, app);
  }

  /** Throws EngineError when the run's runbook or parameters are no longer valid (e.g. after a deploy). */
  async forRun(snapshot: Snapshot): Promise<Definition<Deps>> {
    const cached = this.byRun.get(snapshot.run.id);
    if (cached) return cached;
    const definition = snapshot.run.rollbackOf
      ? await this.rollbackFor(snapshot.run.rollbackOf)
      : this.fresh(snapshot.run.runbook, snapshot.run.params);
    // Only unfinished runs are looked up again and again; finished ones are not kept.
    if (!snapshot.run.finishedAt) this.byRun.set(snapshot.run.id, definition);
    return definition;
  }

  /** The undo steps of a finished run, as the definition of the run that performs them. */
  async rollbackFor(runId: string): Promise<Definition<Deps>> {
    const original = await this.load(runId);
    if (!original) throw new EngineError('run_not_found', `There is no run ${runId}.`);
    const of = await this.forRun(original);
    const { actions } = rollbackOf(of.steps, original.steps);
    const runbook: Runbook<Deps> = {
      name: of.runbook.name,
      summary: `Roll back ${of.runbook.name} run ${runId}`,
      params: of.runbook.params,
      steps: () => actions,
    };
    return define(runbook, of.valid);
  }

  forget(runId: string): void {
    this.byRun.delete(runId);
  }
}

/** A runbook's definition for these parameters. Throws EngineError `unknown_runbook` or `invalid_params`. */
function defineRun<Deps>(registry: RunbookRegistry<Deps>, name: string, params: Record<string, unknown>, app?: string): Definition<Deps> {
  const runbook = registry.get(name);
  if (!runbook) {
    const known = [...registry.keys()].join(', ');
    throw new EngineError('unknown_runbook', `There is no runbook named ${name}. Runbooks: ${known}.`);
  }
  return define(runbook, validateParams(runbook, params, app));
}

/** The plan of a runbook without an engine or a store: for `connect-ops plan`. Throws EngineError. */
export function planRunbook<Deps>(registry: RunbookRegistry<Deps>, name: string, params: Record<string, unknown>, app?: string): Plan {
  return defineRun(registry, name, params, app).plan;
}

function define<Deps>(runbook: Runbook<Deps>, valid: ValidParams): Definition<Deps> {
  const steps = runbook.steps(valid.params);
  return { runbook, valid, steps, plan: renderPlan(runbook, valid, steps), downtime: downtimeWindow(steps) };
}
