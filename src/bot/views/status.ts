import type { RunView } from '../../ops/engine/types.js';
import type { AppStatus } from '../ports.js';
import { context, header, section, type Block, type MessageContent } from './blocks.js';
import { code, escape, untrusted } from './format.js';
import { fitMessage, packLines } from './limits.js';
import { runStatusWords } from './run-status.js';

/** `/connect status APP`: the connection, its mappings and the app's databases, as Heroku reports them. */
export function statusView(status: AppStatus, activeRun?: RunView): MessageContent {
  const c = status.connection;
  const connection = c
    ? `*Heroku Connect:* ${code(c.state)} · db_key ${c.dbKey ? code(c.dbKey) : '_not set_'} · schema ${c.schemaName ? code(c.schemaName) : '_not set_'}`
    : '*Heroku Connect:* no connection on this app.';
  const mappings = status.mappings.map((m) => {
    const counts = m.counts
      ? ` · db ${count(m.counts.db)} / Salesforce ${count(m.counts.sf)}${m.counts.pending ? ` · ${count(m.counts.pending)} pending` : ''}${m.counts.errors ? ` · ${count(m.counts.errors)} errors` : ''}`
      : '';
    return `• ${escape(m.objectName)} ${code(m.state)}${counts}`;
  });
  const databases = status.databases.map((d) => {
    const follower = d.following ? ` · follows ${code(d.following)}, ${d.lagCommits === null ? 'lag unknown' : `${count(d.lagCommits)} commits behind`}` : '';
    const attached = d.attachments.length > 0 ? ` (${d.attachments.map((a) => code(a)).join(', ')})` : '';
    return `• ${code(d.addon)}${attached} ${code(d.plan)} · Postgres ${d.version ?? '?'} · ${untrusted(d.status, 200)}${follower}`;
  });
  const blocks: Block[] = [
    header(`Status: ${status.app}`),
    section(connection),
    ...packLines([`*Mappings (${status.mappings.length}):*`, ...(mappings.length > 0 ? mappings : ['_none_'])]).map((t) => section(t)),
    ...packLines([`*Databases (${status.databases.length}):*`, ...(databases.length > 0 ? databases : ['_none_'])]).map((t) => section(t)),
  ];
  if (activeRun) blocks.push(context(`Run ${code(activeRun.id)} (${activeRun.runbook}) is ${runStatusWords(activeRun.status)}.`));
  return { text: `Status of ${status.app}`, blocks: fitMessage(blocks) };
}

function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '?' : n.toLocaleString('en-US');
}
