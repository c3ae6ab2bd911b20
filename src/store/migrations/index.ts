import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';
import * as initial from './001_initial.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations run against whatever schema exists
export type Migration = { up(db: Kysely<any>, dialect: Dialect): Promise<void> };

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const migrations: Record<string, Migration> = {
  '001_initial': initial,
};
