import type { Logger } from '../../log.js';
import type { Store } from '../../store/index.js';
import type { RunbookRegistry, StepKind } from '../runbooks/runbook.js';
import type { RunDriver } from './driver.js';

export type {
  ActionStep,
  ApprovalStep,
  CheckResult,
  CheckStep,
  CommandSurface,
  Condition,
  ConditionResult,
  DocumentRef,
  Duration,
  ManualStep,
  ParamSpec,
  Runbook,
  RunbookRegistry,
  Step,
  StepContext,
  StepFn,
  StepKind,
  UndoSpec,
  WaitResult,
  WaitStep,
} from '../runbooks/runbook.js';

/**
 * The engine's public surface: what a run looks like from outside and the calls the bot makes.
 * What runbooks are made of lives with the DSL in ../runbooks/runbook.ts (runbooks sit below the
 * engine) and is re-exported here. Stable: fields are added, never renamed.
 */

// ---------------------------------------------------------------------------------------------
// Plans

export interface PlanStep {
  idx: number;
  title: string;
  kind: StepKind;
  calls: string[];
  downtime?: 'starts' | 'ends';
  /** Waits: poll interval and timeout as written in the runbook, e.g. '10s' and '30m'. */
  every?: string;
  timeout?: string;
  /** Actions: the title of the step that undoes it. */
  undo?: string;
  /** A conditional step: taken only when this holds (`Heroku Connect uses DATABASE_URL`), else skipped. */
  when?: string;
  /** The document step it performs: `Prep 7`, `step 4`. */
  cites?: string;
}

export interface Plan {
  runbook: string;
  app: string;
  summary: string;
  steps: PlanStep[];
  /** The writes-stopped window between the `downtime: 'starts'` and `'ends'` actions; null without one. */
  expectedDowntime: { minMinutes: number; maxMinutes: number } | null;
  /** sha256 of the rendered plan (runbook, app, params, step titles and calls); approvals bind to it. */
  hash: string;
  /** The validated parameters. */
  parametersShown: Record<string, unknown>;
  /** The document the steps' `cites` number into. */
  document?: { title: string; url: string; section?: string };
}

// ---------------------------------------------------------------------------------------------
// Runs as seen from outside

/** Every reason the engine refuses, fails, cancels or holds, used in messages, logs and tests alike. */
export type ReasonCode =
  | 'invalid_params'
  | 'unknown_runbook'
  | 'app_locked'
  | 'run_not_found'
  | 'run_active'
  | 'nothing_to_roll_back'
  | 'check_failed'
  | 'heroku_error'
  | 'retries_exhausted'
  | 'wait_timeout'
  /** A step found that a Heroku operation failed, or that the app's state rules out going on (a runbook's `StepFailed`). */
  | 'operation_failed'
  | 'step_error'
  | 'runbook_changed'
  | 'approval_rejected'
  | 'approval_expired'
  | 'cancelled';

export type RunStatus =
  | 'pending'
  | 'running'
  | 'awaiting_approval'
  | 'awaiting_manual'
  /** Approved, waiting for `notBefore`. */
  | 'scheduled'
  | 'held_for_maintenance'
  | 'succeeded'
  | 'failed'
  | 'cancelled';

/** `skipped`: a conditional step whose condition did not hold; its `skipReason` says why. */
export type StepStatus = 'pending' | 'running' | 'waiting' | 'held' | 'done' | 'skipped' | 'failed' | 'cancelled';

export interface RunError {
  code: ReasonCode;
  /** Index and title of the step, when a step failed. */
  step: number | null;
  stepTitle: string | null;
  message: string;
  /** Heroku's error id (`not_found`, `rate_limit`, ...) and HTTP status, when Heroku answered. */
  herokuId?: string;
  status?: number;
  requestId?: string;
  /** The next thing to try. */
  next: string;
  /** Who cancelled or rejected. */
  by?: string;
}

export interface RollbackStep {
  title: string;
  calls: string[];
  /** The action it undoes. */
  undoes: string;
}

export interface RollbackReport {
  /** What the run changed on the app, in order: the titles of its completed actions. */
  changed: string[];
  /** The undo steps `rollback()` performs, newest first. */
  steps: RollbackStep[];
  /** Completed actions that have no undo: the operator has to consider them by hand. */
  notUndoable: string[];
}

export interface StepView {
  idx: number;
  title: string;
  kind: StepKind;
  status: StepStatus;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  nextPollAt: string | null;
  /** Waits: the condition's last progress text. */
  progress: string | null;
  /** Manual steps: what the operator has to do. */
  instructions: string | null;
  /** Values this step recorded. */
  output: Record<string, unknown> | null;
  error: RunError | null;
  /** A skipped step: why its condition did not hold. */
  skipReason: string | null;
}

export interface ApprovalView {
  stepIdx: number;
  userId: string;
  decision: 'approve' | 'reject';
  at: string;
  /** False when the plan changed after this decision: it no longer counts. */
  valid: boolean;
}

export interface RunView {
  id: string;
  app: string;
  runbook: string;
  status: RunStatus;
  requestedBy: string;
  channel: string | null;
  planHash: string;
  params: Record<string, unknown>;
  notBefore: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  approvalsRequired: number;
  approvals: ApprovalView[];
  /** When the open approval request expires. */
  approvalExpiresAt: string | null;
  cancelRequested: boolean;
  steps: StepView[];
  outputs: Record<string, unknown>;
  error?: RunError;
  /** After a cancel or a failure: the app's state and the steps that roll it back. */
  rollback?: RollbackReport;
  /** Set on a rollback run: the run it rolls back. */
  rollbackOf: string | null;
  /** The maintenance window the run is held for. */
  heldFor?: MaintenanceWindow;
  downtime?: { startedAt: string; endedAt: string | null; ms: number | null };
  /**
   * The engine's CONNECT_OPS_TIME_SCALE: every wait, timeout and approval expiry ran this many times
   * faster than written. Durations measured between the run's timestamps are real; times this
   * factor is the simulated duration (1 outside the sandbox and tests).
   */
  timeScale: number;
}

export interface AuditEvent {
  id: number;
  runId: string | null;
  at: string;
  actor: string;
  type: EngineEventType;
  detail: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// Observer

export type EngineEventType =
  | 'run.created'
  | 'run.started'
  | 'run.resumed'
  | 'run.scheduled'
  | 'run.held'
  | 'run.cancel_requested'
  | 'run.finished'
  | 'step.started'
  | 'step.progress'
  | 'step.retrying'
  | 'step.done'
  | 'step.skipped'
  | 'step.failed'
  | 'approval.requested'
  | 'approval.recorded'
  | 'approval.voided'
  | 'manual.requested'
  | 'manual.completed'
  | 'maintenance.overridden';

export interface EngineEvent {
  type: EngineEventType;
  at: string;
  /** Who caused it: a Slack user id, or `engine`. */
  actor: string;
  stepIdx?: number;
  detail: Record<string, unknown>;
  /** The whole run after the transition, so an observer can render the run's message from it alone. */
  run: RunView;
}

export interface RunObserver {
  onEvent(event: EngineEvent): void | Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Engine

export interface MaintenanceWindow {
  title: string;
  start: string;
  end: string;
  link: string | null;
}

/** Asked before a cutover: a Heroku Connect maintenance window overlapping [from, to], or null. */
export type CutoverGuard = (
  app: string,
  from: Date,
  to: Date,
) => Promise<{ title: string; start: Date | string; end: Date | string; link?: string | null } | null>;

/** The transitions a test can halt the engine at, to simulate a crash there. */
export type TransitionPoint =
  | 'before_step' // nothing written for the step yet
  | 'before_do' // the action is persisted as running, its mutation not yet issued
  | 'after_do' // the mutation was issued, `done` not yet persisted
  | 'after_step'; // the step's outcome is persisted

export interface EngineOptions<Deps> {
  store: Store;
  runbooks: RunbookRegistry<Deps>;
  deps: Deps;
  logger: Logger;
  observer?: RunObserver;
  clock?: () => Date;
  /** CONNECT_OPS_TIME_SCALE: every wait, poll interval, timeout and backoff is divided by it. */
  timeScale?: number;
  cutoverGuard?: CutoverGuard;
  /** Requests per hour all waits together may spend on polling; default 1800 of Heroku's 4500. */
  pollBudgetPerHour?: number;
  /** Transient errors: attempts per step and the backoff between them (before time scaling). */
  retry?: { attempts?: number; baseMs?: number; maxMs?: number };
  /** Who runs the passes: this process (the default), or a job queue shared by replicas (see ./drivers). */
  driver?: RunDriver;
  /**
   * The in-process driver: passes of runs outside a cutover in flight at once (default 16); more
   * wait their turn. A run whose writes are stopped is never kept waiting by this limit.
   */
  passConcurrency?: number;
  /**
   * Replicas: the name of this process (Heroku's `DYNO`, e.g. `web.2`), kept as `process` in the
   * detail of every audit event it writes, so a run's trail shows which process drove each step.
   */
  process?: string;
  /** Tests only: called at every transition; throwing halts the run there as a crash would. */
  onTransition?: (point: TransitionPoint, runId: string, stepIdx: number) => void | Promise<void>;
}

export interface StartRequest {
  runbook: string;
  app: string;
  params?: Record<string, unknown>;
  requestedBy: string;
  channel?: string | null;
  /** How many distinct approvers the approval steps need (from policy); 0 passes them at once. */
  approvalsRequired: number;
  /** How long an approval request stays open (from policy, before time scaling). */
  approvalTimeoutMs: number;
  /** The cutover (the first approval step) does not start before this time. */
  notBefore?: Date | null;
}

export interface DecisionRequest {
  runId: string;
  userId: string;
  /** The hash of the plan the user saw. */
  planHash: string;
  reason?: string;
}

export type DecisionOutcome =
  | 'recorded' // counted; more approvals needed
  | 'approved' // the threshold is reached; the run goes on
  | 'rejected' // the run is cancelled
  | 'already_decided' // this user already decided this request
  | 'self_approval' // the requester may never approve their own run
  | 'expired'
  | 'plan_changed' // the plan differs from the one the user saw: nothing recorded
  | 'not_awaiting_approval'
  | 'run_finished'
  | 'run_not_found';

export interface DecisionResult {
  outcome: DecisionOutcome;
  run?: RunView;
}

export type ManualOutcome = 'completed' | 'already_completed' | 'not_awaiting_manual' | 'run_finished' | 'run_not_found';

export type CancelOutcome =
  | 'cancelled' // stopped now; run.rollback says what to do
  | 'cancelling' // a step is in flight; the run stops when it reaches a safe point
  | 'run_finished'
  | 'run_not_found';

export type OverrideOutcome = 'overridden' | 'not_held' | 'run_finished' | 'run_not_found';

export interface Outcome<O> {
  outcome: O;
  run?: RunView;
}

/** The read side of the engine, also available without one (`createRunReader`). */
export type RunReader = Pick<Engine, 'getRun' | 'listRuns' | 'auditTrail'>;

export interface Engine {
  /** Renders a runbook as its steps, calls and downtime, without side effects. Throws EngineError. */
  plan(runbook: string, params: Record<string, unknown>, app?: string): Plan;
  /** Validates, locks the app and starts the run. Throws EngineError (`invalid_params`, `unknown_runbook`, `app_locked`). */
  start(request: StartRequest): Promise<RunView>;
  approve(request: DecisionRequest): Promise<DecisionResult>;
  reject(request: DecisionRequest): Promise<DecisionResult>;
  completeManualStep(request: { runId: string; stepIdx: number; userId: string }): Promise<Outcome<ManualOutcome>>;
  cancel(request: { runId: string; userId: string; reason?: string }): Promise<Outcome<CancelOutcome>>;
  /** Starts a run that performs the undo steps of a cancelled or failed run. Throws EngineError. */
  rollback(request: { runId: string; userId: string; channel?: string | null }): Promise<RunView>;
  overrideMaintenance(request: { runId: string; userId: string }): Promise<Outcome<OverrideOutcome>>;
  getRun(id: string): Promise<RunView | undefined>;
  /** Newest first. */
  listRuns(query?: { app?: string; limit?: number; active?: boolean }): Promise<RunView[]>;
  auditTrail(runId: string): Promise<AuditEvent[]>;
  /**
   * Starts driving: picks up every unfinished run in the store that nobody drives, and (with a job
   * queue) starts working its wake-ups. Call once, when the process is ready to take runs over.
   */
  resumeAll(): Promise<void>;
  /** Stops driving: passes in flight get until `deadlineMs` (epoch ms) to reach a persisted point. */
  stop(deadlineMs?: number): Promise<void>;
}
