import type { MessageRef } from '../notifier.js';
import type { VersionWarning } from '../versions/radar.js';
import type { Incident } from './incident.js';

/** The day's digest for one channel: what is open, and what cleared since the day before. */
export interface Digest {
  /** The UTC day, `2026-12-04`. */
  day: string;
  open: Incident[];
  resolved: Incident[];
  /** Postgres version warnings due since the day before (the radar posts none of its own with a digest). */
  versions: VersionWarning[];
}

/**
 * The health watcher's only way to speak. The bot renders incidents as Block Kit with the fix as a
 * button; tests record what it is told.
 */
export interface HealthNotifier {
  postIncident(channel: string, incident: Incident): Promise<MessageRef>;
  /** Re-renders the incident's message: it changed, or it is resolved. */
  updateIncident(ref: MessageRef, incident: Incident): Promise<void>;
  /** A reply in the incident's thread with what is new (new write errors, notifications): edits notify nobody. */
  replyToIncident(ref: MessageRef, incident: Incident, fresh: string[]): Promise<void>;
  postDigest(channel: string, digest: Digest): Promise<MessageRef>;
}
