import type { SimClock } from './clock.js';

export type SystemName = 'Apps' | 'Data' | 'Tools';
export type Color = 'green' | 'yellow' | 'red' | 'blue';
export type UpdateType = 'scheduled' | 'maintenance' | 'resolved' | 'issue' | 'investigating' | 'update' | 'monitoring';
export type Phase = 'scheduled' | 'in_progress' | 'completed' | 'canceled' | 'open' | 'resolved';

export interface NoticeUpdate {
  id: number;
  type: UpdateType;
  contents: string;
  createdAt: number;
  /** the color the update gives its systems (`status_prod`) */
  color: Color;
}

export interface Window {
  start: number;
  end: number;
}

export type TimeInput = Date | string | number;

export interface AnnounceInput {
  window: { start: TimeInput; end: TimeInput };
  /** defaults to Heroku's wording: "[Virginia] Heroku Connect maintenance on Wednesday, September 23 at 18:30 UTC" */
  title?: string;
  text?: string;
  region?: string;
  systems?: SystemName[];
  tags?: string[];
  /** mirror as a Salesforce Trust maintenance (default true) */
  trust?: boolean;
}

export interface IncidentInput {
  title: string;
  text: string;
  systems?: SystemName[];
  severity?: 'minor' | 'major';
  trust?: boolean;
}

const toMs = (t: TimeInput) => (t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t));

interface NoticeInit {
  id: number;
  kind: 'maintenance' | 'incident';
  title: string;
  /** false when the title was generated from the window (and follows reschedules) */
  customTitle: boolean;
  phase: Phase;
  systems: SystemName[];
  tags: string[];
  severity: 'minor' | 'major';
  region?: string;
  window?: Window;
  /** the id of the mirrored Trust maintenance or incident */
  trustId?: number;
}

/**
 * One item on the status site: a maintenance announced ahead (scheduled -> in progress -> completed
 * or canceled) or an incident (open -> resolved). Each step adds an update, newest first, as Heroku
 * does; a mirrored Trust maintenance carries the window as `plannedStartTime`/`plannedEndTime`.
 */
export class Notice {
  readonly id: number;
  readonly kind: 'maintenance' | 'incident';
  title: string;
  phase: Phase;
  window?: Window;
  readonly systems: SystemName[];
  readonly tags: string[];
  readonly severity: 'minor' | 'major';
  readonly region?: string;
  readonly trustId?: number;
  readonly createdAt: number;
  updatedAt: number;
  resolvedAt?: number;
  /** newest first */
  updates: NoticeUpdate[] = [];
  readonly #customTitle: boolean;

  constructor(
    private readonly board: NoticeBoard,
    init: NoticeInit,
  ) {
    this.id = init.id;
    this.kind = init.kind;
    this.title = init.title;
    this.#customTitle = init.customTitle;
    this.phase = init.phase;
    this.window = init.window;
    this.systems = init.systems;
    this.tags = init.tags;
    this.severity = init.severity;
    this.region = init.region;
    this.trustId = init.trustId;
    this.createdAt = board.clock.now();
    this.updatedAt = this.createdAt;
  }

  /** Adds an update (newest first), as every step of the notice's life does. */
  update(type: UpdateType, contents: string, color: Color = 'green'): this {
    const now = this.board.clock.now();
    this.updates.unshift({ id: this.board.nextUpdateId(), type, contents, createdAt: now, color });
    this.updatedAt = now;
    return this;
  }

  /** A new window; a generated title follows it, a hand-written one stays. */
  reschedule(window: { start: TimeInput; end: TimeInput }, text?: string): this {
    this.window = { start: toMs(window.start), end: toMs(window.end) };
    if (!this.#customTitle) this.title = maintenanceTitle(this.window, this.region);
    return this.update('scheduled', text ?? `This maintenance has been rescheduled. ${maintenanceText(this.window, this.region)}`, 'blue');
  }

  start(text = "The scheduled maintenance is now underway. We'll post more updates as necessary or when the maintenance is complete."): this {
    this.phase = 'in_progress';
    return this.update('maintenance', text, 'blue');
  }

  complete(text = 'This maintenance has been completed. All Heroku Connect functionality has returned to normal.'): this {
    return this.#close(this.kind === 'incident' ? 'resolved' : 'completed', text);
  }

  cancel(text = 'This maintenance has been canceled. We will announce a new window if one is needed.'): this {
    return this.#close('canceled', text);
  }

  /** The colors this notice gives its systems now. */
  color(): Color {
    if (this.phase === 'in_progress') return 'blue';
    if (this.phase === 'open') return this.severity === 'major' ? 'red' : 'yellow';
    return 'green';
  }

  get resolved(): boolean {
    return ['completed', 'canceled', 'resolved'].includes(this.phase);
  }

  #close(phase: Phase, text: string): this {
    this.phase = phase;
    this.resolvedAt = this.board.clock.now();
    return this.update('resolved', text, 'green');
  }
}

/** The scriptable status notices behind the Heroku status API and the Trust API. */
export class NoticeBoard {
  #notices = new Map<number, Notice>();
  #nextId = 3001;
  #nextUpdateId = 7001;
  #nextTrustId = 20_800_001;

  constructor(readonly clock: SimClock) {}

  /** Announces a maintenance window (update_type `scheduled`), mirrored on Trust unless `trust: false`. */
  announce(input: AnnounceInput): Notice {
    const window = { start: toMs(input.window.start), end: toMs(input.window.end) };
    const notice = new Notice(this, {
      id: this.#nextId++,
      kind: 'maintenance',
      title: input.title ?? maintenanceTitle(window, input.region),
      customTitle: input.title !== undefined,
      phase: 'scheduled',
      systems: input.systems ?? ['Data'],
      tags: input.tags ?? ['NA'],
      severity: 'minor',
      region: input.region,
      window,
      trustId: input.trust === false ? undefined : this.#nextTrustId++,
    });
    this.#notices.set(notice.id, notice);
    return notice.update('scheduled', input.text ?? maintenanceText(window, input.region), 'blue');
  }

  /** Opens an incident (update_type `issue`); its systems turn yellow (minor) or red (major). */
  incident(input: IncidentInput): Notice {
    const notice = new Notice(this, {
      id: this.#nextId++,
      kind: 'incident',
      title: input.title,
      customTitle: true,
      phase: 'open',
      systems: input.systems ?? ['Data'],
      tags: ['NA'],
      severity: input.severity ?? 'minor',
      trustId: input.trust ? this.#nextTrustId++ : undefined,
    });
    this.#notices.set(notice.id, notice);
    return notice.update('issue', input.text, notice.color());
  }

  get(id: number): Notice | undefined {
    return this.#notices.get(id);
  }

  /** Newest first. */
  list(): Notice[] {
    return [...this.#notices.values()].sort((a, b) => b.id - a.id);
  }

  remove(id: number): void {
    this.#notices.delete(id);
  }

  clear(): void {
    this.#notices.clear();
  }

  /** The color of each system: red over yellow over blue over green. */
  systemColors(): Record<SystemName, Color> {
    const rank: Color[] = ['green', 'blue', 'yellow', 'red'];
    const colors: Record<SystemName, Color> = { Apps: 'green', Data: 'green', Tools: 'green' };
    for (const notice of this.#notices.values()) {
      for (const system of notice.systems) {
        if (rank.indexOf(notice.color()) > rank.indexOf(colors[system])) colors[system] = notice.color();
      }
    }
    return colors;
  }

  nextUpdateId(): number {
    return this.#nextUpdateId++;
  }

  reset(): void {
    this.#notices.clear();
    this.#nextId = 3001;
    this.#nextUpdateId = 7001;
    this.#nextTrustId = 20_800_001;
  }
}

const WEEKDAY = new Intl.DateTimeFormat('en-US', { weekday: 'long', timeZone: 'UTC' });
const MONTH_DAY = new Intl.DateTimeFormat('en-US', { month: 'long', day: 'numeric', timeZone: 'UTC' });
const hhmm = (t: number) => new Date(t).toISOString().slice(11, 16);

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes % 60 !== 0) return `${minutes} minutes`;
  return minutes === 60 ? '1 hour' : `${minutes / 60} hours`;
}

/** "[Virginia] Heroku Connect maintenance on Wednesday, September 23 at 18:30 UTC" (the 2020 wording) */
function maintenanceTitle(window: Window, region?: string): string {
  const prefix = region ? `[${region}] ` : '';
  return `${prefix}Heroku Connect maintenance on ${WEEKDAY.format(window.start)}, ${MONTH_DAY.format(window.start)} at ${hhmm(window.start)} UTC`;
}

/** "On Wednesday, September 23, 2026, at 18:30 UTC, and continuing until 19:15 UTC (45 minutes), ..." */
function maintenanceText(window: Window, region?: string): string {
  const day = `${WEEKDAY.format(window.start)}, ${MONTH_DAY.format(window.start)}, ${new Date(window.start).getUTCFullYear()}`;
  const where = region ? ` in the ${region} region` : '';
  return (
    `On ${day}, at ${hhmm(window.start)} UTC, and continuing until ${hhmm(window.end)} UTC (${duration(window.end - window.start)}), ` +
    `Heroku will be performing maintenance on Heroku Connect${where}.\r\n\r\n` +
    'During this time, Heroku Connect data synchronization will be unavailable, and so will configuring Heroku Connect.'
  );
}
