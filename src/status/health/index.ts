/** The Connect health watcher and the Postgres version radar: what the composition root and the bot use. */
export type { Finding, Fix, Incident, IncidentStatus } from './incident.js';
export type { Digest, HealthNotifier } from './notifier.js';
export { IncidentRepository } from './repository.js';
export { HealthWatcher, type HealthTickResult, type HealthWatcherOptions } from './watcher.js';
export { HEALTH_KINDS, type HealthKind } from './kinds.js';
export type { DatabaseVersion } from '../versions/reading.js';
export { VersionRadar, versionWarnings, type VersionNotifier, type VersionWarning } from '../versions/radar.js';
export { POSTGRES_VERSIONS, SOURCES as POSTGRES_VERSION_SOURCES } from '../versions/table.js';
