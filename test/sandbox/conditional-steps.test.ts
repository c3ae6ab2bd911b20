import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { showRun } from '../../src/cli/runs.js';
import { createLogger } from '../../src/log.js';
import { APP_CHANNELS, SANDBOX_PEOPLE } from '../../src/sandbox/policy.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/run.js';
import { buttonsOf } from '../../src/sandbox/slack/index.js';

/**
 * `/connect upgrade globex-prod --via follower` in the sandbox, through the page's endpoints, with the
 * bot, the engine and the simulated Heroku that `npm run sandbox` starts. globex-prod's Heroku
 * Connect reads HEROKU_POSTGRESQL_ONYX_URL, so the cutover takes the db_key branch: the promote is
 * skipped, and every place a run is shown says so, with the reason, and in one (simulated) clock.
 */

const TIME_SCALE = 600;
const CHANNEL = APP_CHANNELS['globex-prod'];
const DAY = 24 * 3_600_000;
const { operator, approver1, approver2 } = SANDBOX_PEOPLE;
const PROMOTE = 'Promote the new database to DATABASE_URL (pg:promote)';
const REASON = "The old database is not the app's DATABASE_URL (Heroku Connect uses HEROKU_POSTGRESQL_ONYX_URL): nothing to promote; its names move to the new database.";
const DB_SET_REASON =
  "Heroku Connect uses HEROKU_POSTGRESQL_ONYX_URL, which now names the new database (attached under the same name, the article's addons:attach way): the app and Heroku Connect stay together.";

describe('a conditional step in the sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ ports: { page: 0, heroku: 0 }, timeScale: TIME_SCALE, logger: createLogger({ level: 'silent' }) });
  });
  afterAll(() => sandbox?.stop());

  const post = (path: string, body: unknown) =>
    fetch(`${sandbox.urls.page}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const workspace = () => sandbox.slack!.workspace;
  const text = (blocks: unknown[]) => JSON.stringify(blocks);
  const messages = () => workspace().allMessages().filter((m) => m.channel === CHANNEL && m.threadTs === null);

  it('shows the branch not taken as skipped with its reason in the run message, the thread, the audit trail and runs show, in simulated time', async () => {
    await post('/ui/compose', { user: operator.id, channel: CHANNEL, text: '/connect upgrade globex-prod --via follower' });
    const card = () => messages().find((m) => m.text.startsWith('Plan: upgrade-via-follower globex-prod'));
    await workspace().waitFor(card, 10_000);
    // The plan shows both branches, each with its condition.
    expect(text(card()!.blocks)).toContain(`${PROMOTE} _(only when the old database is the app's DATABASE_URL)_`);

    // The follower catches up over simulated hours: move the clock until approval opens.
    const approvable = () => card() && buttonsOf(card()!.blocks).find((b) => b.action_id === 'approve');
    for (let tries = 0; !approvable() && tries < 100; tries += 1) {
      await post('/ui/sandbox', { action: 'advance', ms: DAY });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // `upgrade` needs two approvers by the sandbox policy, which covers `upgrade --via follower` too.
    for (const approver of [approver1, approver2]) {
      const button = approvable();
      if (!button) throw new Error('approval never opened');
      await post('/ui/click', { user: approver.id, channel: CHANNEL, ts: card()!.ts, actionId: 'approve', value: button.value });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const message = () => messages().find((m) => m.text.startsWith('upgrade-via-follower globex-prod: '));
    await workspace().waitFor(() => (message()?.text.endsWith('succeeded') ? message() : undefined), 90_000);
    const shown = text(message()!.blocks);
    expect(shown).toContain(`:fast_forward: *`);
    expect(shown).toContain(`${PROMOTE} — skipped: ${REASON}`);
    expect(shown).not.toMatch(new RegExp(`:white_check_mark: \\*\\d+\\.\\* ${PROMOTE.replace(/[()]/g, '\\$&')}`));
    // One clock: durations are simulated, and the message says so once.
    expect(shown.match(/Simulated time/g)).toHaveLength(1);
    expect(shown).toMatch(/Finished \+\d+[dhm]/);
    expect(shown).not.toMatch(/Finished <!date/);
    const downtime = /\*Downtime taken:\* ([^.]+)\./.exec(shown)?.[1] ?? '';
    expect(downtime).toMatch(/\d+m/);

    const summary = await workspace().waitFor(() => workspace().replies(CHANNEL, message()!.ts).find((r) => r.text.endsWith('succeeded')), 10_000);
    expect(text(summary.blocks)).toMatch(/Skipped step \d+\* \(Promote the new database to DATABASE_URL \(pg:promote\)\): The old database is not the app's DATABASE_URL \(Heroku Connect uses HEROKU_POSTGRESQL_ONYX_URL\)/);

    const engine = sandbox.connectOps!.engine;
    const [run] = await engine.listRuns({ app: 'globex-prod', limit: 1 });
    const audit = await engine.auditTrail(run!.id);
    // Skipped besides: the other apps' and the Scheduler's steps (globex-prod is alone on its database, without Scheduler).
    expect(audit.filter((e) => e.type === 'step.skipped' && !/attached to globex-prod only|Heroku Scheduler/.test(String(e.detail.reason))).map((e) => e.detail.reason)).toEqual([REASON, DB_SET_REASON]);
    const cli = showRun(run!, audit);
    expect(cli).toMatch(new RegExp(`\\d+\\. skipped   action   ${PROMOTE.replace(/[()]/g, '\\$&')}  \\(not taken: ${REASON.replace(/[.()]/g, '\\$&')}\\)`));
    expect(cli).toContain('Simulated time: durations are 600×');
    expect(cli).toContain('step.skipped');
  }, 150_000);
});
