import type { CreateTableBuilder } from 'kysely';
import type { Dialect } from '../dialect.js';

/** An integer primary key the database numbers itself; SQLite and Postgres spell it differently. */
export function autoIncrementId(dialect: Dialect) {
  return <T extends string>(table: CreateTableBuilder<T>) =>
    dialect === 'sqlite'
      ? table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      : table.addColumn('id', 'serial', (c) => c.primaryKey());
}
