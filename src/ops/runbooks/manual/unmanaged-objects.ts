import { read, type Fn } from '../deps.js';
import { required } from '../outputs.js';
import { schemaOf } from '../reads/connection.js';
import { exportedObjects } from '../reads/configuration.js';

/** Heroku Connect's own objects in its schema: never copied by hand. */
const CONNECT_OBJECTS = ['_trigger_log', '_trigger_log_archive', '_hcmeta', '_sf_event_log'];

/**
 * Lists what Heroku Connect does not manage in its schema: indexes it did not create (its own are
 * `hc_idx_*`, `hcu_idx_*` and primary keys), views, functions and triggers that are not its
 * `hc_*`/`tlog_*` ones, each with the statement that recreates it.
 */
export function unmanagedObjectsQuery(schema: string): string {
  return String.raw`SELECT 'index' AS kind, indexname AS name, indexdef || ';' AS definition FROM pg_indexes WHERE schemaname = '${schema}' AND indexname NOT LIKE 'hc\_%' AND indexname NOT LIKE 'hcu\_%' AND indexname NOT LIKE '%\_pkey' AND tablename NOT LIKE '\_%'
UNION ALL SELECT 'view', viewname, 'CREATE VIEW ' || schemaname || '.' || viewname || ' AS ' || definition FROM pg_views WHERE schemaname = '${schema}'
UNION ALL SELECT 'function', p.proname, pg_get_functiondef(p.oid) || ';' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '${schema}' AND p.prokind IN ('f', 'p') AND p.proname NOT LIKE 'hc\_%' AND p.proname NOT LIKE 'tlog\_%' AND p.proname <> 'get_xmlbinary'
UNION ALL SELECT 'trigger', t.tgname, pg_get_triggerdef(t.oid) || '; ALTER TABLE ' || c.oid::regclass || ' DISABLE TRIGGER ' || quote_ident(t.tgname) || ';' FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '${schema}' AND NOT t.tgisinternal AND t.tgname NOT LIKE 'hc\_%' AND t.tgname NOT LIKE 'tlog\_%'
ORDER BY 1, 2;`;
}

/** `DATABASE`, `HEROKU_POSTGRESQL_ONYX`: a config var as `heroku pg:psql` names the database. */
export const pgName = (configVar: string): string => configVar.replace(/_URL$/, '');

/**
 * The help article's warning: the new database holds only what Heroku Connect manages, so "indexes
 * not managed by Heroku Connect, stored procedures, functions, triggers, views" are created there
 * by hand before the cutover. The Heroku APIs cannot see inside Postgres, so connect-ops lists them
 * with a query and cannot check this step. Custom triggers are created disabled: they are enabled at
 * the cutover (Cutover 3), once the old connection has stopped writing.
 */
export const recreateUnmanagedObjects: Fn<string> = read([], async (ctx) => {
  const schema = schemaOf(ctx);
  const oldDb = pgName(required(ctx, 'database').configVar);
  const newDb = pgName(required(ctx, 'newDatabase').configVar);
  const tables = exportedObjects(ctx).map((object) => `${schema}.${object.toLowerCase()}`);
  const query = unmanagedObjectsQuery(schema).replace(/\n/g, ' ');
  return [
    `The new connection has loaded its mappings into ${newDb}. Heroku Connect created there only what it manages: the mapped tables ` +
      `${tables.join(', ')} with its own indexes and triggers, and its objects ${CONNECT_OBJECTS.map((o) => `${schema}.${o}`).join(', ')}. ` +
      'Anything else you added to the old database is not there. The Heroku APIs cannot list it (it lives inside Postgres), so connect-ops cannot check this step: do it by hand.',
    `1. List the indexes, views, functions and triggers in ${schema} that are not Heroku Connect's, with the statements that recreate them:`,
    `   heroku pg:psql ${oldDb} -a ${ctx.app} -c "${query}"`,
    `2. Run each printed definition on the new database: heroku pg:psql ${newDb} -a ${ctx.app}. Triggers are created disabled: they are enabled at the cutover, once the app's writes have stopped.`,
    "3. Do not copy the app's own data yet: it is copied at the cutover, when nothing writes to the old database any more.",
    'Confirm once the new database has every object the app needs.',
  ].join('\n');
});
