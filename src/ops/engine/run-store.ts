import type { Kysely, Transaction } from 'kysely';
import type { Database, Store } from '../../store/index.js';
import type { StepKind } from '../runbooks/runbook.js';
import type {
  AuditEvent,
  EngineEventType,
  MaintenanceWindow,
  RunError,
  RunStatus,
  StepStatus,
} from './types.js';

/** The engine's rows in the store; this module alone turns them into typed state and back. */
type RunRow = Database['runs'];
type StepRow = Database['steps'];

export interface RunState {
  id: string;
  app: string;
  runbook: string;
  /** The parameters as given (with `app`); validated again whenever the run is loaded. */
  params: Record<string, unknown>;
  status: RunStatus;
  requestedBy: string;
  channel: string | null;
  planHash: string;
  notBefore: string | null;
  outputs: Record<string, unknown>;
  error: RunError | null;
  /** A cancel (or a rejection) waiting for the run's next safe point. */
  cancelRequest: CancelRequest | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  approvalsRequired: number;
  approvalTimeoutMs: number;
  maintenanceOverrideBy: string | null;
  heldFor: MaintenanceWindow | null;
  rollbackOf: string | null;
}

export interface CancelRequest {
  by: string;
  reason?: string;
  code?: 'cancelled' | 'approval_rejected';
}

export interface StepState {
  idx: number;
  title: string;
  kind: StepKind;
  status: StepStatus;
  attempts: number;
  retries: number;
  startedAt: string | null;
  finishedAt: string | null;
  nextPollAt: string | null;
  pollIntervalMs: number | null;
  progress: string | null;
  instructions: string | null;
  input: Record<string, unknown> | null;
  output: Record<string, unknown> | null;
  error: RunError | null;
  /** A skipped step: why its condition did not hold. */
  skipReason: string | null;
}

export interface ApprovalState {
  stepIdx: number;
  userId: string;
  decision: 'approve' | 'reject';
  planHash: string;
  at: string;
}

export interface Snapshot {
  run: RunState;
  steps: StepState[];
  approvals: ApprovalState[];
}

export type RunPatch = Partial<
  Pick<RunState, 'status' | 'planHash' | 'outputs' | 'error' | 'cancelRequest' | 'finishedAt' | 'maintenanceOverrideBy' | 'heldFor'>
>;
export type StepPatch = Partial<Omit<StepState, 'idx' | 'title' | 'kind'>>;

export interface AuditEntry {
  type: EngineEventType;
  actor: string;
  stepIdx?: number;
  detail?: Record<string, unknown>;
}

/** One transition: the run's and one step's new state and its audit events, written together. */
export interface Change {
  run?: RunPatch;
  step?: { idx: number; set: StepPatch };
  audit: AuditEntry[];
  /** The run is over: free its app for the next run. */
  releaseLock?: boolean;
}

export type NewRun = Omit<RunState, 'updatedAt' | 'finishedAt' | 'error' | 'cancelRequest' | 'maintenanceOverrideBy' | 'heldFor'>;

const json = (value: unknown) => (value == null ? null : JSON.stringify(value));
const parse = <T>(text: string | null): T | null => (text == null ? null : (JSON.parse(text) as T));

export class RunStore {
  private readonly db: Kysely<Database>;
  private readonly writeAudit: (trx: Transaction<Database>, runId: string, at: string, entry: AuditEntry) => Promise<void>;

  /** `origin`: the process writing (a replica's dyno), kept in each audit event's detail as `process`. */
  constructor(store: Store, origin?: string) {
    this.db = store.db;
    this.writeAudit = (trx, runId, at, entry) => insertAudit(trx, runId, at, origin === undefined ? entry : { ...entry, detail: { ...entry.detail, process: origin } });
  }

  /**
   * Creates the run, its steps and the app's lock in one transaction. Returns the run that holds
   * the app instead when there is one.
   */
  async create(run: NewRun, steps: Array<{ title: string; kind: StepKind }>, audit: AuditEntry): Promise<{ heldBy?: string }> {
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx.insertInto('app_locks').values({ app: run.app, run_id: run.id, acquired_at: run.createdAt }).execute();
        await trx
          .insertInto('runs')
          .values({
            id: run.id,
            app: run.app,
            runbook: run.runbook,
            params: JSON.stringify(run.params),
            status: run.status,
            requested_by: run.requestedBy,
            channel: run.channel,
            plan_hash: run.planHash,
            not_before: run.notBefore,
            outputs: JSON.stringify(run.outputs),
            error: null,
            created_at: run.createdAt,
            updated_at: run.createdAt,
            finished_at: null,
            approvals_required: run.approvalsRequired,
            approval_timeout_ms: run.approvalTimeoutMs,
            cancel_request: null,
            maintenance_override_by: null,
            held_for: null,
            rollback_of: run.rollbackOf,
          })
          .execute();
        if (steps.length > 0) {
          await trx
            .insertInto('steps')
            .values(
              steps.map((s, idx) => ({
                run_id: run.id, idx, title: s.title, kind: s.kind, status: 'pending', attempts: 0, started_at: null,
                finished_at: null, next_poll_at: null, output: null, error: null, input: null, progress: null,
                instructions: null, poll_interval_ms: null, retries: 0, skip_reason: null,
              })),
            )
            .execute();
        }
        await this.writeAudit(trx, run.id, run.createdAt, audit);
      });
      return {};
    } catch (error) {
      const holder = await this.db.selectFrom('app_locks').select('run_id').where('app', '=', run.app).executeTakeFirst();
      if (holder) return { heldBy: holder.run_id };
      throw error;
    }
  }

  async commit(runId: string, at: string, change: Change): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('runs').set({ ...encodeRun(change.run ?? {}), updated_at: at }).where('id', '=', runId).execute();
      if (change.step) {
        await trx
          .updateTable('steps')
          .set(encodeStep(change.step.set))
          .where('run_id', '=', runId)
          .where('idx', '=', change.step.idx)
          .execute();
      }
      if (change.releaseLock) await trx.deleteFrom('app_locks').where('run_id', '=', runId).execute();
      for (const entry of change.audit) await this.writeAudit(trx, runId, at, entry);
    });
  }

  async load(runId: string): Promise<Snapshot | undefined> {
    const [snapshot] = await this.loadMany(await this.db.selectFrom('runs').selectAll().where('id', '=', runId).execute());
    return snapshot;
  }

  async list(query: { app?: string; limit?: number; active?: boolean }): Promise<Snapshot[]> {
    let select = this.db.selectFrom('runs').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
    if (query.app) select = select.where('app', '=', query.app);
    if (query.active) select = select.where('finished_at', 'is', null);
    return this.loadMany(await select.limit(query.limit ?? 20).execute());
  }

  /** The ids of runs that have not finished, oldest first. */
  async unfinished(): Promise<string[]> {
    const rows = await this.db.selectFrom('runs').select('id').where('finished_at', 'is', null).orderBy('created_at').execute();
    return rows.map((r) => r.id);
  }

  /** How many runs are at a wait step right now, across every process (they share the polling budget). */
  async waiting(): Promise<number> {
    const row = await this.db
      .selectFrom('steps')
      .innerJoin('runs', 'runs.id', 'steps.run_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('steps.status', '=', 'waiting')
      .where('runs.finished_at', 'is', null)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Sets one user's decision on an approval request, replacing one made on an older plan. */
  async decide(
    runId: string,
    decision: ApprovalState,
    audit: AuditEntry,
  ): Promise<'recorded' | 'already_decided'> {
    return this.db.transaction().execute(async (trx): Promise<'recorded' | 'already_decided'> => {
      const existing = await trx
        .selectFrom('approvals')
        .select(['id', 'plan_hash'])
        .where('run_id', '=', runId)
        .where('step_idx', '=', decision.stepIdx)
        .where('user_id', '=', decision.userId)
        .executeTakeFirst();
      if (existing?.plan_hash === decision.planHash) return 'already_decided';
      const values = { decision: decision.decision, plan_hash: decision.planHash, created_at: decision.at };
      if (existing) await trx.updateTable('approvals').set(values).where('id', '=', existing.id).execute();
      else await trx.insertInto('approvals').values({ run_id: runId, step_idx: decision.stepIdx, user_id: decision.userId, ...values }).execute();
      await this.writeAudit(trx, runId, decision.at, audit);
      return 'recorded';
    }).catch(async (error: unknown): Promise<'already_decided'> => {
      // A concurrent click inserted the same decision first; the unique constraint counted it once.
      const again = await this.db
        .selectFrom('approvals')
        .select('plan_hash')
        .where('run_id', '=', runId)
        .where('step_idx', '=', decision.stepIdx)
        .where('user_id', '=', decision.userId)
        .executeTakeFirst();
      if (again?.plan_hash === decision.planHash) return 'already_decided';
      throw error;
    });
  }

  /** Writes outputs a step recorded, at once, so they survive a crash right after. */
  async record(runId: string, stepIdx: number, outputs: Record<string, unknown>, stepOutput: Record<string, unknown>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('runs').set({ outputs: JSON.stringify(outputs) }).where('id', '=', runId).execute();
      await trx
        .updateTable('steps')
        .set({ output: JSON.stringify(stepOutput) })
        .where('run_id', '=', runId)
        .where('idx', '=', stepIdx)
        .execute();
    });
  }

  async audit(runId: string): Promise<AuditEvent[]> {
    const rows = await this.db.selectFrom('audit_events').selectAll().where('run_id', '=', runId).orderBy('id').execute();
    return rows.map((r) => ({
      id: Number(r.id),
      runId: r.run_id,
      at: r.at,
      actor: r.actor,
      type: r.type as EngineEventType,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    }));
  }

  private async loadMany(runs: RunRow[]): Promise<Snapshot[]> {
    if (runs.length === 0) return [];
    const ids = runs.map((r) => r.id);
    const [steps, approvals] = await Promise.all([
      this.db.selectFrom('steps').selectAll().where('run_id', 'in', ids).orderBy('idx').execute(),
      this.db.selectFrom('approvals').selectAll().where('run_id', 'in', ids).orderBy('id').execute(),
    ]);
    return runs.map((row) => ({
      run: decodeRun(row),
      steps: steps.filter((s) => s.run_id === row.id).map(decodeStep),
      approvals: approvals
        .filter((a) => a.run_id === row.id)
        .map((a) => ({
          stepIdx: a.step_idx,
          userId: a.user_id,
          decision: a.decision as ApprovalState['decision'],
          planHash: a.plan_hash,
          at: a.created_at,
        })),
    }));
  }
}

async function insertAudit(trx: Transaction<Database>, runId: string, at: string, entry: AuditEntry): Promise<void> {
  const detail = entry.stepIdx === undefined ? (entry.detail ?? {}) : { step: entry.stepIdx, ...entry.detail };
  await trx
    .insertInto('audit_events')
    .values({ run_id: runId, at, actor: entry.actor, type: entry.type, detail: JSON.stringify(detail) })
    .execute();
}

function decodeRun(r: RunRow): RunState {
  return {
    id: r.id,
    app: r.app,
    runbook: r.runbook,
    params: JSON.parse(r.params) as Record<string, unknown>,
    status: r.status as RunStatus,
    requestedBy: r.requested_by,
    channel: r.channel,
    planHash: r.plan_hash,
    notBefore: r.not_before,
    outputs: JSON.parse(r.outputs) as Record<string, unknown>,
    error: parse<RunError>(r.error),
    cancelRequest: parse<CancelRequest>(r.cancel_request),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
    approvalsRequired: r.approvals_required,
    approvalTimeoutMs: Number(r.approval_timeout_ms),
    maintenanceOverrideBy: r.maintenance_override_by,
    heldFor: parse<MaintenanceWindow>(r.held_for),
    rollbackOf: r.rollback_of,
  };
}

function decodeStep(s: StepRow): StepState {
  return {
    idx: s.idx,
    title: s.title,
    kind: s.kind as StepKind,
    status: s.status as StepStatus,
    attempts: s.attempts,
    retries: s.retries,
    startedAt: s.started_at,
    finishedAt: s.finished_at,
    nextPollAt: s.next_poll_at,
    pollIntervalMs: s.poll_interval_ms,
    progress: s.progress,
    instructions: s.instructions,
    input: parse<Record<string, unknown>>(s.input),
    output: parse<Record<string, unknown>>(s.output),
    error: parse<RunError>(s.error),
    skipReason: s.skip_reason ?? null,
  };
}

function encodeRun(p: RunPatch): Partial<RunRow> {
  const row: Partial<RunRow> = {};
  if (p.status !== undefined) row.status = p.status;
  if (p.planHash !== undefined) row.plan_hash = p.planHash;
  if (p.outputs !== undefined) row.outputs = JSON.stringify(p.outputs);
  if (p.error !== undefined) row.error = json(p.error);
  if (p.cancelRequest !== undefined) row.cancel_request = json(p.cancelRequest);
  if (p.finishedAt !== undefined) row.finished_at = p.finishedAt;
  if (p.maintenanceOverrideBy !== undefined) row.maintenance_override_by = p.maintenanceOverrideBy;
  if (p.heldFor !== undefined) row.held_for = json(p.heldFor);
  return row;
}

function encodeStep(p: StepPatch): Partial<StepRow> {
  const row: Partial<StepRow> = {};
  if (p.status !== undefined) row.status = p.status;
  if (p.attempts !== undefined) row.attempts = p.attempts;
  if (p.retries !== undefined) row.retries = p.retries;
  if (p.startedAt !== undefined) row.started_at = p.startedAt;
  if (p.finishedAt !== undefined) row.finished_at = p.finishedAt;
  if (p.nextPollAt !== undefined) row.next_poll_at = p.nextPollAt;
  if (p.pollIntervalMs !== undefined) row.poll_interval_ms = p.pollIntervalMs;
  if (p.progress !== undefined) row.progress = p.progress;
  if (p.instructions !== undefined) row.instructions = p.instructions;
  if (p.input !== undefined) row.input = json(p.input);
  if (p.output !== undefined) row.output = json(p.output);
  if (p.error !== undefined) row.error = json(p.error);
  if (p.skipReason !== undefined) row.skip_reason = p.skipReason;
  return row;
}
