import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';
import * as initial from './001_initial.js';
import * as engine from './002_engine.js';
import * as status from './003_status.js';
import * as leases from './004_leases.js';
import * as skippedSteps from './005_skipped_steps.js';
import * as health from './006_health.js';
import * as healthMarks from './007_health_marks.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against whatever schema exists
export type Migration = { up(db: Kysely<any>, dialect: Dialect): Promise<void> };

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const migrations: Record<string, Migration> = {
  '001_initial': initial,
  '002_engine': engine,
  '003_status': status,
  '004_leases': leases,
  '005_skipped_steps': skippedSteps,
  '006_health': health,
  '007_health_marks': healthMarks,
};
