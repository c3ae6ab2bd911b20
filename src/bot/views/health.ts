import type { Digest, Incident } from '../../status/health/index.js';
import type { DatabaseVersion, VersionWarning } from '../../status/health/index.js';
import { encodeFixValue, FIX_ACTION } from '../actions/fix-values.js';
import { actions, button, context, header, section, type Block, type MessageContent } from './blocks.js';
import { code, duration, escape, slackTime, untrusted } from './format.js';
import { fitMessage, packLines } from './limits.js';

/**
 * The health watcher's and the version radar's messages: one message per incident, edited as it
 * changes and when it clears, with the runbook that fixes it as a button; a warning per lead time
 * for a database on a deprecated Postgres version; the daily digest.
 */

const KIND_EMOJI: Record<Incident['kind'], string> = {
  connection_state: ':red_circle:',
  connection_polling: ':hourglass:',
  connection_paused: ':double_vertical_bar:',
  mapping_schema_changed: ':warning:',
  mapping_error: ':red_circle:',
  mapping_stalled: ':warning:',
  write_errors: ':warning:',
  notification: ':bell:',
};

function fixButton(app: string, fix: NonNullable<Incident['fix']>): Block {
  return actions('fix', [
    button({
      actionId: FIX_ACTION,
      text: fix.label,
      value: encodeFixValue({ app, runbook: fix.runbook, params: fix.params }),
      style: 'primary',
    }),
  ]);
}

/** An incident's message: open with what to do and the fix, or resolved. */
export function incidentView(incident: Incident): MessageContent {
  const resolved = incident.status === 'resolved';
  const title = `${incident.app}: ${incident.title}`;
  const blocks: Block[] = [
    header(resolved ? `:white_check_mark: Resolved: ${title}` : `${KIND_EMOJI[incident.kind]} ${title}`),
    ...packLines(incident.details.map((d) => untrusted(d, 600))).map((t) => section(t)),
  ];
  if (resolved) {
    const lasted = incident.resolvedAt ? duration(Date.parse(incident.resolvedAt) - Date.parse(incident.since ?? incident.firstSeenAt)) : null;
    blocks.push(context(`Cleared ${incident.resolvedAt ? slackTime(incident.resolvedAt) : ''}${lasted ? ` after ${lasted}` : ''}. First seen ${slackTime(incident.since ?? incident.firstSeenAt)}.`));
  } else {
    blocks.push(section(`*What to do:* ${escape(incident.advice)}`));
    blocks.push(context(`Since ${slackTime(incident.since ?? incident.firstSeenAt)} · told once, edited as it changes · quiet it under \`health:\` in the policy file`));
    if (incident.fix) blocks.push(fixButton(incident.app, incident.fix));
  }
  return { text: `${resolved ? 'Resolved: ' : ''}${title}`, blocks: fitMessage(blocks) };
}

/** A reply in an open incident's thread: what the last look found new. */
export function incidentReplyView(incident: Incident, fresh: string[]): MessageContent {
  const [first = 'New since the last look:', ...rest] = fresh;
  const blocks: Block[] = [...packLines([untrusted(first, 300), ...rest.map((line) => `• ${untrusted(line, 600)}`)]).map((t) => section(t))];
  return { text: `${incident.app}: ${first}`, blocks: fitMessage(blocks) };
}

/** "Heroku upgrades it by force from 2026-06-01 (about: Heroku states Q3 2026)". */
function forcedLine(d: DatabaseVersion): string {
  if (!d.forcedUpgradesFrom) return 'Heroku has deprecated this version; no forced-upgrade date is known.';
  const about = d.approximate ? ` (about: from Heroku's stated ${escape(d.basis)})` : ` (${escape(d.basis)})`;
  return `Heroku upgrades it by force from *${d.forcedUpgradesFrom}*${about}.`;
}

function leadWords(warning: VersionWarning): string {
  if (warning.lead === 'overdue') return 'Forced upgrades have started';
  if (warning.lead === 'deprecated') return 'Deprecated by Heroku';
  return `${duration(warning.msBefore ?? 0)} to the forced upgrade`;
}

/** A warning about a database on a deprecated Postgres version, for one lead time. */
export function versionWarningView(warning: VersionWarning): MessageContent {
  const d = warning.database;
  const attached = d.attachments.length > 0 ? ` (${d.attachments.map((a) => code(`${a}_URL`)).join(', ')})` : '';
  const blocks: Block[] = [
    header(`:calendar: ${d.app}: Postgres ${d.major} — ${leadWords(warning)}`),
    section(`${code(d.addonName)}${attached} ${code(d.plan)} runs Postgres ${escape(d.version)}. ${forcedLine(d)}`),
  ];
  if (d.herokuWarning) blocks.push(section(`*Heroku says:* ${untrusted(d.herokuWarning, 800)}`));
  const how = d.fix
    ? 'The button plans the upgrade runbook, starting with a test upgrade (pg:upgrade:dryrun); the cutover waits for approval as usual.'
    : d.connectDatabase
      ? 'Upgrade it with `pg:upgrade` (Essential tier: directly, or with `/connect plan-change … --via copy --version N`).'
      : 'Heroku Connect does not sync this database: upgrade it with `heroku pg:upgrade` outside connect-ops.';
  blocks.push(section(how));
  blocks.push(context(`Sources: ${d.sources.map((s) => escape(s)).join(' · ')}`));
  if (d.fix) blocks.push(fixButton(d.app, d.fix));
  return { text: `${d.app}: ${d.addonName} runs Postgres ${d.major}, deprecated by Heroku. ${leadWords(warning)}.`, blocks: fitMessage(blocks) };
}

/** One line per incident, for the digest and App Home. */
export function incidentLine(incident: Incident): string {
  return `${KIND_EMOJI[incident.kind]} *${escape(incident.app)}*: ${escape(incident.title)} · since ${slackTime(incident.since ?? incident.firstSeenAt)}`;
}

/** One line per database on a deprecated version, for App Home. */
export function versionLine(d: DatabaseVersion): string {
  const when = d.forcedUpgradesFrom ? `forced upgrade from ${d.forcedUpgradesFrom}${d.approximate ? ' (about)' : ''}` : 'deprecated';
  return `:calendar: *${escape(d.app)}*: ${code(d.addonName)} Postgres ${escape(d.version)} · ${when}`;
}

export function digestView(digest: Digest): MessageContent {
  const lines = [
    ...(digest.open.length > 0 ? [`*Open (${digest.open.length}):*`, ...digest.open.map(incidentLine)] : []),
    ...(digest.resolved.length > 0 ? [`*Cleared in the last day (${digest.resolved.length}):*`, ...digest.resolved.map((i) => `:white_check_mark: *${escape(i.app)}*: ${escape(i.title)}`)] : []),
    ...(digest.versions.length > 0
      ? [`*Postgres versions (${digest.versions.length}):*`, ...digest.versions.map((w) => `:calendar: *${escape(w.database.app)}*: ${code(w.database.addonName)} Postgres ${escape(w.database.major)} — ${leadWords(w)}. ${forcedLine(w.database)}`)]
      : []),
  ];
  const blocks: Block[] = [header(`Heroku Connect health, ${digest.day}`), ...packLines(lines).map((t) => section(t))];
  const fixes = digest.open.filter((i) => i.fix).slice(0, 5);
  for (const incident of fixes) blocks.push(section(`${escape(incident.app)}: ${escape(incident.title)}`), fixButton(incident.app, incident.fix!));
  for (const warning of digest.versions.filter((w) => w.database.fix).slice(0, 3)) {
    blocks.push(section(`${escape(warning.database.app)}: ${code(warning.database.addonName)} Postgres ${escape(warning.database.major)}`), fixButton(warning.database.app, warning.database.fix!));
  }
  blocks.push(context('The daily digest (`health.digest` in the policy file): incidents are not told one by one.'));
  const versions = digest.versions.length > 0 ? `, ${digest.versions.length} Postgres version warning${digest.versions.length === 1 ? '' : 's'}` : '';
  return { text: `Heroku Connect health, ${digest.day}: ${digest.open.length} open, ${digest.resolved.length} cleared${versions}`, blocks: fitMessage(blocks) };
}
