import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../../src/log.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/run.js';
import { describeInBrowser, openBrowser, type Browser } from './chromium.js';

/**
 * `/connect upgrade acme-prod` by hand in the sandbox page, as a newcomer does it: the page, the
 * bot, the engine and the simulated Heroku are what `npm run sandbox` starts. At 100× the upgrade
 * takes seconds once approved, long enough to photograph it mid-run for the README.
 */

const TIME_SCALE = 100;
/** The README's picture is rewritten only when asked (`UPDATE_SCREENSHOT=1`); a test run leaves the tree clean. */
const SCREENSHOT =
  process.env.UPDATE_SCREENSHOT === '1' ? fileURLToPath(new URL('../../../docs/sandbox.png', import.meta.url)) : join(tmpdir(), 'connect-ops-sandbox.png');

describeInBrowser('the sandbox page', () => {
  let sandbox: Sandbox;
  let browser: Browser;

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: { page: 0, heroku: 0 }, timeScale: TIME_SCALE, logger: createLogger({ level: 'silent' }) });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  it('runs an upgrade typed in the composer, refuses the requester’s approval, takes two approvers’ and shows every step done', async () => {
    const { page } = browser;
    await page.goto(sandbox.urls.page ?? '');
    const youAre = page.getByLabel('You are');
    await youAre.selectOption({ label: 'Priya Raman (operator)' });
    await page.getByRole('navigation').getByRole('button', { name: /acme-prod/ }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('#acme-prod');

    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('/connect upgrade acme-prod');
    await composer.press('Enter');
    const messages = page.locator('#messages');
    const card = messages.locator('article.msg', { has: page.getByRole('heading', { name: 'Plan: upgrade acme-prod' }) });
    const run = messages.locator('article.msg', { has: page.getByRole('heading', { name: /upgrade acme-prod: / }) });
    await card.waitFor();
    await run.waitFor();
    await messages.locator('article.msg-ephemeral', { hasText: /Started r\w+ \(upgrade acme-prod\)/ }).waitFor();
    expect(await card.textContent()).toContain('Needs 2 approvals from distinct approvers: @Alex Chen, @dba-leads.');

    // pg:upgrade:prepare takes hours on Heroku: skip them on the simulated clock.
    await run.filter({ hasText: /Wait until the upgrade is prepared — waiting/ }).waitFor();
    await page.getByRole('button', { name: '+1 day' }).click();
    const approve = card.getByRole('button', { name: 'Approve' });
    await approve.waitFor({ timeout: 20_000 });

    const approveAs = async (person: string) => {
      await youAre.selectOption({ label: person });
      await approve.click();
      const dialog = page.getByRole('dialog', { name: 'Approve this plan?' });
      await dialog.getByRole('button', { name: 'Approve' }).click();
    };
    const ephemeral = (text: RegExp) => messages.locator('article.msg-ephemeral', { hasText: text });

    // The requester cannot approve their own run; only they see why.
    await approveAs('Priya Raman (operator)');
    const refused = ephemeral(/Only the approvers of acme-prod may/);
    await refused.waitFor();
    expect(await refused.textContent()).toContain('Only visible to you');

    await approveAs('Alex Chen (approver)');
    await ephemeral(/Your approval of r\w+ is recorded: 1 of 2/).waitFor();
    expect(await refused.count()).toBe(0);

    await approveAs('Jordan Lee (approver, @dba-leads)');
    await ephemeral(/Approved: r\w+ has its approvals and goes on/).waitFor();

    // Mid-run, Heroku Connect paused and the upgrade under way: the README's screenshot.
    await run.filter({ hasText: /Wait until the upgrade has finished — waiting/ }).waitFor({ timeout: 30_000 });
    // Clicking Approve scrolled the channel up to the card, as it would for a person.
    await run.evaluate((message) => message.scrollIntoView({ block: 'end' }));
    await page.mouse.move(0, 0);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });

    await run.filter({ hasText: 'upgrade acme-prod: succeeded' }).waitFor({ timeout: 30_000 });
    const steps = (await run.innerText()).split('\n').filter((line) => /^\S+ \d+\. /.test(line));
    expect(steps.length).toBeGreaterThan(10);
    // Every step done, except those acme-prod has nothing for (no other app on its database, no
    // Scheduler): skipped, with the reason.
    const nothingToDo = /Heroku Scheduler|other apps/;
    expect(steps.filter((line) => !line.startsWith(nothingToDo.test(line) ? '⏩' : '✅'))).toEqual([]);
    expect(steps.filter((line) => line.startsWith('⏩')).every((line) => / — skipped: /.test(line))).toBe(true);
    expect(await card.textContent()).toMatch(/@Alex Chen ✅ approved [^@]+@Jordan Lee ✅ approved/);
    expect(browser.errors).toEqual([]);
  }, 60_000);
});
