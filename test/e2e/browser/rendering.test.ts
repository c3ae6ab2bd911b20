import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_CHANNELS, DBA_LEADS, sandboxPeople, SANDBOX_PEOPLE, seedSandboxWorkspace } from '../../../src/sandbox/policy.js';
import { SlackWorkspace, startSlackStandIn, type SlackStandIn } from '../../../src/sandbox/slack/index.js';
import { describeInBrowser, openBrowser, type Browser } from './chromium.js';

/**
 * How the page shows messages, in a real browser: Block Kit and mrkdwn rendered (and everything
 * else left as text), confirm dialogs, ephemerals for their user only, edits and thread replies
 * arriving live. A recording endpoint stands where the bot would, to see which clicks reach it.
 */

const CHANNEL = APP_CHANNELS['acme-prod'];
const { operator, approver1 } = SANDBOX_PEOPLE;

const BLOCKS = [
  { type: 'header', text: { type: 'plain_text', text: ':rocket: Release <b>notes</b>', emoji: true } },
  {
    type: 'section',
    text: {
      type: 'mrkdwn',
      text:
        '*bold* _italic_ ~gone~ `a_code_span` <https://example.com/a?b=1&amp;c=2|a link> <javascript:alert(1)|not a link> ' +
        `<@${operator.id}> <!subteam^${DBA_LEADS.id}|@dba-leads> <#${APP_CHANNELS['globex-prod']}> &lt;img src=x onerror=alert(1)&gt; :white_check_mark: :fast_forward: skipped :stopwatch:\n` +
        '```SELECT * FROM t WHERE a &lt; 2```\n> quoted',
    },
    accessory: { type: 'button', action_id: 'more', value: 'more', text: { type: 'plain_text', text: 'More' } },
  },
  { type: 'section', fields: [{ type: 'mrkdwn', text: '*Plan:*\nstandard-0' }, { type: 'plain_text', text: 'Version 15' }] },
  { type: 'context', elements: [{ type: 'mrkdwn', text: 'Run `r1` · <!date^1767610800^{date_num} {time}|2026-01-05 11:00 UTC>' }] },
  { type: 'divider' },
  {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: 'approve',
        value: 'yes',
        style: 'primary',
        text: { type: 'plain_text', text: 'Approve' },
        confirm: {
          title: { type: 'plain_text', text: 'Approve this plan?' },
          text: { type: 'mrkdwn', text: 'It goes on to the *cutover*.' },
          confirm: { type: 'plain_text', text: 'Approve' },
          deny: { type: 'plain_text', text: 'Not yet' },
        },
      },
      { type: 'button', action_id: 'reject', value: 'no', style: 'danger', text: { type: 'plain_text', text: 'Reject' } },
    ],
  },
];

describeInBrowser('messages on the sandbox page', () => {
  let slack: SlackStandIn;
  let browser: Browser;
  const clicks: string[] = [];
  const bot = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const payload = JSON.parse(new URLSearchParams(body).get('payload') ?? '{}') as { user?: { id: string }; actions?: Array<{ action_id: string }> };
      clicks.push(`${payload.user?.id ?? ''} ${payload.actions?.[0]?.action_id ?? ''}`);
      res.end();
    });
  });

  beforeAll(async () => {
    const workspace = new SlackWorkspace();
    seedSandboxWorkspace(workspace);
    slack = await startSlackStandIn({ workspace, web: { people: sandboxPeople() } });
    await new Promise<void>((resolve) => bot.listen(0, '127.0.0.1', resolve));
    slack.connectBot({ eventsUrl: `http://127.0.0.1:${(bot.address() as AddressInfo).port}/slack/events`, signingSecret: 'not-checked-here' });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await slack?.close();
    await new Promise((resolve) => bot.close(resolve));
  });

  it('renders Block Kit and mrkdwn, and never runs what a message says', async () => {
    const { page } = browser;
    const message = slack.workspace.post({ channel: CHANNEL, user: slack.workspace.bot.id, text: 'Release notes', blocks: BLOCKS });
    await page.goto(slack.url);
    await page.getByLabel('You are').selectOption(operator.id);
    const shown = page.locator(`[data-key="${CHANNEL}:${message.ts}"]`);
    await shown.waitFor();

    expect(await shown.getByRole('heading').textContent()).toBe('🚀 Release <b>notes</b>');
    const section = shown.locator('.bk-section').first();
    expect(await section.locator('strong').textContent()).toBe('bold');
    expect(await section.locator('em').textContent()).toBe('italic');
    expect(await section.locator('s').textContent()).toBe('gone');
    expect(await section.locator('code.mrkdwn-code').textContent()).toBe('a_code_span');
    const link = section.getByRole('link', { name: 'a link' });
    expect([await link.getAttribute('href'), await link.getAttribute('rel')]).toEqual(['https://example.com/a?b=1&c=2', 'noopener noreferrer']);
    expect(await section.getByRole('link').count()).toBe(1);
    expect(await section.locator('.mention-me').textContent()).toBe(`@${operator.realName}`);
    expect(await section.locator('.mention').allTextContents()).toEqual([`@${operator.realName}`, '@dba-leads', '#globex-prod']);
    expect(await section.textContent()).toContain('a link not a link @Priya Raman @dba-leads #globex-prod <img src=x onerror=alert(1)> ✅ ⏩ skipped ⏱️');
    expect(await shown.locator('img, script').count()).toBe(1); // the bot's avatar, nothing from the text
    expect(await section.locator('pre').textContent()).toBe('SELECT * FROM t WHERE a < 2');
    expect(await section.locator('blockquote').textContent()).toBe('quoted');
    expect(await shown.locator('.bk-field').allTextContents()).toEqual(['Plan:\nstandard-0', 'Version 15']);
    const date = shown.locator('.bk-context time');
    expect([await date.getAttribute('datetime'), await date.textContent()]).toEqual(['2026-01-05T11:00:00.000Z', '2026-01-05 11:00 AM']);
    expect(await shown.locator('hr.bk-divider').count()).toBe(1);
    expect(await shown.getByRole('button', { name: 'Approve' }).getAttribute('class')).toContain('bk-button-primary');
    expect(await shown.getByRole('button', { name: 'Reject' }).getAttribute('class')).toContain('bk-button-danger');

    // A channel mention opens the channel.
    await section.getByRole('button', { name: '#globex-prod' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('#globex-prod');
    await page.getByRole('navigation').getByRole('button', { name: /acme-prod/ }).click();
    expect(browser.errors).toEqual([]);
  });

  it('asks a button’s confirm question first, and clicks only when confirmed', async () => {
    const { page } = browser;
    const dialog = page.getByRole('dialog', { name: 'Approve this plan?' });
    await page.getByRole('button', { name: 'Approve' }).click();
    expect(await dialog.textContent()).toContain('It goes on to the cutover.');
    await dialog.getByRole('button', { name: 'Not yet' }).click();
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByRole('button', { name: 'Approve' }).click();
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await dialog.waitFor({ state: 'hidden' });
    for (let waited = 0; clicks.length < 2 && waited < 2000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(clicks).toEqual([`${operator.id} reject`, `${operator.id} approve`]);
  });

  it('shows ephemerals to their user only, and edits and thread replies as they happen', async () => {
    const { page } = browser;
    const [message] = slack.workspace.history(CHANNEL);
    slack.workspace.postEphemeral({ channel: CHANNEL, user: approver1.id, text: 'For Alex only', blocks: [], via: 'chat.postEphemeral' });
    const secret = page.locator('article.msg-ephemeral', { hasText: 'For Alex only' });
    await page.getByLabel('You are').selectOption(approver1.id);
    await secret.waitFor();
    expect(await secret.textContent()).toContain('Only visible to you');
    await page.getByLabel('You are').selectOption(operator.id);
    expect(await secret.count()).toBe(0);

    slack.workspace.update({ channel: CHANNEL, ts: message!.ts, text: 'Release notes', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Now *shorter*' } }] });
    const shown = page.locator(`[data-key="${CHANNEL}:${message!.ts}"]`);
    await shown.filter({ hasText: 'Now shorter' }).waitFor();
    expect(await shown.locator('.msg-edited').textContent()).toBe('(edited)');
    expect(await page.locator('#messages article.msg').count()).toBe(1);

    slack.workspace.post({ channel: CHANNEL, threadTs: message!.ts, user: slack.workspace.bot.id, text: 'In the thread, for <@U02ALEX>' });
    await shown.getByRole('button', { name: /1 reply/ }).click();
    const thread = page.getByRole('region', { name: 'Thread in #acme-prod' });
    await thread.getByText('In the thread, for @Alex Chen').waitFor();

    slack.workspace.post({ channel: APP_CHANNELS['acme-staging'], user: approver1.id, text: 'over here' });
    await page.getByRole('navigation').getByRole('button', { name: '#acme-staging, 1 new' }).waitFor();
    expect(browser.errors).toEqual([]);
  });
});
