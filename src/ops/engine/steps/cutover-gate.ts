import type { Definition } from '../definitions.js';
import type { Snapshot, StepState } from '../run-store.js';
import type { MaintenanceWindow } from '../types.js';
import type { Next, StepKit } from './kit.js';

/** A cutover is checked against maintenance windows for at least this long. */
const CUTOVER_WINDOW_MS = 60 * 60_000;

/** Before a step's first write: the cutover gate, then the test hook. */
export async function begin<Deps>(kit: StepKit<Deps>, snap: Snapshot, def: Definition<Deps>, state: StepState): Promise<Next | undefined> {
  if (state.status !== 'pending') return undefined;
  const held = await gate(kit, snap, def, state);
  if (held) return held;
  await kit.hook('before_step', snap, state);
  return undefined;
}

/**
 * The cutover gate is the first approval step (or the first step of a runbook without one): it
 * opens no earlier than `notBefore` and not while a Heroku Connect maintenance window overlaps,
 * unless someone overrode that. Rollback runs are not gated.
 */
export async function gate<Deps>(kit: StepKit<Deps>, snap: Snapshot, def: Definition<Deps>, state: StepState): Promise<Next | undefined> {
  const { run } = snap;
  const gateIdx = Math.max(def.steps.findIndex((s) => s.kind === 'approval'), 0);
  if (run.rollbackOf || state.idx !== gateIdx) return undefined;
  const now = kit.nowMs();
  const notBefore = run.notBefore ? Date.parse(run.notBefore) : 0;
  if (now < notBefore) {
    if (run.status !== 'scheduled') {
      await kit.commit(snap, {
        run: { status: 'scheduled' },
        step: { idx: state.idx, set: { nextPollAt: run.notBefore } },
        audit: [{ type: 'run.scheduled', actor: 'engine', stepIdx: state.idx, detail: { notBefore: run.notBefore } }],
      });
    }
    return { until: notBefore };
  }
  const guard = kit.o.cutoverGuard;
  if (!guard || run.maintenanceOverrideBy) return undefined;
  const span = Math.max((def.plan.expectedDowntime?.maxMinutes ?? 0) * 60_000, CUTOVER_WINDOW_MS);
  let found;
  try {
    found = await guard(run.app, new Date(now), new Date(now + span));
  } catch (error) {
    kit.o.logger.warn({ err: error, runId: run.id }, 'maintenance check failed; the cutover goes on');
    return undefined;
  }
  if (!found) return undefined;
  const window: MaintenanceWindow = {
    title: found.title,
    start: new Date(found.start).toISOString(),
    end: new Date(found.end).toISOString(),
    link: found.link ?? null,
  };
  if (run.status !== 'held_for_maintenance' || run.heldFor?.end !== window.end) {
    await kit.commit(snap, {
      run: { status: 'held_for_maintenance', heldFor: window },
      step: { idx: state.idx, set: { nextPollAt: window.end } },
      audit: [{ type: 'run.held', actor: 'engine', stepIdx: state.idx, detail: { window } }],
    });
  }
  // Ask again when the window ends (never sooner than a minute, whatever the window says).
  return { until: Math.max(Date.parse(window.end), now + kit.scaled(60_000)) };
}
