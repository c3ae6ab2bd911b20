import type { Logger } from '../../log.js';
import type { AuditEntry, Change, RunStore } from './run-store.js';
import type { RunObserver } from './types.js';
import type { Viewer } from './view.js';

/**
 * Writes each transition (state plus audit events, in one transaction) and then tells the observer,
 * one event per audit record, each with the whole run. Deliveries are ordered per run, and a
 * failing or slow observer never holds up or breaks a run.
 */
export class Transitions {
  private readonly deliveries = new Map<string, Promise<void>>();

  constructor(
    private readonly runs: RunStore,
    private readonly view: Viewer,
    private readonly options: { now: () => Date; logger: Logger; observer?: RunObserver },
  ) {}

  async commit(runId: string, change: Change): Promise<void> {
    const at = this.options.now().toISOString();
    await this.runs.commit(runId, at, change);
    await this.announce(runId, at, change.audit);
  }

  /** Tells the observer about audit events already written (by `commit` or by the run store itself). */
  async announce(runId: string, at: string, entries: AuditEntry[]): Promise<void> {
    const observer = this.options.observer;
    if (!observer || entries.length === 0) return;
    const snapshot = await this.runs.load(runId);
    if (!snapshot) return;
    const run = await this.view(snapshot);
    for (const entry of entries) {
      const event = { type: entry.type, at, actor: entry.actor, stepIdx: entry.stepIdx, detail: entry.detail ?? {}, run };
      this.deliver(runId, async () => observer.onEvent(event));
    }
  }

  /** Resolves once every event so far has been delivered. */
  async delivered(): Promise<void> {
    await Promise.all(this.deliveries.values());
  }

  private deliver(runId: string, send: () => Promise<void>): void {
    const previous = this.deliveries.get(runId) ?? Promise.resolve();
    const next = previous
      .then(send)
      .catch((error: unknown) => this.options.logger.error({ err: error, runId }, 'run observer failed; the run goes on'));
    this.deliveries.set(runId, next);
    void next.then(() => {
      if (this.deliveries.get(runId) === next) this.deliveries.delete(runId);
    });
  }
}
