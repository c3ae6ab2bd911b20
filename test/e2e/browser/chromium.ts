import { describe } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (which downloads no browser). `.ci/run` installs it;
 * on a machine without it the browser tests are skipped with a warning, but never on CI.
 */

export const CHROMIUM = '/usr/bin/chromium';

// The machine's network is closed: without these Chromium keeps trying Google's services.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function chromiumPresent(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') return true; // launching fails below, and says why
  console.warn(`Skipping the browser tests: there is no Chromium at ${CHROMIUM} (apt-get install chromium).`);
  return false;
}

/** `describe`, or `describe.skip` off CI when Chromium is not installed. */
export const describeInBrowser = chromiumPresent() ? describe : describe.skip;

export interface Browser {
  page: Page;
  /** Uncaught errors of the page's scripts, for tests to assert there were none. */
  errors: string[];
  close(): Promise<void>;
}

/** A fresh headless Chromium (its own profile) with one 1280×860 page in UTC. */
export async function openBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: .ci/run installs it with apt-get install chromium.`);
  const profile = mkdtempSync(join(tmpdir(), 'connect-ops-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 860 },
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return {
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
