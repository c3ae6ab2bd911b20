import { checkPassLease, PassLeaseExpired, withPassLease, type PassLease } from '../pass-lease.js';
import { withPriority } from '../request-priority.js';
import type { PassResult } from './driver.js';
import { runPass } from './pass.js';
import { Halted, StepKit, type ExecutorOptions } from './steps/kit.js';
import { isFinished } from './view.js';

export type { ExecutorOptions } from './steps/kit.js';

/** A pass that went on this long hands the run back (as a wake-up now), so its job never nears its expiry. */
const DEFAULT_CHAIN_BUDGET_MS = 5_000;

/**
 * Drives one run from the store: reads it, executes its current step (each kind in ./steps/),
 * writes every transition before and after the side effect, and goes on until the run sleeps,
 * holds or finishes. Nothing is kept in memory that the store does not also hold, so any process
 * resumes exactly where another stopped. Who calls `drive`, and when, is the driver's business.
 */
export class Executor<Deps> {
  readonly kit: StepKit<Deps>;
  private stopping = false;

  constructor(
    private readonly o: ExecutorOptions<Deps> & { chainBudgetMs?: number },
    onEnd: (runId: string) => void = () => undefined,
  ) {
    this.kit = new StepKit(o, onEnd);
  }

  /** Stops starting new steps: a pass in flight returns at its next step, asking to be woken again. */
  stop(): void {
    this.stopping = true;
  }

  async drive(runId: string, lease?: PassLease): Promise<PassResult> {
    // A run that was in its cutover at its last pass reads the store ahead of other runs too.
    const priority = this.kit.inCutover(runId) ? 'cutover' : undefined;
    return withPassLease(lease, async () => {
      try {
        return await withPriority(priority, () => this.advance(runId));
      } catch (error) {
        if (error instanceof Halted) {
          this.o.logger.warn({ runId }, 'run halted by a test hook');
          return 'stop';
        }
        if (error instanceof PassLeaseExpired) {
          this.o.logger.warn({ runId, err: error.message }, 'a pass outlived its job; the process that takes the job over re-probes the step');
          return 'abandoned';
        }
        // The store failed mid-transition: the run stays as last written; look again later, as a restart would.
        this.o.logger.error({ err: error, runId }, 'run loop failed; retrying');
        return { until: this.o.now().getTime() + this.kit.scaled(30_000) };
      }
    });
  }

  private async advance(runId: string): Promise<PassResult> {
    const started = Date.now();
    const budget = this.o.chainBudgetMs ?? DEFAULT_CHAIN_BUDGET_MS;
    for (;;) {
      if (this.stopping || Date.now() - started > budget) return { until: this.o.now().getTime() };
      checkPassLease();
      const snap = await this.o.runs.load(runId);
      if (!snap || isFinished(snap.run.status)) return 'stop';
      const next = await runPass(this.kit, snap);
      if (next !== 'continue') return next;
    }
  }
}
