import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createLogger } from '../../../src/log.js';
import { startSandbox, type Sandbox } from '../../../src/sandbox/run.js';
import { describeInBrowser, openBrowser, type Browser } from './chromium.js';

/**
 * What nobody announces, played from the sandbox panel: a field deleted in Salesforce stops a
 * mapping, the health watcher tells #acme-prod once, its button plans and starts field-change, and
 * the same message turns to resolved. Then the person's App Home and the runbook form (a
 * plan-change, approved from the approver's Home tab), and a Postgres version aged from the panel
 * reaching the version radar.
 */

describeInBrowser('the health watcher, App Home and the runbook form in the sandbox page', () => {
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

  it('tells a mapping stopped by a deleted field once, plans its fix from the button, and marks it resolved', async () => {
    const { page } = browser;
    await page.goto(sandbox.urls.page ?? '');
    const youAre = page.getByLabel('You are');
    await youAre.selectOption({ label: 'Priya Raman (operator)' });
    await page.getByRole('navigation').getByRole('button', { name: /acme-prod/ }).click();

    const panel = page.getByRole('region', { name: 'Sandbox' });
    await panel.getByLabel('App', { exact: true }).selectOption('acme-prod');
    await panel.getByLabel('Mapping', { exact: true }).selectOption('Account');
    await panel.getByLabel('Field', { exact: true }).selectOption('External_ID__c');
    await panel.getByRole('button', { name: 'Delete the field in Salesforce' }).click();

    const messages = page.locator('#messages');
    const incident = messages.locator('article.msg', { has: page.getByRole('heading', { name: /acme-prod: The Account mapping stopped syncing/ }) });
    await incident.waitFor({ timeout: 30_000 });
    expect(await incident.textContent()).toContain('Salesforce no longer has External_ID__c, which the mapping still maps.');
    await incident.getByRole('button', { name: 'Plan field-change' }).click();

    // field-change has no cutover to approve: its plan card shows, and it runs.
    const card = messages.locator('article.msg', { has: page.getByRole('heading', { name: 'Plan: field-change acme-prod' }) });
    await card.waitFor();
    expect(await card.textContent()).toContain('Save the Account mapping again');
    await messages.locator('article.msg-ephemeral', { hasText: /Started r\w+ \(field-change acme-prod\) to fix it/ }).waitFor();

    // Saved again, the mapping syncs; the watcher edits the same message.
    const resolved = messages.locator('article.msg', { has: page.getByRole('heading', { name: /Resolved: acme-prod: The Account mapping stopped syncing/ }) });
    await resolved.waitFor({ timeout: 45_000 });
    expect(await messages.locator('article.msg', { hasText: 'The Account mapping stopped syncing' }).count()).toBe(1);
    expect(sandbox.heroku.world.apps.get('acme-prod') && [...sandbox.heroku.world.connections.values()].flatMap((c) => c.mappings).find((m) => m.objectName === 'Account')?.config.fields).not.toHaveProperty('External_ID__c');
    expect(browser.errors).toEqual([]);
  }, 120_000);

  it('shows the person’s App Home, and starts a run from the runbook form opened by /connect alone', async () => {
    const { page } = browser;
    const youAre = page.getByLabel('You are');
    await youAre.selectOption({ label: 'Priya Raman (operator)' });
    await page.getByRole('navigation').getByRole('button', { name: 'connect-ops' }).click();
    const home = page.getByRole('region', { name: 'App Home' });
    await home.getByRole('heading', { name: 'Your runs' }).waitFor();
    await home.getByText(/field-change acme-prod — succeeded/).waitFor();
    expect(await home.textContent()).toContain('Postgres versions');

    await page.getByRole('navigation').getByRole('button', { name: /acme-prod/ }).click();
    const composer = page.getByRole('textbox', { name: 'Message' });
    await composer.fill('/connect');
    await composer.press('Enter');
    const form = page.getByRole('dialog', { name: 'Run a runbook' });
    await form.waitFor();
    expect(await form.getByLabel('App', { exact: true }).inputValue()).toBe('acme-prod');
    await form.getByLabel('Runbook', { exact: true }).selectOption('plan-change');
    await form.getByText('Pick an app and a runbook').waitFor({ state: 'detached' });
    // The plans are read live from the simulated Platform API (Plan List By Add-on): a choice, not free text.
    await form.getByLabel('Plan', { exact: true }).selectOption('standard-2');
    await form.getByRole('heading', { name: 'Plan preview: plan-change acme-prod' }).waitFor();
    expect(await form.textContent()).toContain('heroku-postgresql:standard-2');
    await form.getByRole('button', { name: 'Start' }).click();
    await form.waitFor({ state: 'hidden' });
    const messages = page.locator('#messages');
    await messages.locator('article.msg-ephemeral', { hasText: /Started r\w+ \(plan-change acme-prod\) from the runbook form/ }).waitFor();
    const card = messages.locator('article.msg', { has: page.getByRole('heading', { name: 'Plan: plan-change acme-prod' }) });
    await card.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 30_000 });

    // The approver opens their Home tab: the plan change waits on them there, with Approve.
    await youAre.selectOption({ label: 'Alex Chen (approver)' });
    await page.getByRole('navigation').getByRole('button', { name: 'connect-ops' }).click();
    await home.getByRole('heading', { name: 'Waiting on you (1)' }).waitFor({ timeout: 30_000 });
    await home.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('dialog', { name: 'Approve the cutover?' }).getByRole('button', { name: 'Approve' }).click();
    await home.getByText(/Approved: r\w+ has its approvals and goes on\./).waitFor();
    await home.getByRole('heading', { name: 'Waiting on you (0)' }).waitFor();
    expect(browser.errors).toEqual([]);
  }, 90_000);

  it('opens the runbook form from the ⚡ shortcut, and brings a Postgres version aged from the panel to the radar', async () => {
    const { page } = browser;
    await page.getByLabel('You are').selectOption({ label: 'Priya Raman (operator)' });
    await page.getByRole('navigation').getByRole('button', { name: /acme-staging/ }).click();
    await page.getByRole('button', { name: '⚡ Shortcuts' }).click();
    await page.getByRole('menuitem', { name: 'Run a runbook' }).click();
    const form = page.getByRole('dialog', { name: 'Run a runbook' });
    await form.waitFor();
    await form.getByRole('button', { name: 'Cancel' }).click();
    await form.waitFor({ state: 'hidden' });

    const panel = page.getByRole('region', { name: 'Sandbox' });
    await panel.getByLabel('Postgres version', { exact: true }).selectOption('16');
    await panel.getByRole('button', { name: 'Deprecate now' }).click();
    await panel.getByText(/Deprecated: Postgres 16 \(forced upgrades from \d{4}-\d{2}-\d{2}\)/).waitFor();
    const warning = page.locator('#messages article.msg', { has: page.getByRole('heading', { name: /acme-staging: Postgres 16 — / }) });
    await warning.waitFor({ timeout: 60_000 });
    expect(await warning.textContent()).toMatch(/Postgres 16 — Deprecated by Heroku[\s\S]*Heroku says: Postgres 16 is deprecated\./);
    expect(browser.errors).toEqual([]);
  }, 90_000);
});
