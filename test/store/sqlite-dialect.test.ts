import { afterEach, describe, expect, it, jest } from '@jest/globals';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { CachingSqliteDialect } from '../../src/store/sqlite-dialect.js';

interface Db {
  t: { n: number; who: string };
}

describe('the SQLite dialect', () => {
  let db: Kysely<Db> | undefined;
  afterEach(async () => {
    await db?.destroy();
    db = undefined;
  });

  const open = (urgent?: () => boolean) => {
    const database = new BetterSqlite3(':memory:');
    db = new Kysely<Db>({ dialect: new CachingSqliteDialect({ database, urgent, statementCacheSize: 2 }) });
    return { db, database };
  };

  it('prepares each SQL text once, and again only after it left the cache', async () => {
    const { db, database } = open();
    await sql`create table t (n integer, who text)`.execute(db);
    const prepare = jest.spyOn(database, 'prepare');
    for (let n = 0; n < 5; n++) await db.insertInto('t').values({ n, who: 'a' }).execute();
    expect(prepare).toHaveBeenCalledTimes(1);
    const count = () => db.selectFrom('t').select((eb) => eb.fn.countAll<number>().as('c')).executeTakeFirstOrThrow();
    expect(await count()).toEqual({ c: 5 });
    expect(prepare).toHaveBeenCalledTimes(2);
    // A third text pushes out the least recently used (the insert); the count stays cached.
    await count();
    await db.selectFrom('t').selectAll().where('n', '=', 1).execute();
    await count();
    expect(prepare).toHaveBeenCalledTimes(3);
    await db.insertInto('t').values({ n: 6, who: 'a' }).execute();
    expect(prepare).toHaveBeenCalledTimes(4);
  });

  it('hands the connection to urgent work first, then to the rest in order', async () => {
    let urgentNow = false;
    const { db } = open(() => urgentNow);
    await sql`create table t (n integer, who text)`.execute(db);
    const order: string[] = [];
    // A transaction holds the one connection while the others queue for it.
    const holder = db.transaction().execute(async (trx) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await trx.insertInto('t').values({ n: 0, who: 'holder' }).execute();
      order.push('holder');
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const write = (who: string) => db.insertInto('t').values({ n: order.length, who }).execute().then(() => void order.push(who));
    const waiting = [write('poll 1'), write('poll 2')];
    urgentNow = true;
    waiting.push(write('cutover'));
    urgentNow = false;
    waiting.push(write('poll 3'));
    await Promise.all([holder, ...waiting]);
    expect(order).toEqual(['holder', 'cutover', 'poll 1', 'poll 2', 'poll 3']);
    expect(await db.selectFrom('t').select('who').orderBy('n').execute()).toHaveLength(5);
  });

  it('streams a select', async () => {
    const { db } = open();
    await sql`create table t (n integer, who text)`.execute(db);
    await db.insertInto('t').values([{ n: 1, who: 'a' }, { n: 2, who: 'b' }]).execute();
    const seen: string[] = [];
    for await (const row of db.selectFrom('t').select('who').orderBy('n').stream()) seen.push(row.who);
    expect(seen).toEqual(['a', 'b']);
  });
});
