import { formatWindow, noticeSummary } from '../../status/messages.js';
import type { MaintenanceNotice } from '../../status/notice.js';
import type { UpcomingWindow } from '../ports.js';
import { header, section, type MessageContent } from './blocks.js';
import { escape, linked, slackTime, untrusted } from './format.js';
import { fitMessage, packLines } from './limits.js';

/** Heroku Connect maintenance in Slack: the `/connect maintenance` list and the watcher's notices. */

/** `/connect maintenance`: the windows announced and not yet over. */
export function upcomingWindowsView(windows: readonly UpcomingWindow[]): MessageContent {
  if (windows.length === 0) {
    const text = 'No Heroku Connect maintenance is announced.';
    return { text, blocks: [section(`:white_check_mark: ${text}`)] };
  }
  return {
    text: `${windows.length} Heroku Connect maintenance window(s) announced`,
    blocks: fitMessage([header('Heroku Connect maintenance'), ...packLines(windows.map(windowLine)).map((t) => section(t))]),
  };
}

function windowLine(window: UpcomingWindow): string {
  const title = linked(window.title, window.link);
  const when = window.start
    ? `${slackTime(window.start)}${window.end ? ` to ${slackTime(window.end)}` : ''}${window.confidence === 'low' ? ' _(times partly assumed: check the notice)_' : ''}`
    : '_no time stated yet_';
  const regions = window.regions.length > 0 ? ` · ${window.regions.map(escape).join(', ')}` : '';
  return `• *${title}*\n      ${when}${regions}`;
}

const STATE_HEADERS: Record<MaintenanceNotice['state'], string> = {
  scheduled: ':calendar: Heroku Connect maintenance scheduled',
  in_progress: ':construction: Heroku Connect maintenance in progress',
  complete: ':white_check_mark: Heroku Connect maintenance complete',
  cancelled: ':heavy_multiplication_x: Heroku Connect maintenance cancelled',
};

/** The root message of a maintenance notice's thread, re-rendered whenever the notice changes. */
export function maintenanceNoticeView(notice: MaintenanceNotice): MessageContent {
  const regions = notice.regions.length > 0 ? `\n*Regions:* ${notice.regions.map(escape).join(', ')}` : '';
  const title = linked(notice.title, notice.link);
  return {
    text: noticeSummary(notice),
    blocks: fitMessage([
      header(STATE_HEADERS[notice.state]),
      section(`*When:* ${escape(formatWindow(notice))}${regions}`),
      section('All Heroku Connect sync and configuration stop during the window, and it cannot be rescheduled. Runs whose cutover overlaps it are held.'),
      section(`*${title}*\n> ${untrusted(notice.text, 1500).replace(/\n/g, '\n> ')}`),
    ]),
  };
}
