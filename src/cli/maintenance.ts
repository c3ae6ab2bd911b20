import { Command, InvalidArgumentError } from 'commander';
import { createStatusFeedClient } from '../ops/heroku/status-feed.js';
import { createTrustClient } from '../ops/heroku/trust.js';
import {
  classifyText,
  FeedHealth,
  formatWindow,
  isFinished,
  observeNotices,
  parseWindow,
  readFeeds,
  type Confidence,
  type NoticeFields,
} from '../status/index.js';

/**
 * `connect-ops maintenance parse --text "…"`: what the watcher reads in one notice text.
 * `connect-ops maintenance list`: the Heroku Connect maintenance windows announced on the live feeds.
 */

export interface MaintenanceCommandDeps {
  /** Where results go (stdout by default). */
  write?: (text: string) => void;
  /** Where source failures go (stderr by default). */
  warn?: (text: string) => void;
  now?: () => Date;
  timeoutMs?: number;
  /** Feed base URLs (HEROKU_STATUS_URL, SALESFORCE_TRUST_URL); Heroku's public ones by default. */
  statusUrl?: string;
  trustUrl?: string;
}

export interface ParsedNotice {
  connect: boolean;
  regions: string[];
  start: string | null;
  end: string | null;
  confidence: Confidence;
}

export function parseNotice(text: string, postedAt: Date): ParsedNotice {
  const window = parseWindow(text, { postedAt });
  return {
    ...classifyText(text),
    start: window.start?.toISOString() ?? null,
    end: window.end?.toISOString() ?? null,
    confidence: window.confidence,
  };
}

export function maintenanceCommand(deps: MaintenanceCommandDeps = {}): Command {
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
  const warn = deps.warn ?? ((text: string) => process.stderr.write(text));
  const now = deps.now ?? (() => new Date());
  const command = new Command('maintenance').description('Heroku Connect maintenance windows from Heroku status and Salesforce Trust');

  command
    .command('parse')
    .description('read a status notice title or text the way the watcher does, as one JSON object')
    .requiredOption('--text <text>', 'the title or text of a notice')
    .option('--posted-at <time>', 'when the notice was posted (ISO 8601); a date without a year is the next one after it', isoTime)
    .action((options: { text: string; postedAt?: Date }) => {
      write(`${JSON.stringify(parseNotice(options.text, options.postedAt ?? now()))}\n`);
    });

  command
    .command('list')
    .description('list the Heroku Connect maintenance windows announced and not over, from the live feeds')
    .option('--status-url <url>', 'Heroku status site', deps.statusUrl ?? 'https://status.heroku.com')
    .option('--trust-url <url>', 'Salesforce Trust Status API', deps.trustUrl ?? 'https://api.status.salesforce.com/v1')
    .option('--json', 'one JSON object per window')
    .action(async (options: { statusUrl: string; trustUrl: string; json?: boolean }) => {
      const at = now();
      const timeoutMs = deps.timeoutMs ?? 10_000;
      const health = new FeedHealth();
      const snapshot = await readFeeds(
        {
          status: createStatusFeedClient({ baseUrl: options.statusUrl, timeoutMs }),
          trust: createTrustClient({ baseUrl: options.trustUrl, timeoutMs }),
        },
        at,
        health,
      );
      for (const [feed, reason] of health.failures()) warn(`${feed} could not be read: ${reason}\n`);
      if (snapshot.current === null && snapshot.trust === null) throw new Error('Neither Heroku status nor Salesforce Trust could be read.');
      const upcoming = observeNotices(snapshot, at)
        .map((o) => o.notice)
        .filter((n) => !isFinished(n.state) && (n.end === null || new Date(n.end) > at));
      if (options.json) write(upcoming.map((n) => `${JSON.stringify(n)}\n`).join(''));
      else write(upcoming.length === 0 ? 'No Heroku Connect maintenance is announced.\n' : upcoming.map(line).join(''));
    });

  return command;
}

function line(n: NoticeFields): string {
  const regions = n.regions.length > 0 ? ` [${n.regions.join(', ')}]` : '';
  return `${formatWindow(n)}${regions}  ${n.state}  ${n.title}${n.link ? `  ${n.link}` : ''}\n`;
}

function isoTime(value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError('must be an ISO 8601 time such as 2026-07-01T12:00:00Z');
  }
  return date;
}
