import cron, { type ScheduledTask } from 'node-cron';
import type { Store } from '../store/index.js';
import { replies } from './messages.js';
import { observeNotices, type MaintenanceNotice, type ObservedNotice } from './notice.js';
import { isFinished } from './notice-state.js';
import type { MaintenanceNotifier, MessageRef } from './notifier.js';
import { regionsMatch } from './regions.js';
import { dueReminders, parseReminders, type Reminder } from './reminders.js';
import { NoticeRepository } from './repository.js';
import { FeedHealth, readFeeds, type FeedName, type StatusLog, type StatusSources } from './sources.js';

/**
 * Polls the status sources on a cron schedule and keeps one Slack thread per Heroku Connect
 * maintenance notice in each maintenance channel: the root message says where the notice stands,
 * each change and each reminder is a reply. Everything said is claimed in the store first, so a
 * restart or a second replica says nothing twice.
 */

export const DEFAULT_MAINTENANCE_CRON = '*/5 * * * *';

/** The policy file's `maintenance:` section. */
export interface MaintenancePolicy {
  channels: string[];
  /** Regions the team cares about (Virginia, Dublin, NA, ...); empty for all. */
  regions: string[];
  /** `24h`, `1h`, `start`, `end`, ... */
  reminders: string[];
}

export interface MaintenanceWatcherOptions {
  store: Store;
  sources: StatusSources;
  notifier: MaintenanceNotifier;
  policy: MaintenancePolicy;
  /** MAINTENANCE_CRON; every 5 minutes by default. */
  cron?: string;
  now?: () => Date;
  log?: StatusLog;
  /** Runs after every poll, with the poll's time: e.g. warning runs whose cutover a window overlaps. */
  afterPoll?: (now: Date) => Promise<void>;
}

export interface TickResult {
  /** Connect maintenance notices in the feeds this poll. */
  notices: number;
  /** Sources that could not be read this poll. */
  failing: FeedName[];
}

interface Change {
  /** The root message differs from what was posted. */
  edited: boolean;
  /** The thread reply for the change, if it deserves one. */
  reply: string | null;
  /** Claim key of that reply: one per observed version of the notice. */
  key: string;
}

export class MaintenanceWatcher {
  private readonly repository: NoticeRepository;
  private readonly reminders: Reminder[];
  private readonly health: FeedHealth;
  private readonly now: () => Date;
  private readonly cronExpression: string;
  private task: ScheduledTask | undefined;
  private running: Promise<TickResult> | undefined;

  constructor(private readonly options: MaintenanceWatcherOptions) {
    this.cronExpression = options.cron ?? DEFAULT_MAINTENANCE_CRON;
    if (!cron.validate(this.cronExpression)) throw new Error(`MAINTENANCE_CRON "${this.cronExpression}" is not a cron expression`);
    this.reminders = parseReminders(options.policy.reminders);
    this.repository = new NoticeRepository(options.store);
    this.health = new FeedHealth(options.log);
    this.now = options.now ?? (() => new Date());
  }

  /** Polls on the cron schedule until stop(). */
  start(): void {
    this.task ??= cron.schedule(
      this.cronExpression,
      () =>
        this.tick().then(
          () => undefined,
          (error: unknown) => this.options.log?.error({ err: error }, 'maintenance watcher poll failed'),
        ),
      { name: 'maintenance-watcher', noOverlap: true },
    );
  }

  async stop(): Promise<void> {
    await this.task?.destroy();
    this.task = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One poll. A tick asked for while one runs shares it. */
  tick(): Promise<TickResult> {
    this.running ??= this.poll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async poll(): Promise<TickResult> {
    const now = this.now();
    const snapshot = await readFeeds(this.options.sources, now, this.health);
    const observed = observeNotices(snapshot, now);
    for (const o of observed) {
      try {
        await this.follow(o, now);
      } catch (error) {
        this.options.log?.error({ err: error, notice: o.sourceIds[0] }, 'could not follow a maintenance notice; the next poll tries again');
      }
    }
    try {
      await this.options.afterPoll?.(now);
    } catch (error) {
      this.options.log?.error({ err: error }, 'the after-poll check failed; the next poll tries again');
    }
    return { notices: observed.length, failing: [...this.health.failures().keys()] };
  }

  private async follow(o: ObservedNotice, now: Date): Promise<void> {
    const stored = await this.repository.find(o.sourceIds);
    // Over before we first saw it: history, not news.
    if (!stored && (isFinished(o.notice.state) || (o.notice.end !== null && new Date(o.notice.end) <= now))) return;

    const notice: MaintenanceNotice = { id: stored?.notice.id ?? o.sourceIds[0], ...o.notice };
    const change: Change = {
      edited: stored !== undefined && JSON.stringify(stored.notice) !== JSON.stringify(notice),
      reply: stored ? changeReply(stored.notice, notice, o.updateKey !== stored.updateKey) : null,
      key: `change:${o.updateKey}|${notice.state}|${notice.start}|${notice.end}`,
    };
    const channels = regionsMatch(notice.regions, this.options.policy.regions) ? this.options.policy.channels : [];
    const told = await Promise.all(channels.map((channel) => this.tell(notice, channel, change, now)));
    // Saved only once every channel has heard: a channel that failed sees the change again next poll.
    if (told.every(Boolean)) await this.repository.save(notice, o.updateKey, o.sourceIds, now);
  }

  /** Brings one channel up to date on a notice; false when Slack failed and the next poll should retry. */
  private async tell(notice: MaintenanceNotice, channel: string, change: Change, now: Date): Promise<boolean> {
    try {
      const root = await this.rootMessage(notice, channel, now);
      if (!root) return true; // another replica is announcing it right now
      if (!root.fresh) {
        if (change.edited) await this.options.notifier.updateNotice(root.ref, notice);
        if (change.reply) await this.reply(notice.id, root.ref, change.key, change.reply, now);
      }
      for (const due of dueReminders(this.reminders, notice, now, { justAnnounced: root.fresh })) {
        if (due.silent) await this.repository.claim(notice.id, channel, due.key, now);
        else await this.reply(notice.id, root.ref, due.key, reminderText(due.reminder, notice), now);
      }
      return true;
    } catch (error) {
      this.options.log?.error({ err: error, notice: notice.id, channel }, 'could not tell a channel about a maintenance notice');
      return false;
    }
  }

  /** The notice's root message in a channel, posted now if this replica wins the claim to announce it. */
  private async rootMessage(notice: MaintenanceNotice, channel: string, now: Date): Promise<{ ref: MessageRef; fresh: boolean } | undefined> {
    const existing = await this.repository.rootMessage(notice.id, channel);
    if (existing) return { ref: existing, fresh: false };
    if (!(await this.repository.claim(notice.id, channel, 'announce', now))) return undefined;
    const ref = await this.postClaimed(notice.id, channel, 'announce', () => this.options.notifier.postNotice(channel, notice));
    await this.repository.saveRootMessage(notice.id, ref, now);
    return { ref, fresh: true };
  }

  private async reply(noticeId: string, ref: MessageRef, key: string, text: string, now: Date): Promise<void> {
    if (!(await this.repository.claim(noticeId, ref.channel, key, now))) return;
    await this.postClaimed(noticeId, ref.channel, key, () => this.options.notifier.replyInThread(ref, text));
  }

  /** Runs a Slack call for a claimed message; if it fails the claim is given back for the next poll. */
  private async postClaimed<T>(noticeId: string, channel: string, key: string, post: () => Promise<T>): Promise<T> {
    try {
      return await post();
    } catch (error) {
      await this.repository.release(noticeId, channel, key);
      throw error;
    }
  }
}

/** The thread reply a change deserves: the new state, the new window, or Heroku's new words. */
function changeReply(was: MaintenanceNotice, now: MaintenanceNotice, newUpdate: boolean): string | null {
  if (was.state !== now.state) {
    if (now.state === 'cancelled') return replies.cancelled(now);
    if (now.state === 'complete') return replies.complete();
    if (now.state === 'in_progress') return replies.started(now);
  }
  if (was.start !== now.start || was.end !== now.end) return replies.rescheduled(now, was);
  return newUpdate ? replies.updated(now) : null;
}

function reminderText(reminder: Reminder, notice: MaintenanceNotice): string {
  if (reminder.kind === 'before') return replies.reminder(notice, reminder.msBefore);
  return reminder.kind === 'start' ? replies.starting(notice) : replies.ending();
}
