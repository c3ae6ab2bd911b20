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
  private readonly copies: SnapshotCopies | undefined;

  /**
   * `origin`: the process writing (a replica's dyno), kept in each audit event's detail as `process`.
   * `sole`: this RunStore makes the writes to the runs (one process, the in-process driver): it then
   * keeps each unfinished run as last written and serves it without reading the store again. On
   * SQLite another process may still write to the file (one that holds the engine lease while this
   * one waits for it, or the other way round): its commits drop every copy.
   */
  constructor(store: Store, origin?: string, options: { sole?: boolean } = {}) {
    this.db = store.db;
    this.writeAudit = (trx, runId, at, entry) => insertAudit(trx, runId, at, origin === undefined ? entry : { ...entry, detail: { ...entry.detail, process: origin } });
    this.copies = options.sole ? new SnapshotCopies(store.redact ?? ((text) => text), store.dataVersion) : undefined;
  }

  /**
   * Creates the run, its steps and the app's lock in one transaction. Returns the run that holds
   * the app instead when there is one.
   */
  async create(run: NewRun, steps: Array<{ title: string; kind: StepKind }>, audit: AuditEntry): Promise<{ heldBy?: string }> {
    this.copies?.writing(run.id);
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
      this.copies?.wrote(run.id);
      return {};
    } catch (error) {
      this.copies?.wrote(run.id);
      const holder = await this.db.selectFrom('app_locks').select('run_id').where('app', '=', run.app).executeTakeFirst();
      if (holder) return { heldBy: holder.run_id };
      throw error;
    }
  }

  async commit(runId: string, at: string, change: Change): Promise<void> {
    // A change that finishes the run drops its copy (`apply`); a read of it in flight meanwhile is not kept.
    await this.written(runId, (trx) => this.commitIn(trx, runId, at, change), (copy) => this.copies!.commit(copy, at, change));
  }

  private async commitIn(trx: Transaction<Database>, runId: string, at: string, change: Change): Promise<void> {
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
  }

  /**
   * Writes in one transaction and, when this store keeps the run, applies the same change to its copy
   * once the transaction has committed: a copy never shows what the store does not hold yet (another
   * reader, a scrape of /metrics, would see the run behind it). Two writes to one run that touch the
   * same row commit in turn (its lock), so their copies change in that order; a failed write drops it.
   */
  private async written<T>(runId: string, write: (trx: Transaction<Database>) => Promise<T>, apply: (copy: Snapshot, result: T) => Snapshot | undefined): Promise<T> {
    this.copies?.writing(runId);
    try {
      const result = await this.db.transaction().execute(write);
      this.copies?.apply(runId, (copy) => apply(copy, result));
      return result;
    } catch (error) {
      this.copies?.drop(runId);
      throw error;
    } finally {
      this.copies?.wrote(runId);
    }
  }

  async load(runId: string): Promise<Snapshot | undefined> {
    const copy = this.copies?.get(runId);
    if (copy) return copy;
    const since = this.copies?.reading();
    try {
      const [snapshot] = await this.loadMany(await this.db.selectFrom('runs').selectAll().where('id', '=', runId).execute());
      if (snapshot && since !== undefined) this.copies!.keep(snapshot, since);
      return snapshot;
    } finally {
      this.copies?.read();
    }
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
    return this.written(runId, async (trx): Promise<'recorded' | 'already_decided'> => {
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
    }, (copy, result) => (result === 'recorded' ? this.copies!.decide(copy, decision) : copy)).catch(async (error: unknown): Promise<'already_decided'> => {
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
    await this.written(runId, async (trx) => {
      await trx.updateTable('runs').set({ outputs: JSON.stringify(outputs) }).where('id', '=', runId).execute();
      await trx
        .updateTable('steps')
        .set({ output: JSON.stringify(stepOutput) })
        .where('run_id', '=', runId)
        .where('idx', '=', stepIdx)
        .execute();
    }, (copy) => this.copies!.record(copy, stepIdx, outputs, stepOutput));
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

/**
 * The unfinished runs as this process last wrote them, for a RunStore that makes every write to
 * them (one process driving its runs): a pass then reads its run from memory instead of three
 * queries, and so does each event's view. What is kept is what reading the rows back would give:
 * every change goes through the store's `redact` and a JSON round trip, as the rows do. A run read
 * from the store is kept only if no write to it was in flight at any moment of the read: one that
 * ended during the read may have committed after the read's queries ran (on another connection),
 * and one still in flight has not committed. A finished run is not kept.
 */
class SnapshotCopies {
  private readonly copies = new Map<string, Snapshot>();
  /**
   * A clock of writes ended, and when each run's last write ended while reads were in flight. A
   * write's end, not its start: a write that began before a read and ended during it (other runs'
   * writes moving the clock meanwhile) may have committed after the read's queries ran.
   */
  private clock = 0;
  private readonly lastWrite = new Map<string, number>();
  /** Writes to each run begun and not yet over: a read meanwhile may see the run before or after them. */
  private readonly inFlight = new Map<string, number>();
  private reads = 0;
  /** Reads begun before this clock are not kept: another process wrote meanwhile. */
  private keptFrom = 0;
  private seenVersion: number | undefined;

  constructor(
    private readonly redact: (text: string) => string,
    private readonly dataVersion?: () => number,
  ) {
    this.seenVersion = dataVersion?.();
  }

  get(runId: string): Snapshot | undefined {
    this.noticeOthers();
    return this.copies.get(runId);
  }

  /** Another process committed to the store since last asked: no copy can be trusted, nor a read begun before. */
  private noticeOthers(): void {
    if (!this.dataVersion) return;
    const version = this.dataVersion();
    if (version === this.seenVersion) return;
    this.seenVersion = version;
    this.copies.clear();
    this.clock += 1;
    this.keptFrom = this.clock;
  }

  reading(): number {
    this.reads += 1;
    return this.clock;
  }

  read(): void {
    this.reads -= 1;
    // No read in flight: every read from now on sees every write that ended.
    if (this.reads === 0) this.lastWrite.clear();
  }

  /** A run read from the store, read since `since`: kept unless a write to it ended meanwhile or is in flight, or it is over. */
  keep(snapshot: Snapshot, since: number): void {
    const id = snapshot.run.id;
    if (snapshot.run.finishedAt || since < this.keptFrom || this.inFlight.has(id) || (this.lastWrite.get(id) ?? -Infinity) > since) return;
    this.copies.set(id, snapshot);
  }

  writing(runId: string): void {
    this.inFlight.set(runId, (this.inFlight.get(runId) ?? 0) + 1);
  }

  /** The write ended (committed or failed): a read in flight since before now may have missed it. */
  wrote(runId: string): void {
    this.clock += 1;
    if (this.reads > 0) this.lastWrite.set(runId, this.clock);
    const left = (this.inFlight.get(runId) ?? 1) - 1;
    if (left > 0) this.inFlight.set(runId, left);
    else this.inFlight.delete(runId);
  }

  apply(runId: string, change: (copy: Snapshot) => Snapshot | undefined): void {
    const copy = this.copies.get(runId);
    if (!copy) return;
    const next = change(copy);
    if (next && !next.run.finishedAt) this.copies.set(runId, next);
    else this.copies.delete(runId);
  }

  drop(runId: string): void {
    this.copies.delete(runId);
  }

  commit(copy: Snapshot, at: string, change: Change): Snapshot {
    const run: RunState = { ...copy.run, updatedAt: this.text(at) };
    const p = change.run ?? {};
    if (p.status !== undefined) run.status = this.text(p.status) as RunStatus;
    if (p.planHash !== undefined) run.planHash = this.text(p.planHash);
    if (p.outputs !== undefined) run.outputs = this.json(p.outputs)!;
    if (p.error !== undefined) run.error = this.json(p.error);
    if (p.cancelRequest !== undefined) run.cancelRequest = this.json(p.cancelRequest);
    if (p.finishedAt !== undefined) run.finishedAt = this.nullableText(p.finishedAt);
    if (p.maintenanceOverrideBy !== undefined) run.maintenanceOverrideBy = this.nullableText(p.maintenanceOverrideBy);
    if (p.heldFor !== undefined) run.heldFor = this.json(p.heldFor);
    const step = change.step;
    return { ...copy, run, steps: step ? copy.steps.map((s) => (s.idx === step.idx ? this.step(s, step.set) : s)) : copy.steps };
  }

  record(copy: Snapshot, stepIdx: number, outputs: Record<string, unknown>, stepOutput: Record<string, unknown>): Snapshot {
    return {
      ...copy,
      run: { ...copy.run, outputs: this.json(outputs)! },
      steps: copy.steps.map((s) => (s.idx === stepIdx ? { ...s, output: this.json(stepOutput) } : s)),
    };
  }

  decide(copy: Snapshot, decision: ApprovalState): Snapshot {
    const made: ApprovalState = {
      stepIdx: decision.stepIdx,
      userId: this.text(decision.userId),
      decision: this.text(decision.decision) as ApprovalState['decision'],
      planHash: this.text(decision.planHash),
      at: this.text(decision.at),
    };
    const same = (a: ApprovalState) => a.stepIdx === made.stepIdx && a.userId === made.userId;
    // A decision replaced keeps its row (and place); a new one comes last, as ordered by id.
    const approvals = copy.approvals.some(same) ? copy.approvals.map((a) => (same(a) ? made : a)) : [...copy.approvals, made];
    return { ...copy, approvals };
  }

  private step(s: StepState, p: StepPatch): StepState {
    const next: StepState = { ...s };
    if (p.status !== undefined) next.status = this.text(p.status) as StepStatus;
    if (p.attempts !== undefined) next.attempts = p.attempts;
    if (p.retries !== undefined) next.retries = p.retries;
    if (p.startedAt !== undefined) next.startedAt = this.nullableText(p.startedAt);
    if (p.finishedAt !== undefined) next.finishedAt = this.nullableText(p.finishedAt);
    if (p.nextPollAt !== undefined) next.nextPollAt = this.nullableText(p.nextPollAt);
    if (p.pollIntervalMs !== undefined) next.pollIntervalMs = p.pollIntervalMs;
    if (p.progress !== undefined) next.progress = this.nullableText(p.progress);
    if (p.instructions !== undefined) next.instructions = this.nullableText(p.instructions);
    if (p.input !== undefined) next.input = this.json(p.input);
    if (p.output !== undefined) next.output = this.json(p.output);
    if (p.error !== undefined) next.error = this.json(p.error);
    if (p.skipReason !== undefined) next.skipReason = this.nullableText(p.skipReason);
    return next;
  }

  private text(value: string): string {
    return this.redact(value);
  }

  private nullableText(value: string | null): string | null {
    return value === null ? null : this.redact(value);
  }

  /** As the column holds it and reading gives it back: JSON text (redacted), or null. */
  private json<T>(value: T | null): T | null {
    const text = json(value);
    return text === null ? null : (JSON.parse(this.redact(text)) as T);
  }
}
