import type { HealthPolicy } from '../../config.js';
import type { HerokuClients } from '../../ops/heroku/clients.js';
import type { Store } from '../../store/index.js';
import type { StatusLog } from '../sources.js';
import { clearedIn, findingsOf, mappingErrorCounts } from './findings.js';
import { newsOf, NO_MARKS } from './news.js';
import { digestVersionWarnings } from '../versions/radar.js';
import type { Finding } from './incident.js';
import { mayBeARunsDoing, thresholdOf } from './kinds.js';
import type { HealthNotifier } from './notifier.js';
import { ConnectReader } from './reading.js';
import { IncidentRepository, incidentOf, type IncidentRow } from './repository.js';

/**
 * Watches each policy app's Heroku Connect for what nobody announces: a connection out of sync, a
 * mapping stopped or in error, write errors, Connect's own notifications. A condition becomes an
 * incident once it has lasted its threshold; each incident is one message in the app's channel,
 * edited as it changes and when it clears, with the runbook that fixes it as a button. Everything
 * told is claimed in the store first, so a restart or a second replica tells nothing twice.
 * tick() is the unit: the composition root runs it as a named periodic task on MAINTENANCE_CRON.
 */

export interface HealthWatcherOptions {
  store: Store;
  /** Heroku clients on the watchers' budget (watchLimits). */
  clients: Pick<HerokuClients, 'connect'>;
  notifier: HealthNotifier;
  /** The policy's apps and their channels. */
  apps: Readonly<Record<string, { channel: string }>>;
  policy: HealthPolicy;
  /** Whether a run of connect-ops holds the app (it pauses and reloads on purpose). */
  runActive: (app: string) => Promise<boolean>;
  now?: () => Date;
  log?: StatusLog;
}

export interface HealthTickResult {
  /** Apps read this tick. */
  read: string[];
  /** Apps that could not be read: their incidents stand as they were. */
  failing: string[];
  opened: number;
  updated: number;
  resolved: number;
}

/** What a message shows, to edit it only when that changes. */
const shownOf = ({ fresh: _fresh, ...finding }: Finding, status: 'open' | 'resolved') => JSON.stringify({ ...finding, status });

export class HealthWatcher {
  private readonly repository: IncidentRepository;
  private readonly reader: ConnectReader;
  private readonly now: () => Date;
  private readonly failing = new Set<string>();
  private running: Promise<HealthTickResult> | undefined;

  constructor(private readonly options: HealthWatcherOptions) {
    this.repository = new IncidentRepository(options.store);
    this.reader = new ConnectReader(options.clients);
    this.now = options.now ?? (() => new Date());
  }

  /** Waits for a tick under way (the schedule that calls tick() is stopped first). */
  async stop(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  /** One look at every app. A tick asked for while one runs shares it. */
  tick(): Promise<HealthTickResult> {
    this.running ??= this.look().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async look(): Promise<HealthTickResult> {
    const result: HealthTickResult = { read: [], failing: [], opened: 0, updated: 0, resolved: 0 };
    for (const [app, { channel }] of Object.entries(this.options.apps)) {
      try {
        if (await this.lookAt(app, channel, result)) result.read.push(app);
      } catch (error) {
        result.failing.push(app);
        if (!this.failing.has(app)) this.options.log?.warn({ app, err: error }, 'cannot read Heroku Connect of an app; its incidents stand until it can be read');
        this.failing.add(app);
        continue;
      }
      if (this.failing.delete(app)) this.options.log?.info({ app }, 'Heroku Connect of the app can be read again');
    }
    await this.digest(result);
    return result;
  }

  /** Reads one app and brings its incidents up to date; false when the app has no connection to watch. */
  private async lookAt(app: string, channel: string, result: HealthTickResult): Promise<boolean> {
    const { policy } = this.options;
    const outcome = await this.reader.read(app, { notifications: policy.notifications, runActive: await this.options.runActive(app) });
    if (outcome.kind === 'no_connection') return false;
    const now = this.now();
    const { reading } = outcome;
    // Write errors and notifications count only what is new since the last look (news.ts).
    const news = newsOf(
      { writeErrors: reading.writeErrors, mappingErrors: mappingErrorCounts(reading.connection), notifications: reading.notifications },
      (await this.repository.marks(app)) ?? NO_MARKS,
      now,
      policy.quiet_period,
    );
    const findings = findingsOf(reading, now, { news, writeErrorThreshold: policy.thresholds.write_errors }).filter((f) => !policy.mute.includes(f.kind));
    const active = await this.repository.active(app);
    for (const finding of findings) {
      const known = active.find((r) => r.kind === finding.kind && r.subject === finding.subject);
      // While a run holds the app, a connection or mapping state may be its doing (PAUSED by it): nothing new of those starts.
      const held = reading.runActive && mayBeARunsDoing(finding.kind);
      if (!known && held) continue;
      const row = known ? await this.repository.seenAgain(known, finding, now) : await this.repository.seen(app, finding, now);
      // An open incident still seen is edited; a pending one waits for the run's end to be judged.
      if (held && row.status === 'pending') continue;
      await this.follow(row, channel, now, result);
    }
    for (const row of active.filter((r) => !findings.some((f) => f.kind === r.kind && f.subject === r.subject))) {
      // Resolved only when the reading shows it cleared, not when a run's states hide it.
      if (clearedIn(reading, row)) await this.clear(row, now, result);
    }
    await this.repository.saveMarks(app, news.marks, now);
    return true;
  }

  /** Opens an incident whose threshold has passed, or edits an open one whose content changed. */
  private async follow(row: IncidentRow, channel: string, now: Date, result: HealthTickResult): Promise<void> {
    if (row.status === 'pending') {
      const since = Date.parse(row.finding.since ?? row.firstSeenAt);
      const threshold = thresholdOf(row.kind, this.options.policy.thresholds);
      // Past its threshold, and seen by two ticks at least: a condition sampled once may have come and gone between them.
      if (now.getTime() - since < threshold || (threshold > 0 && row.looks < 2)) return;
      if (!(await this.repository.claimOpening(row.id, now))) return;
      const incident = incidentOf({ ...row, status: 'open', openedAt: now.toISOString() });
      const shown = shownOf(row.finding, 'open');
      // With a daily digest the incident waits for it, in its channel, instead of a message of its own.
      if (this.options.policy.digest) return this.repository.shown(row.id, channel, null, shown);
      try {
        const ref = await this.options.notifier.postIncident(channel, incident);
        await this.repository.shown(row.id, ref.channel, ref.ts, shown);
        result.opened += 1;
      } catch (error) {
        // Given back: the next tick opens it again.
        await this.repository.reopenPending(row.id);
        this.options.log?.error({ err: error, app: row.app, kind: row.kind }, 'could not post a health incident; the next tick tries again');
      }
      return;
    }
    const shown = shownOf(row.finding, 'open');
    if (!row.message) return;
    // New write errors or notifications on an open incident: a reply in its thread, which Slack notifies (an edit does not).
    const fresh = row.finding.fresh ?? [];
    if (fresh.length > 0) {
      try {
        await this.options.notifier.replyToIncident(row.message, incidentOf(row), fresh);
      } catch (error) {
        this.options.log?.error({ err: error, app: row.app, kind: row.kind }, 'could not reply to a health incident with what is new');
      }
    }
    if (row.shown === shown) return;
    try {
      await this.options.notifier.updateIncident(row.message, incidentOf(row));
      await this.repository.shown(row.id, row.message.channel, row.message.ts, shown);
      result.updated += 1;
    } catch (error) {
      this.options.log?.error({ err: error, app: row.app, kind: row.kind }, 'could not edit a health incident; the next tick tries again');
    }
  }

  /** The condition is gone: a pending incident is forgotten, an open one resolved, its message edited once. */
  private async clear(row: IncidentRow, now: Date, result: HealthTickResult): Promise<void> {
    if (row.status === 'pending') return this.repository.forget(row.id);
    if (!(await this.repository.resolve(row.id, now))) return;
    result.resolved += 1;
    if (!row.message) return;
    try {
      await this.options.notifier.updateIncident(row.message, incidentOf({ ...row, status: 'resolved', resolvedAt: now.toISOString() }));
      await this.repository.shown(row.id, row.message.channel, row.message.ts, shownOf(row.finding, 'resolved'));
    } catch (error) {
      // Still open to the next tick, which resolves it again.
      await this.repository.unresolve(row.id);
      result.resolved -= 1;
      this.options.log?.error({ err: error, app: row.app, kind: row.kind }, 'could not mark a health incident resolved; the next tick tries again');
    }
  }

  /** Once a day at `digest` (UTC), per channel: what is open, and what cleared since the day before. */
  private async digest(result: HealthTickResult): Promise<void> {
    const at = this.options.policy.digest;
    if (!at) return;
    const now = this.now();
    const day = now.toISOString().slice(0, 10);
    if (now.toISOString().slice(11, 16) < at) return;
    const channels = new Map<string, string[]>();
    for (const [app, { channel }] of Object.entries(this.options.apps)) channels.set(channel, [...(channels.get(channel) ?? []), app]);
    for (const [channel, apps] of channels) {
      // Apps that could not be read today say nothing rather than something stale.
      if (apps.every((a) => result.failing.includes(a))) continue;
      if (!(await this.repository.claimDigest(channel, day, now))) continue;
      const open = await this.repository.open(apps);
      const dayBefore = new Date(now.getTime() - 24 * 3_600_000);
      const resolved = await this.repository.resolvedSince(apps, dayBefore);
      const versions = await digestVersionWarnings(this.options.store, channel, dayBefore);
      if (open.length === 0 && resolved.length === 0 && versions.length === 0) continue;
      try {
        await this.options.notifier.postDigest(channel, { day, open, resolved, versions });
      } catch (error) {
        await this.repository.releaseDigest(channel, day);
        this.options.log?.error({ err: error, channel }, 'could not post the health digest; the next tick tries again');
      }
    }
  }
}
