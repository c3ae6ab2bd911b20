import { HEALTH_KINDS, type HealthPolicy } from '../../config.js';

/** The closed set of things the health watcher notices, as the policy's `mute` names them. */
export type HealthKind = (typeof HEALTH_KINDS)[number];

export { HEALTH_KINDS };

/** How long a condition of this kind lasts before it is an incident (0: at once). */
export function thresholdOf(kind: HealthKind, thresholds: HealthPolicy['thresholds']): number {
  switch (kind) {
    case 'connection_state':
      return thresholds.connection_state;
    case 'connection_polling':
      return thresholds.polling_db_changes;
    case 'connection_paused':
      return thresholds.paused;
    case 'mapping_schema_changed':
      return thresholds.schema_changed;
    case 'mapping_error':
      return thresholds.mapping_error;
    case 'mapping_stalled':
      return thresholds.sync_stalled;
    case 'write_errors':
    case 'notification':
      return 0;
  }
}

/** Kinds about the connection's state: a run of connect-ops pauses and restarts it on purpose. */
export const isConnectionKind = (kind: HealthKind): boolean => kind === 'connection_state' || kind === 'connection_polling' || kind === 'connection_paused';

/** Kinds about a mapping's state: a run reloads, alters and saves mappings on purpose. */
export const isMappingKind = (kind: HealthKind): boolean => kind === 'mapping_schema_changed' || kind === 'mapping_error' || kind === 'mapping_stalled';

/** What a run holding the app may cause itself: not opened while it runs. */
export const mayBeARunsDoing = (kind: HealthKind): boolean => isConnectionKind(kind) || isMappingKind(kind);
