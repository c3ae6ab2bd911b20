import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulatedHeroku, type SimulatedHeroku } from '../../src/sandbox/heroku/index.js';
import { buttonsOf, responseUrl, SlackDriver, SlackWorkspace, startSlackStandIn, type SlackMessage, type SlackStandIn } from '../../src/sandbox/slack/index.js';
import { BOT_TOKEN, CHANNEL, POLICY, seedWorkspace, SIGNING_SECRET, startedRunId, USERS } from '../bot/support/harness.js';
import { startBotProcess, type BotProcess } from './support/bot-process.js';

/**
 * Issue 14 against the bot as `npm start` runs it, in a process of its own, with the simulated
 * Heroku and the Slack stand-in here: every body of a fuzz corpus is answered within 3 s and the
 * process stays up; then 2,000 stranger `/connect status` commands arrive from another process
 * while an upgrade's last approval is clicked, and the approval is processed and the cutover's
 * first mutation sent within seconds.
 */

const TIME_SCALE = 300;
const HOUR = 3_600_000;
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('hardening, against a real bot process', () => {
  let sim: SimulatedHeroku;
  let slack: SlackStandIn;
  let workspace: SlackWorkspace;
  let bot: BotProcess;
  let driver: SlackDriver;

  beforeAll(async () => {
    sim = await startSimulatedHeroku({ timeScale: TIME_SCALE, token: 'HRKU-storm-test-0123456789abcdef' });
    workspace = new SlackWorkspace();
    seedWorkspace(workspace);
    slack = await startSlackStandIn({ workspace, botToken: BOT_TOKEN });
    bot = await startBotProcess({
      policy: POLICY,
      env: {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        HEROKU_API_KEY: sim.token,
        HEROKU_API_URL: sim.url,
        HEROKU_DATA_API_URL: sim.url,
        HEROKU_CONNECT_DISCOVERY_URL: sim.url,
        HEROKU_STATUS_URL: sim.url,
        SALESFORCE_TRUST_URL: `${sim.url}/v1`,
        CONNECT_OPS_TIME_SCALE: String(TIME_SCALE),
      },
    });
    driver = new SlackDriver({ eventsUrl: bot.eventsUrl, signingSecret: SIGNING_SECRET, standInUrl: slack.url });
  }, 90_000);

  afterAll(async () => {
    await bot?.stop();
    await slack?.close();
    await sim?.close();
  }, 30_000);

  const alive = async () => !bot.exited() && (await fetch(`${bot.baseUrl}/healthz`)).status === 200;

  it('answers every body of the fuzz corpus within 3 s with the status it deserves, and stays up', async () => {
    const payload = (value: unknown) => `payload=${encodeURIComponent(JSON.stringify(value))}`;
    const command = (fields: Record<string, string>) =>
      new URLSearchParams({
        team_id: 'T0SANDBOX',
        channel_id: CHANNEL,
        user_id: USERS.operator,
        command: '/connect',
        text: 'help',
        trigger_id: `t-${Math.random()}`,
        response_url: responseUrl(slack.url, { channel: CHANNEL, user: USERS.operator }),
        ...fields,
      }).toString();
    const user = { id: USERS.approver, team_id: 'T0SANDBOX' };
    const mega = 'x'.repeat(1_100_000);
    const corpus: Array<{ name: string; body: string; type?: string; expect: number }> = [
      // Failure 2: these killed the process.
      { name: 'form payload=null', body: 'payload=null', expect: 400 },
      { name: 'JSON null', body: 'null', type: JSON_TYPE, expect: 400 },
      { name: 'JSON array', body: '[1,2,3]', type: JSON_TYPE, expect: 400 },
      { name: 'JSON number', body: '42', type: JSON_TYPE, expect: 400 },
      { name: 'JSON string', body: '"hello"', type: JSON_TYPE, expect: 400 },
      { name: 'JSON true', body: 'true', type: JSON_TYPE, expect: 400 },
      { name: 'JSON not JSON', body: '{"type":', type: JSON_TYPE, expect: 400 },
      { name: 'payload array', body: payload([1, 2]), expect: 400 },
      { name: 'payload number', body: 'payload=7', expect: 400 },
      { name: 'payload not JSON', body: 'payload=%7Bnope', expect: 400 },
      { name: 'payload twice', body: `${payload({ type: 'shortcut' })}&${payload({ type: 'shortcut' })}`, expect: 400 },
      // Failure 6: a block_actions without its user got 500.
      { name: 'block_actions, user null', body: payload({ type: 'block_actions', user: null, actions: [{ action_id: 'approve', value: 'x' }] }), expect: 400 },
      { name: 'block_actions, no user', body: payload({ type: 'block_actions', actions: [{ action_id: 'approve' }] }), expect: 400 },
      { name: 'block_actions, user id a number', body: payload({ type: 'block_actions', user: { id: 5 }, actions: [{ action_id: 'approve' }] }), expect: 400 },
      { name: 'block_actions, actions null', body: payload({ type: 'block_actions', user, actions: null }), expect: 400 },
      { name: 'block_actions, actions [null]', body: payload({ type: 'block_actions', user, actions: [null] }), expect: 400 },
      { name: 'block_actions, channel null', body: payload({ type: 'block_actions', user, channel: null, actions: [{ action_id: 'approve' }] }), expect: 400 },
      { name: 'view_submission without view', body: payload({ type: 'view_submission', user }), expect: 400 },
      { name: 'event_callback, event null', body: JSON.stringify({ type: 'event_callback', event: null }), type: JSON_TYPE, expect: 400 },
      { name: 'event_callback, event a string', body: JSON.stringify({ type: 'event_callback', event: 'x' }), type: JSON_TYPE, expect: 400 },
      { name: 'command without user', body: 'command=%2Fconnect&channel_id=C0123456789&text=help', expect: 400 },
      // Failure 6: a duplicated text answered "text.replace is not a function".
      { name: 'command, text twice', body: `${command({})}&text=status`, expect: 400 },
      { name: 'command, user twice', body: `${command({})}&user_id=U0OTHER`, expect: 400 },
      { name: 'command, megabyte user_id', body: command({ user_id: 'U'.repeat(500_000) }), expect: 400 },
      // Failure 6: unknown actions, shortcuts, view submissions, other commands and events: acked, not 404 after 3 s.
      { name: 'unknown action_id', body: payload({ type: 'block_actions', user, trigger_id: 't-1', actions: [{ action_id: 'no_such_button', value: 'x' }] }), expect: 200 },
      { name: 'global shortcut', body: payload({ type: 'shortcut', user, callback_id: 'open_thing', trigger_id: 't-2' }), expect: 200 },
      { name: 'message shortcut', body: payload({ type: 'message_action', user, callback_id: 'act', trigger_id: 't-3', channel: { id: CHANNEL } }), expect: 200 },
      { name: 'view submission', body: payload({ type: 'view_submission', user, view: { id: 'V1', callback_id: 'some_view' } }), expect: 200 },
      { name: 'view closed', body: payload({ type: 'view_closed', user, view: { id: 'V1', callback_id: 'some_view' } }), expect: 200 },
      { name: 'block suggestion', body: payload({ type: 'block_suggestion', user, action_id: 'pick', value: 'a' }), expect: 200 },
      { name: 'unknown payload type', body: payload({ type: 'something_new', user }), expect: 200 },
      { name: 'another slash command', body: command({ command: '/deploy' }), expect: 200 },
      { name: 'an event', body: JSON.stringify({ type: 'event_callback', team_id: 'T0SANDBOX', event: { type: 'app_home_opened', user: USERS.operator } }), type: JSON_TYPE, expect: 200 },
      { name: 'an event without its event', body: JSON.stringify({ type: 'event_callback', team_id: 'T0SANDBOX' }), type: JSON_TYPE, expect: 200 },
      { name: 'url_verification', body: JSON.stringify({ type: 'url_verification', challenge: 'c-123' }), type: JSON_TYPE, expect: 200 },
      { name: 'empty JSON object', body: '{}', type: JSON_TYPE, expect: 200 },
      { name: 'ssl_check', body: 'ssl_check=1&token=x', expect: 200 },
      { name: 'forged button value', body: payload({ type: 'block_actions', user, trigger_id: 't-4', actions: [{ action_id: 'approve', value: 'null' }] }), expect: 200 },
      { name: 'button value too long', body: payload({ type: 'block_actions', user, trigger_id: 't-5', actions: [{ action_id: 'approve', value: 'v'.repeat(5000) }] }), expect: 200 },
      { name: 'command of control characters', body: command({ text: '\u0000\u0001\u0002' }), expect: 200 },
      { name: 'command with broken percent-encoding', body: `${command({}).replace(/text=help/, 'text=%E0%A4%A')}`, expect: 200 },
      { name: 'command without response_url', body: 'command=%2Fconnect&user_id=U01OPERATOR&channel_id=C0123456789&text=help', expect: 400 },
      // Failure 3: megabyte strings.
      { name: 'command, 5,000 characters', body: command({ text: `status ${'a'.repeat(5000)}` }), expect: 200 },
      { name: 'command, 900 kB', body: command({ text: 'b'.repeat(900_000) }), expect: 200 },
      { name: 'command, 3.9 MB (over the body limit)', body: command({ text: 'c'.repeat(3_900_000) }), expect: 413 },
      { name: 'JSON with a megabyte string', body: JSON.stringify({ type: 'event_callback', event: { type: mega } }), type: JSON_TYPE, expect: 413 },
      { name: 'payload with a half-megabyte string', body: payload({ type: 'block_actions', user, actions: [{ action_id: mega.slice(0, 500_000) }] }), expect: 400 },
    ];
    const results: Array<{ name: string; status: number; ms: number }> = [];
    for (const entry of corpus) {
      const delivery = await driver.deliver(entry.body, { contentType: entry.type ?? FORM });
      results.push({ name: entry.name, status: delivery.status, ms: delivery.ms });
    }
    expect(results.map((r) => `${r.name}: ${r.status}`)).toEqual(corpus.map((e) => `${e.name}: ${e.expect}`));
    expect(results.filter((r) => r.ms >= 3000)).toEqual([]);
    expect(await alive()).toBe(true);

    // The same corpus at once: still no crash.
    const together = await Promise.all(corpus.map((e) => driver.deliver(e.body, { contentType: e.type ?? FORM })));
    expect(together.map((d) => d.status)).toEqual(corpus.map((e) => e.expect));
    expect(together.filter((d) => d.ms >= 3000)).toEqual([]);
    expect(await alive()).toBe(true);
    console.log(`fuzz corpus: ${corpus.length} bodies twice, 0 crashes, slowest answer ${Math.max(...results.map((r) => r.ms), ...together.map((d) => d.ms)).toFixed(0)} ms`);

    // The long command got a clear message, in the ack itself.
    const long = await driver.command({ user: USERS.operator, channel: CHANNEL, text: 'd'.repeat(10_000) });
    expect(JSON.parse(long.body)).toEqual({ response_type: 'ephemeral', text: 'That command is 10,000 characters long; `/connect` reads at most 4,000. Nothing was done.' });
    // Nothing of the corpus was logged as an error, and what Bolt could not read was logged at warn.
    expect(bot.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
    expect(bot.logs.some((l) => Number(l.level) === 40 && String(l.msg).startsWith('refused a signed Slack request Bolt could not read'))).toBe(true);
  }, 120_000);

  it('refuses timestamps more than five minutes away, in the future as in the past (failure 6)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const statuses = [];
    for (const timestamp of [now + 301, now + 3600, now + 365 * 86400, now - 301]) {
      statuses.push((await driver.command({ user: USERS.operator, channel: CHANNEL, text: 'help', timestamp })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401]);
    expect((await driver.command({ user: USERS.operator, channel: CHANNEL, text: 'help', timestamp: now + 120 })).status).toBe(200);
  });

  it('processes an approval and sends the cutover’s first mutation within seconds while 2,000 stranger `status` commands arrive (failure 1)', async () => {
    // An upgrade of acme-prod, prepared, waiting for its two approvals; the first is given before the storm.
    const started = await driver.command({ user: USERS.operator, channel: CHANNEL, text: 'upgrade acme-prod --version 17' });
    expect(started.status).toBe(200);
    const ephemeral = (user: string, pattern: RegExp) => workspace.waitFor(() => workspace.ephemerals({ user }).find((e) => pattern.test(e.text))?.text, 20_000);
    const runId = startedRunId(await ephemeral(USERS.operator, /Started .*upgrade acme-prod/));
    const card = await workspace.waitFor(() => workspace.history(CHANNEL).find((m) => m.text.startsWith('Plan:') && JSON.stringify(m.blocks).includes(runId)), 20_000);
    await sleep(1000);
    sim.world.advance(4 * HOUR);
    const open = await workspace.waitFor(() => {
      const current = workspace.message(CHANNEL, card.ts);
      return current && buttonsOf(current.blocks).some((b) => b.action_id === 'approve') ? current : undefined;
    }, 30_000);
    const click = (user: string, message: SlackMessage) => driver.click({ user, message, actionId: 'approve' });
    expect((await click(USERS.approver, open)).status).toBe(200);
    await ephemeral(USERS.approver, /1 of 2/);
    const pauses = () => sim.requests().filter((r) => r.method === 'POST' && /\/actions\/pause$/.test(r.path));
    expect(pauses()).toEqual([]);
    const budgetBefore = sim.world.rateLimit.remaining();
    const requestsBefore = sim.requests().length;

    // The storm, from another process: 2,000 `status acme-prod` from 40 people the policy names nowhere, 25 at a time.
    const strangers = Array.from({ length: 40 }, (_, i) => `U9STRANGER${String(i).padStart(2, '0')}`);
    for (const id of strangers) workspace.addUser({ id, name: id.toLowerCase() });
    const storm = fork(fileURLToPath(new URL('./support/storm.ts', import.meta.url)), [
      JSON.stringify({ eventsUrl: bot.eventsUrl, signingSecret: SIGNING_SECRET, standInUrl: slack.url, channel: CHANNEL, users: strangers, text: 'status acme-prod', total: 2000, concurrency: 25 }),
    ], { execArgv: ['--import', 'tsx'] });
    const stormDone = new Promise<{ statuses: Record<string, number>; acks: number[] }>((resolve, reject) => {
      storm.on('message', (m: { done?: boolean; statuses: Record<string, number>; acks: number[] }) => m.done && resolve(m));
      storm.once('exit', (code) => code !== 0 && reject(new Error(`the storm exited with ${code}`)));
    });
    // The baseline, measured in this run: how long a bare request (/healthz) takes while the storm
    // runs, sampled from here. On a loaded machine (load 13 on 2 cores) every request to the bot
    // waits for CPU; that wait is the machine's, not a stranger's cost.
    let sampling = true;
    let slowestHealthz = 0;
    const sampler = (async () => {
      while (sampling) {
        const t0 = performance.now();
        await fetch(`${bot.baseUrl}/healthz`).catch(() => undefined);
        slowestHealthz = Math.max(slowestHealthz, performance.now() - t0);
        await sleep(200);
      }
    })();
    await new Promise<void>((resolve) => storm.on('message', (m: { sent?: number }) => (m.sent ?? 0) >= 300 && resolve()));

    // Mid-storm, the second approver approves.
    const clicked = Date.now();
    const approval = await click(USERS.dbaLead, open);
    const approved = await ephemeral(USERS.dbaLead, /Approved:/);
    const approvedMs = Date.now() - clicked;
    await workspace.waitFor(() => (pauses().length > 0 ? true : undefined), 60_000);
    const pausedMs = Date.now() - clicked;
    const { statuses, acks } = await stormDone;
    const stormEnded = Date.now();
    sampling = false;
    await sampler;

    console.log(
      `storm: 2000 stranger status commands, 25 concurrent from another process; acks ${JSON.stringify(statuses)}, ` +
        `p50 ${acks[999]?.toFixed(0)} ms, p99 ${acks[1979]?.toFixed(0)} ms, max ${acks[1999]?.toFixed(0)} ms; ` +
        `approval ack ${approval.ms.toFixed(0)} ms, processed after ${approvedMs} ms, pause sent after ${pausedMs} ms ` +
        `(storm over ${stormEnded - clicked} ms after the click); slowest /healthz meanwhile ${slowestHealthz.toFixed(0)} ms; ` +
        `Heroku calls meanwhile ${sim.requests().length - requestsBefore}, budget ${budgetBefore} -> ${sim.world.rateLimit.remaining()}`,
    );
    expect(approved).toBe(`Approved: \`${runId}\` has its approvals and goes on.`);
    // Timing bounds that hold on a loaded CI machine and still fail without the fix:
    // - Acks: Slack's 3 s, plus the slowest bare request measured meanwhile (the machine's own delay,
    //   ~0 on a quiet machine); a stranger's command must cost no more than /healthz beyond that.
    //   At load 13 on 2 cores a 3.45 s ack was seen with a fixed 3 s bound: the CPU's wait, not the bot's.
    // - Approval and pause: without the fix the approval was still unprocessed after 240 s and the
    //   cutover stretched from 2.2 s to 107 s. 60 s cannot be met without it, and is far above what a
    //   loaded machine takes with it (0.2 s and 2 s quiet; 14 s at load 13).
    const ackBound = 3000 + slowestHealthz;
    expect(approval.ms).toBeLessThan(ackBound);
    expect(approvedMs).toBeLessThan(60_000);
    expect(pausedMs).toBeLessThan(60_000);
    // The approval is processed while strangers are still arriving, not after they are served.
    expect(approvedMs).toBeLessThan(stormEnded - clicked);
    // Every stranger command was acknowledged, within Slack's 3 seconds (plus the machine's own delay); none cost a Heroku call.
    expect(statuses).toEqual({ 200: 2000 });
    expect(acks[1999]).toBeLessThan(ackBound);
    // 2,000 status reads would be some 8,000 Heroku calls; the run's own steps and polls are a few dozen.
    expect(sim.requests().length - requestsBefore).toBeLessThan(300);
    // Strangers were told privately, and the shedding was logged at warn.
    await workspace.waitFor(() => workspace.ephemerals({ user: strangers[0]! }).find((e) => /not among them|Try again|Ask again/.test(e.text)), 20_000);
    expect(workspace.ephemerals({}).some((e) => /Status of acme-prod/.test(e.text) && strangers.includes(e.user))).toBe(false);
    expect(bot.logs.some((l) => Number(l.level) === 40 && String(l.msg).startsWith('refused Slack requests before any work'))).toBe(true);
    expect(await alive()).toBe(true);
  }, 180_000);
});
