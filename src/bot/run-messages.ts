import type { webApi } from '@slack/bolt';
import type { Logger } from '../log.js';
import type { EngineEvent, Plan, RunObserver, RunView } from '../ops/engine/types.js';
import type { Store } from '../store/index.js';
import type { Idempotency } from './idempotency.js';
import type { AccessPolicy } from './policy.js';
import type { MessageContent } from './views/blocks.js';
import { planCard } from './views/plan-card.js';
import { runMessage } from './views/run-message.js';
import { isFinished } from './views/run-status.js';
import { approvalWanted, maintenanceHold, maintenanceWarning, manualStepRequest, runSummary } from './views/thread-replies.js';

/**
 * The engine's observer in Slack. Each run has a plan card and a run message in the app's
 * channel, both edited in place; their ts live in `slack_messages`, so a restarted bot edits the
 * same messages. Edits are coalesced per run (at most one round per `updateIntervalMs`, the last
 * state wins) to stay within chat.update's rate limits. What needs a human becomes a thread reply
 * under the run message, posted once (claimed in `idempotency_keys`).
 */

export interface RunMessagesOptions {
  client: webApi.WebClient;
  store: Store;
  policy: AccessPolicy;
  idempotency: Idempotency;
  /** The plan a run's card shows; null when the runbook cannot render it any more. */
  planOf: (run: RunView) => Plan | null;
  /** How long an approval request stays open for a runbook (policy), shown on the card. */
  approvalTimeoutMs: (runbook: string) => number;
  logger: Logger;
  clock?: () => Date;
  /** Minimum time between two edits of a run's messages; default 1 s. */
  updateIntervalMs?: number;
  /**
   * Replicas: runs `task` while no other process edits the run's messages (see store/lock.ts), so
   * edits of one run never cross; one process by default.
   */
  exclusive?: <T>(key: string, task: () => Promise<T>) => Promise<T>;
  /** Spends one of the workspace's chat.update budget (Tier 3), shared by every run and replica. */
  updateBudget?: <T>(task: () => Promise<T>) => Promise<T>;
  /** The run as the store has it now: an edit shows the latest state whichever process saw it change. */
  latest?: (runId: string) => Promise<RunView | undefined>;
}

interface MessageRef {
  channel: string;
  ts: string;
}

interface Tracked {
  run: RunView;
  /** Slack work for this run, one call after the other. */
  queue: Promise<void>;
  timer: NodeJS.Timeout | null;
  /** An edit is queued and has not started: it will draw the latest state, so no other is needed. */
  editWaiting: boolean;
  /** Tasks queued and not finished. */
  pending: number;
  lastEditAt: number;
  card: MessageRef | null;
  message: MessageRef | null;
  /** The content last sent, to skip edits that change nothing. */
  sent: { card: string; message: string };
}

/** A run's two messages, rendered. */
type RunContents = Record<'card' | 'message', MessageContent>;

interface Reply {
  key: string;
  render: () => Promise<MessageContent>;
}

const DEFAULT_UPDATE_INTERVAL_MS = 1000;

export class RunMessages implements RunObserver {
  private readonly runs = new Map<string, Tracked>();
  private readonly interval: number;
  private readonly clock: () => Date;

  constructor(private readonly options: RunMessagesOptions) {
    this.interval = options.updateIntervalMs ?? DEFAULT_UPDATE_INTERVAL_MS;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Never throws and never waits on Slack: the engine is not held up by its observer. */
  onEvent(event: EngineEvent): void {
    try {
      const tracked = this.track(event.run);
      const reply = this.replyFor(event);
      if (reply) this.enqueue(tracked, () => this.postReply(tracked, reply));
      this.scheduleEdit(tracked);
    } catch (error) {
      this.options.logger.error({ err: error, event: event.type }, 'could not handle an engine event');
    }
  }

  /** Shows a run's current state (after the bot started or changed it) as an event would. */
  show(run: RunView): void {
    this.scheduleEdit(this.track(run));
  }

  /** Warns in the run's thread that a maintenance window overlaps its cutover; once per run and window. */
  warnOfMaintenance(run: RunView, window: { id: string; title: string; start: string; end: string; link: string | null }): void {
    const tracked = this.track(run);
    this.enqueue(tracked, () => this.postReply(tracked, { key: `reply:${run.id}:window:${window.id}`, render: async () => maintenanceWarning(run, window) }));
  }

  /** Sends every pending edit now and waits until all Slack work is done. */
  async flush(): Promise<void> {
    while ([...this.runs.values()].some((t) => t.pending > 0 || t.timer !== null)) {
      for (const tracked of this.runs.values()) {
        if (tracked.timer === null) continue;
        clearTimeout(tracked.timer);
        tracked.timer = null;
        this.queueEdit(tracked);
      }
      await Promise.all([...this.runs.values()].map((t) => t.queue));
    }
  }

  private track(run: RunView): Tracked {
    const tracked = this.runs.get(run.id);
    if (!tracked) {
      const created: Tracked = { run, queue: Promise.resolve(), timer: null, editWaiting: false, pending: 0, lastEditAt: 0, card: null, message: null, sent: { card: '', message: '' } };
      this.runs.set(run.id, created);
      return created;
    }
    // Events arrive in order; a view the bot got back from a call may be older than the last event.
    if (run.updatedAt >= tracked.run.updatedAt) tracked.run = run;
    return tracked;
  }

  private replyFor(event: EngineEvent): Reply | null {
    const { run } = event;
    switch (event.type) {
      case 'approval.requested':
        return {
          key: `reply:${run.id}:approval:${event.stepIdx ?? ''}`,
          render: async () => approvalWanted(run, await this.options.policy.approverMentions(run.app)),
        };
      case 'manual.requested': {
        const step = run.steps.find((s) => s.idx === event.stepIdx);
        return step ? { key: `reply:${run.id}:manual:${step.idx}`, render: async () => manualStepRequest(run, step) } : null;
      }
      case 'run.held':
        return { key: `reply:${run.id}:held:${run.heldFor?.start ?? event.at}`, render: async () => maintenanceHold(run) };
      case 'run.finished':
        return { key: `reply:${run.id}:finished`, render: async () => runSummary(run, this.options.planOf(run)) };
      default:
        return null;
    }
  }

  /** One edit round per interval: the first event of a burst sets a timer, the last state wins. */
  private scheduleEdit(tracked: Tracked): void {
    if (tracked.timer !== null || tracked.editWaiting) return;
    const wait = Math.max(0, tracked.lastEditAt + this.interval - this.clock().getTime());
    tracked.timer = setTimeout(() => {
      tracked.timer = null;
      this.queueEdit(tracked);
    }, wait);
  }

  /**
   * At most one edit waits per run: while Slack's chat.update budget holds edits back (200 runs
   * outrun it), later events do not pile up more edits (and their rendered views) behind it.
   */
  private queueEdit(tracked: Tracked): void {
    if (tracked.editWaiting) return;
    tracked.editWaiting = true;
    this.enqueue(tracked, () => {
      tracked.editWaiting = false;
      return this.edit(tracked);
    });
  }

  private enqueue(tracked: Tracked, task: () => Promise<void>): void {
    tracked.pending += 1;
    tracked.queue = tracked.queue
      .then(task)
      .catch((error: unknown) => this.options.logger.error({ err: error, runId: tracked.run.id }, 'could not update the run in Slack'))
      .finally(() => {
        tracked.pending -= 1;
        this.forgetIfDone(tracked);
      });
  }

  private async edit(tracked: Tracked): Promise<void> {
    tracked.lastEditAt = this.clock().getTime();
    await this.exclusive(tracked.run.id, async () => {
      // Rendered at the last moment, from the store: the latest state wins, whoever saw it change.
      const latest = await this.options.latest?.(tracked.run.id);
      if (latest && latest.updatedAt >= tracked.run.updatedAt) tracked.run = latest;
      const contents = await this.render(tracked.run);
      if (!(await this.ensurePosted(tracked, async () => contents))) return;
      await this.update(tracked, 'card', contents.card);
      await this.update(tracked, 'message', contents.message);
    });
  }

  private exclusive<T>(runId: string, task: () => Promise<T>): Promise<T> {
    const { exclusive } = this.options;
    return exclusive ? exclusive(`slack-run-messages:${runId}`, task) : task();
  }

  private async update(tracked: Tracked, which: 'card' | 'message', content: MessageContent): Promise<void> {
    const ref = tracked[which];
    const json = JSON.stringify(content);
    if (!ref || tracked.sent[which] === json) return;
    const send = () => this.options.client.chat.update({ channel: ref.channel, ts: ref.ts, text: content.text, blocks: content.blocks });
    await (this.options.updateBudget ? this.options.updateBudget(send) : send());
    tracked.sent[which] = json;
  }

  /**
   * Finds the run's messages in the store, or posts them: the plan card first, then the run
   * message. `render` is only called when one has to be posted.
   */
  private async ensurePosted(tracked: Tracked, render: () => Promise<RunContents>): Promise<boolean> {
    if (tracked.card && tracked.message) return true;
    const { run } = tracked;
    const keys = { card: `plan:${run.id}`, message: `run:${run.id}` };
    const rows = await this.options.store.db.selectFrom('slack_messages').selectAll().where('key', 'in', [keys.card, keys.message]).execute();
    for (const row of rows) tracked[row.key === keys.card ? 'card' : 'message'] = { channel: row.channel, ts: row.ts };
    const channel = run.channel ?? this.options.policy.app(run.app)?.channel;
    if (!channel) {
      this.options.logger.warn({ runId: run.id, app: run.app }, 'the run has no channel to show it in');
      return false;
    }
    const missing = (['card', 'message'] as const).filter((which) => !tracked[which]);
    if (missing.length === 0) return true;
    const contents = await render();
    for (const which of missing) {
      const content = contents[which];
      const posted = await this.options.client.chat.postMessage({ channel, text: content.text, blocks: content.blocks });
      if (!posted.ts) throw new Error('chat.postMessage answered without a ts');
      tracked[which] = { channel, ts: posted.ts };
      tracked.sent[which] = JSON.stringify(content);
      await this.options.store.db
        .insertInto('slack_messages')
        .values({ key: keys[which], channel, ts: posted.ts, thread_ts: null, updated_at: this.clock().toISOString() })
        .onConflict((oc) => oc.column('key').doUpdateSet({ channel, ts: posted.ts as string, updated_at: this.clock().toISOString() }))
        .execute();
    }
    return true;
  }

  private async postReply(tracked: Tracked, reply: Reply): Promise<void> {
    const run = tracked.run;
    const content = await reply.render();
    if (!(await this.exclusive(run.id, () => this.ensurePosted(tracked, () => this.render(run))))) return;
    if (!(await this.options.idempotency.claim(reply.key))) return;
    const parent = tracked.message as MessageRef;
    await this.options.client.chat.postMessage({ channel: parent.channel, thread_ts: parent.ts, text: content.text, blocks: content.blocks });
  }

  private async render(run: RunView): Promise<RunContents> {
    return { card: await this.cardOf(run), message: runMessage(run) };
  }

  private async cardOf(run: RunView): Promise<MessageContent> {
    return planCard({
      plan: this.options.planOf(run) ?? planFromRun(run),
      approvers: await this.options.policy.approverMentions(run.app),
      approvalsRequired: run.approvalsRequired,
      approvalTimeoutMs: this.options.approvalTimeoutMs(run.runbook),
      run,
    });
  }

  /** A finished run whose Slack work is done needs no memory; a late event loads it back from the store. */
  private forgetIfDone(tracked: Tracked): void {
    if (isFinished(tracked.run) && tracked.timer === null && tracked.pending === 0) this.runs.delete(tracked.run.id);
  }
}

/** The plan as the run recorded it, when the runbook can no longer render it. */
function planFromRun(run: RunView): Plan {
  return {
    runbook: run.runbook,
    app: run.app,
    summary: `${run.runbook} ${run.app}`,
    steps: run.steps.map((s) => ({ idx: s.idx, title: s.title, kind: s.kind, calls: [] })),
    expectedDowntime: null,
    hash: run.planHash,
    parametersShown: run.params,
  };
}
