/** setTimeout's longest delay; later wake-ups re-arm when it fires. */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * One timer for the whole engine, set to the earliest wake-up among all runs. Runs that sleep
 * (a wait's next poll, a retry's backoff, an approval's expiry, a scheduled cutover) cost nothing
 * until it fires, and there is never more than one timer alive.
 */
export class Scheduler {
  private readonly wakeups = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  constructor(
    private readonly now: () => number,
    private readonly fire: (runId: string) => void,
  ) {}

  wakeAt(runId: string, at: number): void {
    this.wakeups.set(runId, at);
    this.arm();
  }

  clear(runId: string): void {
    if (this.wakeups.delete(runId)) this.arm();
  }

  /** The runs asleep until a later time, e.g. to share a polling budget among them. */
  get size(): number {
    return this.wakeups.size;
  }

  stop(): void {
    this.wakeups.clear();
    this.arm();
  }

  private arm(): void {
    const earliest = Math.min(...this.wakeups.values());
    if (earliest === this.armedFor) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = earliest;
    if (earliest === Infinity) return;
    this.timer = setTimeout(() => this.onTimer(), Math.min(Math.max(earliest - this.now(), 0), MAX_DELAY));
  }

  private onTimer(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    const due = [...this.wakeups].filter(([, at]) => at <= now).map(([runId]) => runId);
    for (const runId of due) this.wakeups.delete(runId);
    this.arm();
    for (const runId of due) this.fire(runId);
  }
}
