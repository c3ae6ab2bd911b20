import type { types } from '@slack/bolt';
import type { RunView } from '../../ops/engine/types.js';
import { ACTIONS, encodeButtonValue } from '../actions/button-values.js';
import type { HomeData } from '../home/data.js';
import { actions, button, context, divider, header, section, type Block } from './blocks.js';
import { code, escape, linked, mentions, slackTime } from './format.js';
import { incidentLine, versionLine } from './health.js';
import { packLines, truncate } from './limits.js';
import { runStatusEmoji, runStatusWords } from './run-status.js';

/**
 * A person's App Home tab: approvals waiting on them (Approve and Reject work from here), their
 * runs and the runs on their apps, the health incidents and version warnings of their apps, and
 * the Heroku Connect maintenance announced. A view holds at most 100 blocks.
 */

export const OPEN_MODAL_ACTION = 'open_runbook_modal';
const MOST_BLOCKS = 100;

function runLine(run: RunView): string {
  return `${runStatusEmoji(run.status)} ${code(run.id)} *${escape(run.runbook)}* ${escape(run.app)} — ${runStatusWords(run.status)} · ${slackTime(run.createdAt)}${run.channel ? ` · <#${run.channel}>` : ''}`;
}

function list(title: string, lines: string[], empty: string): Block[] {
  return [header(title), ...(lines.length > 0 ? packLines(lines).map((t) => section(t)) : [context(empty)])];
}

export function homeView(data: HomeData, notice?: string): types.HomeView {
  const blocks: Block[] = [];
  if (notice) blocks.push(section(`:information_source: ${truncate(notice, 2900)}`));
  blocks.push(
    section(
      data.apps.length > 0
        ? `connect-ops runs Heroku Connect maintenance for ${data.apps.map((a) => code(a)).join(', ')}, which you ${data.operatorOf.length > 0 ? 'operate' : 'may read'}.`
        : 'You are not an operator, approver or reader of any app in the policy file: runs, incidents and warnings of apps show here once you are.',
    ),
    actions('home_actions', [button({ actionId: OPEN_MODAL_ACTION, text: 'Start a runbook…', value: 'home', style: 'primary' })]),
    divider(),
  );

  blocks.push(header(`Waiting on you (${data.approvals.length})`));
  if (data.approvals.length === 0) blocks.push(context('No approval waits on you.'));
  for (const { run, stepIdx } of data.approvals.slice(0, 10)) {
    const value = encodeButtonValue(run, stepIdx);
    blocks.push(
      section(`${runLine(run)}\nRequested by ${mentions([run.requestedBy])}; ${run.approvalsRequired} approval${run.approvalsRequired === 1 ? '' : 's'} needed${run.approvalExpiresAt ? `, open until ${slackTime(run.approvalExpiresAt)}` : ''}.`),
      actions(`approve_${run.id}`, [
        button({ actionId: ACTIONS.approve, text: 'Approve', value, style: 'primary', confirm: { title: 'Approve the cutover?', text: `Approve ${run.runbook} on ${run.app} as its plan card shows it.`, confirm: 'Approve' } }),
        button({ actionId: ACTIONS.reject, text: 'Reject', value, style: 'danger' }),
      ]),
    );
  }

  blocks.push(...list('Your runs', data.mine.map(runLine), 'You have started no runs.'));
  blocks.push(...list('Runs on your apps', data.onTheirApps.map(runLine), 'No other runs on your apps.'));
  blocks.push(...list(`Heroku Connect health (${data.incidents.length} open)`, data.incidents.map(incidentLine), 'Nothing to tell: every connection and mapping of your apps looks healthy.'));
  blocks.push(...list('Postgres versions', data.versions.map(versionLine), 'No database of your apps runs a deprecated Postgres version.'));
  const windows = data.windows.map(
    (w) => `:calendar: *${linked(w.title, w.link)}* ${w.start ? slackTime(w.start) : '_time not stated_'}${w.regions.length > 0 ? ` · ${w.regions.map(escape).join(', ')}` : ''}`,
  );
  blocks.push(...list('Heroku Connect maintenance', windows, 'No Heroku Connect maintenance is announced.'));
  return { type: 'home', callback_id: 'connect_ops_home', blocks: fitView(blocks) };
}

/** At most 100 blocks: the end of the longest lists gives way, the approvals never do. */
function fitView(blocks: Block[]): Block[] {
  if (blocks.length <= MOST_BLOCKS) return blocks;
  return [...blocks.slice(0, MOST_BLOCKS - 1), context('… more than a view can show: `/connect runs` lists every run.')];
}
