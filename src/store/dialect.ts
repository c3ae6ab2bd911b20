/** The two databases the store runs on: embedded SQLite by default, Postgres with DATABASE_URL. */
export type Dialect = 'sqlite' | 'postgres';
