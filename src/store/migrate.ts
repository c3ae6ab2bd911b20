import { Migrator, sql, type Kysely, type MigrationProvider } from 'kysely';
import type { Dialect } from './dialect.js';
import { migrations } from './migrations/index.js';

/**
 * Brings the schema up to date and returns the migrations it applied (none when it was current);
 * Kysely's migrator takes a lock, so replicas starting together are safe.
 */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<string[]> {
  const { error, results } = await (await migrator(db, dialect)).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Store migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** The migrations this code knows and the store has not applied, in order; reads only. */
export async function pendingMigrations(db: Kysely<unknown>, dialect: Dialect): Promise<string[]> {
  return (await (await migrator(db, dialect)).getMigrations()).filter((m) => m.executedAt === undefined).map((m) => m.name);
}

async function migrator(db: Kysely<unknown>, dialect: Dialect): Promise<Migrator> {
  const provider: MigrationProvider = {
    getMigrations: async () =>
      Object.fromEntries(
        Object.entries(migrations).map(([name, m]) => [name, { up: (d: Kysely<unknown>) => m.up(d, dialect) }]),
      ),
  };
  // On Postgres, keep Kysely's bookkeeping tables in the store's own schema (search_path): otherwise
  // it finds another schema's lock table and skips creating its own.
  const migrationTableSchema =
    dialect === 'postgres' ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  return new Migrator({ db, provider, migrationTableSchema });
}
