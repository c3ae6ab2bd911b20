import { Gauge } from 'prom-client';
import type { RunReader, RunView } from '../ops/engine/types.js';
import { isSettled } from '../ops/engine/view.js';
import type { Store } from '../store/index.js';
import { PREFIX, type Metrics } from './registry.js';

/**
 * Figures read from the store at each scrape, so every replica answers the same: runs by runbook
 * and status, the approvals still awaited per app, and each app's last measured cutover downtime
 * (from the action that stopped writes being sent to the one that let them resume, as the run
 * message shows it: ops/engine/view.ts).
 */

export interface StoreGaugeSources {
  store: Store;
  runs: Pick<RunReader, 'listRuns'>;
  /** The policy's apps: the downtime of each is looked up. */
  apps: () => string[];
}

/** How far back an app's runs are searched for its last cutover. */
const RUNS_SEARCHED = 20;
/** The active runs read for their approvals (more than one app can have at once). */
const ACTIVE_RUNS = 1000;

export function storeGauges(metrics: Metrics, sources: StoreGaugeSources): void {
  const registers = [metrics.registry];
  const runs = new Gauge({
    name: `${PREFIX}runs`,
    help: 'Runs in the store by runbook and status (every replica reads the same store)',
    labelNames: ['runbook', 'status'] as const,
    registers,
  });
  const approvalsPending = new Gauge({
    name: `${PREFIX}approvals_pending`,
    help: 'Approvals still awaited by the runs waiting for approval, per app',
    labelNames: ['app'] as const,
    registers,
  });
  const downtime = new Gauge({
    name: `${PREFIX}last_cutover_downtime_seconds`,
    help: 'Writes-stopped time of the app’s last finished cutover, as measured by its run',
    labelNames: ['app', 'runbook'] as const,
    registers,
  });
  const cutoverEnded = new Gauge({
    name: `${PREFIX}last_cutover_end_timestamp_seconds`,
    help: 'When the app’s last cutover let writes resume',
    labelNames: ['app'] as const,
    registers,
  });

  metrics.onScrape('store', async () => {
    const [counts, active, cutovers] = await Promise.all([
      sources.store.db
        .selectFrom('runs')
        .select((eb) => ['runbook', 'status', eb.fn.countAll<string | number>().as('n')])
        .groupBy(['runbook', 'status'])
        .execute(),
      sources.runs.listRuns({ active: true, limit: ACTIVE_RUNS }),
      Promise.all(sources.apps().map(async (app) => ({ app, run: lastCutover(await sources.runs.listRuns({ app, limit: RUNS_SEARCHED })) }))),
    ]);
    // Reset first: a runbook or status no run has any more leaves the exposition.
    runs.reset();
    for (const row of counts) runs.set({ runbook: row.runbook, status: row.status }, Number(row.n));
    approvalsPending.reset();
    for (const app of sources.apps()) approvalsPending.set({ app }, 0);
    for (const run of active) {
      const awaited = awaitedApprovals(run);
      if (awaited > 0) approvalsPending.inc({ app: run.app }, awaited);
    }
    downtime.reset();
    cutoverEnded.reset();
    for (const { app, run } of cutovers) {
      if (!run?.downtime?.endedAt || run.downtime.ms === null) continue;
      downtime.set({ app, runbook: run.runbook }, run.downtime.ms / 1000);
      cutoverEnded.set({ app }, Date.parse(run.downtime.endedAt) / 1000);
    }
  });
}

/** The newest run (newest first) whose downtime ended. */
function lastCutover(runs: RunView[]): RunView | undefined {
  return runs.find((r) => r.downtime?.ms !== undefined && r.downtime.ms !== null);
}

/** Approvals the run's open request still needs: those required less the valid ones given on it. */
function awaitedApprovals(run: RunView): number {
  if (run.status !== 'awaiting_approval') return 0;
  const step = run.steps.find((s) => !isSettled(s.status));
  if (step?.kind !== 'approval') return 0;
  const given = run.approvals.filter((a) => a.stepIdx === step.idx && a.valid && a.decision === 'approve').length;
  return Math.max(0, run.approvalsRequired - given);
}
