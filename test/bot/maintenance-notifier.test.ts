import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { webApi } from '@slack/bolt';
import { SlackMaintenanceNotifier } from '../../src/bot/maintenance-notifier.js';
import { SlackWorkspace, startSlackStandIn, type SlackStandIn } from '../../src/sandbox/slack/index.js';
import { noticeSummary } from '../../src/status/messages.js';
import type { MaintenanceNotice } from '../../src/status/notice.js';
import { BOT_TOKEN, MAINTENANCE_CHANNEL, seedWorkspace } from './support/harness.js';

const NOTICE: MaintenanceNotice = {
  id: 'heroku:2959',
  source: 'heroku',
  title: 'Scheduled maintenance for Heroku Connect',
  state: 'scheduled',
  start: '2026-07-15T17:00:00.000Z',
  end: '2026-07-15T17:45:00.000Z',
  regions: ['Virginia'],
  confidence: 'high',
  link: 'https://status.heroku.com/incidents/2959',
  text: 'Heroku Connect will undergo maintenance on July 15 at 17:00 UTC.\nSync pauses <for> 45 minutes.',
};

describe('the maintenance notifier in Slack', () => {
  let slack: SlackStandIn;
  let notifier: SlackMaintenanceNotifier;
  beforeAll(async () => {
    const workspace = new SlackWorkspace();
    seedWorkspace(workspace);
    slack = await startSlackStandIn({ workspace, botToken: BOT_TOKEN });
    notifier = new SlackMaintenanceNotifier(new webApi.WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logLevel: webApi.LogLevel.ERROR }));
  });
  afterAll(() => slack.close());

  it('posts a notice as a root message, edits it as the notice changes, and replies in its thread', async () => {
    const ref = await notifier.postNotice(MAINTENANCE_CHANNEL, NOTICE);
    const root = slack.workspace.message(MAINTENANCE_CHANNEL, ref.ts)!;
    expect(root.text).toBe(noticeSummary(NOTICE));
    expect(JSON.stringify(root.blocks)).toContain('*When:* Wed 15 Jul 2026, 17:00–17:45 UTC');
    expect(JSON.stringify(root.blocks)).toContain('Sync pauses &lt;for&gt; 45 minutes.');

    await notifier.updateNotice(ref, { ...NOTICE, state: 'in_progress' });
    expect(slack.workspace.message(MAINTENANCE_CHANNEL, ref.ts)?.text).toMatch(/^In progress: Heroku Connect maintenance/);
    await notifier.replyInThread(ref, 'Reminder: Heroku Connect maintenance starts in 1 hour.');
    expect(slack.workspace.replies(MAINTENANCE_CHANNEL, ref.ts).map((m) => m.text)).toEqual(['Reminder: Heroku Connect maintenance starts in 1 hour.']);
  });
});
