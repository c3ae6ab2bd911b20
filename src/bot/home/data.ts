import type { RunView } from '../../ops/engine/types.js';
import type { DatabaseVersion, Incident } from '../../status/health/index.js';
import type { BotContext } from '../context.js';
import type { UpcomingWindow } from '../ports.js';
import { currentApprovalStep } from '../views/run-status.js';

/** What one person's App Home shows: what waits on them, their runs, and the state of their apps. */
export interface HomeData {
  userId: string;
  /** Apps the person operates, approves or reads. */
  apps: string[];
  operatorOf: string[];
  /** Runs at an approval step the person may decide and has not. */
  approvals: Array<{ run: RunView; stepIdx: number }>;
  /** Runs the person started, newest first. */
  mine: RunView[];
  /** Other runs on their apps, newest first. */
  onTheirApps: RunView[];
  incidents: Incident[];
  versions: DatabaseVersion[];
  windows: UpcomingWindow[];
}

const RECENT = 10;

export async function homeData(ctx: BotContext, userId: string): Promise<HomeData> {
  // Operators, approvers and readers of an app may read it: its runs, incidents and warnings.
  const { operatorOf, approverOf, readerOf } = await ctx.access.rolesOf(userId);
  const apps = readerOf;
  const engine = ctx.engine();
  const [recent, active, incidents, versions, windows] = await Promise.all([
    engine.listRuns({ limit: 100 }),
    engine.listRuns({ active: true, limit: 100 }),
    ctx.ports.health?.openIncidents(apps) ?? Promise.resolve([]),
    ctx.ports.health?.versionWarnings(apps) ?? Promise.resolve([]),
    ctx.ports.upcomingWindows(),
  ]);
  const approvals = active
    .filter((run) => run.status === 'awaiting_approval' && approverOf.includes(run.app) && run.requestedBy !== userId)
    .flatMap((run) => {
      const step = currentApprovalStep(run);
      const decided = run.approvals.some((a) => a.userId === userId && a.valid && a.stepIdx === step?.idx);
      return step && !decided ? [{ run, stepIdx: step.idx }] : [];
    });
  return {
    userId,
    apps,
    operatorOf,
    approvals,
    mine: recent.filter((r) => r.requestedBy === userId).slice(0, RECENT),
    onTheirApps: recent.filter((r) => r.requestedBy !== userId && apps.includes(r.app)).slice(0, RECENT),
    incidents,
    versions,
    windows,
  };
}
