import type { Consumers } from '../../ops/runbooks/outputs.js';
import { consumersAssumption } from '../../ops/runbooks/reads/consumers.js';
import { code, escape } from './format.js';

/**
 * Who uses the database a cutover replaces (issue 10), as plain lines for the plan card and
 * `connect-ops plan`: every attachment on every app with its namespace, Heroku Connect's db_key,
 * followers, Heroku Scheduler, one-off dynos, other apps' processes, the release phase, and the
 * assumption approvers accept (the runbook's: recreate moves no name). Pure: the discovered consumers are passed in.
 */
export function consumerLines(consumers: Consumers, runbook: string, style: 'slack' | 'text' = 'slack'): string[] {
  const c = style === 'slack' ? (text: string) => code(text, 80) : (text: string) => text;
  const e = style === 'slack' ? escape : (text: string) => text;
  const byApp = new Map<string, string[]>();
  for (const a of consumers.attachments) byApp.set(a.app, [...(byApp.get(a.app) ?? []), `${a.name}_URL${a.namespace ? ` (${a.namespace})` : ''}`]);
  const lines = [
    `Database: ${e(consumers.database.addonName)}`,
    ...[...byApp].map(([app, names]) => `Names on ${e(app)}: ${names.map(c).join(', ')}`),
    `Heroku Connect's db_key: ${c(consumers.dbKey)}`,
  ];
  const others = consumers.formations.filter((f) => byApp.size > 1 || f.app !== consumers.attachments[0]?.app);
  for (const f of others) {
    const running = f.processes.filter((p) => p.quantity > 0).map((p) => `${p.type}=${p.quantity}`);
    lines.push(`Processes of ${e(f.app)}: ${running.length ? running.join(', ') : 'none running'}`);
  }
  if (consumers.followers.length || consumers.otherFollowers) {
    const named = consumers.followers.map((f) => `${e(f.addonName)} (${e(f.app)})`);
    lines.push(`Followers: ${[...named, ...(consumers.otherFollowers ? [`${consumers.otherFollowers} on apps not listed`] : [])].join(', ')} — they keep following the old database`);
  }
  for (const s of consumers.schedulers) lines.push(`Heroku Scheduler on ${e(s.app)} (${e(s.addonName)}): its jobs write through maintenance mode; disable them in the Scheduler dashboard`);
  for (const d of consumers.oneOffDynos) lines.push(`One-off dyno ${c(d.name)} on ${e(d.app)}${d.command ? ` running ${c(d.command)}` : ''}: writes through maintenance mode`);
  if (consumers.releasePhase.length) lines.push(`Release phase on ${consumers.releasePhase.map(e).join(', ')}: every attach and detach runs it`);
  lines.push(`Assumption: ${e(consumersAssumption(runbook))}`);
  return lines;
}
