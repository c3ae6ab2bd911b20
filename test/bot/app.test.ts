import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CHANNEL, startBotHarness, startedRunId, USERS, type BotHarness } from './support/harness.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the Bolt app over HTTP', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness();
  });
  afterAll(() => h.close());

  const base = () => `http://127.0.0.1:${h.bot.port()}`;

  it('answers /healthz while its store answers', async () => {
    const response = await fetch(`${base()}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it('refuses a bad signature and a stale timestamp, and does nothing for them', async () => {
    const bad = await h.driver.command({ user: USERS.operator, channel: CHANNEL, text: 'help', signature: `v0=${'0'.repeat(64)}` });
    const stale = await h.driver.command({ user: USERS.operator, channel: CHANNEL, text: 'help', timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    const unsigned = await fetch(`${base()}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'command=%2Fconnect&text=help' });
    expect([bad.status, stale.status, unsigned.status]).toEqual([401, 401, 401]);
    await sleep(100);
    expect(h.slack.responses).toEqual([]);
  });

  it('answers an unknown command privately with the usage and the closest command', async () => {
    const delivery = await h.command(USERS.approver, 'upgarde acme-prod');
    expect(delivery.status).toBe(200);
    expect(await h.ephemeral(USERS.approver, /Unknown command/)).toBe(
      'Unknown command `upgarde`. Did you mean `upgrade`?\nUsage: `/connect COMMAND [ARGS] (`/connect help` lists the commands)`',
    );
  });

  it('never starts a second run for Slack’s retried delivery or a second command', async () => {
    const first = await h.driver.command({ user: USERS.operator, channel: CHANNEL, text: 'resume acme-prod', triggerId: 'trigger-resume-1' });
    const retried = await h.driver.command({ user: USERS.operator, channel: CHANNEL, text: 'resume acme-prod', triggerId: 'trigger-resume-1', retryNum: 1 });
    const again = await h.command(USERS.operator, 'resume acme-prod');
    expect([first.status, retried.status, again.status]).toEqual([200, 200, 200]);
    const id = startedRunId(await h.ephemeral(USERS.operator, /Started .*resume acme-prod/));
    expect(await h.ephemeral(USERS.operator, /already has a run in progress/)).toContain(id);
    await sleep(200);
    expect((await h.runs('acme-prod')).map((r) => r.id)).toEqual([id]);
    expect(h.ephemerals(USERS.operator).filter((t) => t.startsWith('Started'))).toHaveLength(1);
    await h.engine.cancel({ runId: id, userId: USERS.operator });
  });

  it('acks anything it cannot use and stays up', async () => {
    const junk = [
      'payload=not-json',
      `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: USERS.approver }, actions: [{ action_id: 'approve', value: 'forged' }], response_url: 'http://127.0.0.1:9/x', trigger_id: 't-junk' }))}`,
      `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: USERS.approver }, actions: [{ action_id: 'unknown_button' }] }))}`,
      'command=%2Fconnect&text=%00%01%02',
      '',
    ];
    const statuses = await Promise.all(junk.map(async (body) => (await h.driver.deliver(body)).status));
    expect(statuses.every((s) => s < 500)).toBe(true);
    expect((await fetch(`${base()}/healthz`)).status).toBe(200);
  });

  it('acks what no listener handles at once, and lets a listener registered for it answer instead', async () => {
    const user = { id: USERS.approver, team_id: 'T0SANDBOX' };
    const payload = (value: unknown) => `payload=${encodeURIComponent(JSON.stringify(value))}`;
    const view = { type: 'view_submission', user, view: { id: 'V1', callback_id: 'feature_form' } };
    const unhandled = await h.driver.deliver(payload(view));
    expect(unhandled.status).toBe(200);
    expect(unhandled.ms).toBeLessThan(2000);
    // A feature's own listener (a later issue's view) wins over the fallback: its answer is the ack.
    h.bot.app.view('feature_form', async ({ ack }) => {
      await ack({ response_action: 'errors', errors: { name: 'Say a name' } });
    });
    const handled = await h.driver.deliver(payload(view));
    expect(JSON.parse(handled.body)).toEqual({ response_action: 'errors', errors: { name: 'Say a name' } });
    const other = await h.driver.deliver(new URLSearchParams({ command: '/deploy', user_id: USERS.operator, channel_id: 'C0123456789', text: '', response_url: 'http://127.0.0.1:9/r' }).toString());
    expect(JSON.parse(other.body)).toEqual({ response_type: 'ephemeral', text: 'connect-ops answers `/connect` only. Try `/connect help`.' });
  });
});
