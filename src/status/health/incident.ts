import type { HealthKind } from './kinds.js';

/**
 * A Connect health incident as the bot shows it: what is wrong, since when, what to do, and the
 * runbook that fixes it when one does. Texts are plain: the bot escapes them for Slack.
 */

/** A runbook that fixes the incident, started through the normal plan and approvals. */
export interface Fix {
  runbook: string;
  params: Record<string, unknown>;
  /** The button's label, e.g. `Plan restart`. */
  label: string;
}

/** What the watcher found this tick, before thresholds: the incident's content. */
export interface Finding {
  kind: HealthKind;
  /** The connection's id, the mapping's object, or the notification type it is about. */
  subject: string;
  /** "Heroku Connect is DB_UNAVAILABLE" */
  title: string;
  /** The facts, one per line, from Heroku's answers. */
  details: string[];
  /** What to do about it. */
  advice: string;
  fix: Fix | null;
  /** When Heroku says the condition began, when it says (a mapping's last Salesforce poll); else when first seen. */
  since?: string;
  /**
   * What this look found new (write errors, notifications), for a reply in the incident's thread:
   * an edit does not notify anyone in Slack. Not part of what the message shows.
   */
  fresh?: string[];
}

export type IncidentStatus = 'open' | 'resolved';

export interface Incident extends Finding {
  id: string;
  app: string;
  status: IncidentStatus;
  /** When the watcher first saw the condition. */
  firstSeenAt: string;
  openedAt: string;
  resolvedAt: string | null;
}
