import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createLogger } from '../../../src/log.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/run.js';
import { describeInBrowser, openBrowser, type Browser } from './chromium.js';

/**
 * The sandbox panel. A Heroku Connect maintenance announced there is carried by the simulated
 * status feeds, read by the bot's watcher (every five seconds in the sandbox) and posted in the
 * maintenance channel, which the page shows live and edits as the maintenance starts. Faults set
 * there are the simulated Heroku's.
 */

describeInBrowser('the sandbox panel', () => {
  let sandbox: Sandbox;
  let browser: Browser;

  beforeAll(async () => {
    sandbox = await startSandbox({ ports: { page: 0, heroku: 0 }, logger: createLogger({ level: 'silent' }) });
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  it('announces a maintenance on the simulated feeds and shows the bot’s notice in the maintenance channel', async () => {
    const { page } = browser;
    await page.goto(sandbox.urls.page ?? '');
    const channels = page.getByRole('navigation');
    await channels.getByRole('button', { name: /acme-prod/ }).click();

    const panel = page.getByRole('region', { name: 'Sandbox' });
    await panel.getByLabel('Region').selectOption('Dublin');
    await panel.getByLabel('Starts in (simulated hours)').fill('6');
    await panel.getByLabel('Lasts (minutes)').fill('45');
    await panel.getByRole('button', { name: 'Announce maintenance' }).click();
    const announced = panel.getByRole('list', { name: 'Announced maintenance' }).getByRole('listitem');
    await announced.filter({ hasText: /scheduled\s*\[Dublin\] Heroku Connect maintenance on/ }).waitFor();
    expect(sandbox.heroku.notices.list().map((n) => [n.region, n.phase, n.window && (n.window.end - n.window.start) / 60_000])).toEqual([['Dublin', 'scheduled', 45]]);

    // The notice arrives while someone reads another channel: the sidebar marks it.
    const maintenance = channels.getByRole('button', { name: /heroku-maintenance/ });
    await channels.getByRole('button', { name: /heroku-maintenance, 1 new/ }).waitFor({ timeout: 15_000 });
    await maintenance.click();
    const notice = page.locator('#messages article.msg', { has: page.getByRole('heading', { name: /Heroku Connect maintenance scheduled/ }) });
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/Regions: Dublin[\s\S]*\[Dublin\] Heroku Connect maintenance on /);

    // Heroku starts it: the same message turns into "in progress", and its thread says so.
    await announced.getByRole('button', { name: 'Start' }).click();
    await page.locator('#messages article.msg', { has: page.getByRole('heading', { name: /Heroku Connect maintenance in progress/ }) }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#messages article.msg').count()).toBe(1);
    expect(browser.errors).toEqual([]);
  }, 60_000);

  it('injects faults into the simulated Heroku and clears them', async () => {
    const { page } = browser;
    const panel = page.getByRole('region', { name: 'Sandbox' });
    const now = panel.locator('#faults-now');
    await panel.getByLabel('429 burst of').fill('7');
    await panel.getByRole('button', { name: 'Inject' }).click();
    await panel.getByLabel('5xx on').fill('15');
    await panel.getByRole('button', { name: 'Apply' }).click();
    await panel.getByLabel('Connection stuck in POLLING_DB_CHANGES').selectOption('globex-prod');
    await panel.getByRole('button', { name: 'Stick' }).click();
    await now.filter({ hasText: 'globex-prod stuck in POLLING_DB_CHANGES' }).waitFor();
    expect(await now.textContent()).toBe('Now: the next 7 Platform and data API requests get 429; 15% of requests get 503; globex-prod stuck in POLLING_DB_CHANGES.');
    expect(sandbox.heroku.world.faults.current).toMatchObject({ rateLimitBurst: 7, errorRate: 0.15, stuckPolling: ['globex-prod'] });

    await panel.getByRole('button', { name: 'Clear all faults' }).click();
    await now.filter({ hasText: 'No faults' }).waitFor();
    expect(sandbox.heroku.world.faults.current).toMatchObject({ rateLimitBurst: 0, errorRate: 0, stuckPolling: [] });
  });
});
