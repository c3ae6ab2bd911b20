import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySlackRequest, webApi } from '@slack/bolt';
import { buttonsOf, newTriggerId, responseUrl, SlackDriver, SlackWorkspace, startSlackStandIn, type SlackStandIn } from '../../../src/sandbox/slack/index.js';

const TOKEN = 'xoxb-stand-in-test';

describe('the Slack Web API stand-in', () => {
  let slack: SlackStandIn;
  let client: webApi.WebClient;

  beforeAll(async () => {
    const workspace = new SlackWorkspace();
    workspace.addChannel({ id: 'C0OPS', name: 'ops' });
    workspace.addUser({ id: 'U0ANN', name: 'ann' });
    workspace.addUserGroup({ id: 'S0DBA', handle: 'dba-leads', name: 'DBA leads', users: ['U0ANN'] });
    slack = await startSlackStandIn({ workspace, botToken: TOKEN });
    client = new webApi.WebClient(TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logLevel: webApi.LogLevel.ERROR });
  });
  afterAll(() => slack.close());

  it('answers auth.test as the bot user', async () => {
    const answer = await client.auth.test();
    expect(answer).toMatchObject({ ok: true, user_id: slack.workspace.bot.id, bot_id: slack.workspace.bot.botId });
  });

  it('keeps messages, their threads and their edits, and records every call', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*first*' } }];
    const posted = await client.chat.postMessage({ channel: 'C0OPS', text: 'first', blocks });
    const reply = await client.chat.postMessage({ channel: 'C0OPS', text: 'in the thread', thread_ts: posted.ts });
    await client.chat.update({ channel: 'C0OPS', ts: posted.ts as string, text: 'second' });

    const message = slack.workspace.message('C0OPS', posted.ts as string);
    expect(message).toMatchObject({ text: 'second', user: slack.workspace.bot.id, threadTs: null });
    expect(message?.edits).toEqual([expect.objectContaining({ text: 'first', blocks })]);
    expect(slack.workspace.replies('C0OPS', posted.ts as string).map((m) => m.text)).toEqual(['in the thread']);
    expect(slack.workspace.history('C0OPS').map((m) => m.ts)).toContain(posted.ts);
    expect(slack.workspace.history('C0OPS').map((m) => m.ts)).not.toContain(reply.ts);
    expect(Number(reply.ts)).toBeGreaterThan(Number(posted.ts));
    expect(slack.callsTo('chat.postMessage')[0]?.args).toMatchObject({ channel: 'C0OPS', text: 'first', blocks });
  });

  it('publishes Home tabs and opens and updates modals, refusing what Slack refuses', async () => {
    const home = { type: 'home' as const, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Hello' } }] };
    const published = await client.views.publish({ user_id: 'U0ANN', view: home });
    expect(slack.workspace.homeOf('U0ANN')).toMatchObject({ id: published.view?.id, type: 'home' });

    const modal = {
      type: 'modal' as const,
      callback_id: 'form',
      title: { type: 'plain_text' as const, text: 'A form' },
      submit: { type: 'plain_text' as const, text: 'Go' },
      blocks: [
        {
          type: 'input',
          block_id: 'pick',
          label: { type: 'plain_text', text: 'Pick' },
          element: { type: 'static_select', action_id: 'pick', options: [{ text: { type: 'plain_text', text: 'One' }, value: '1' }] },
        },
      ],
    };
    const opened = await client.views.open({ trigger_id: newTriggerId('U0ANN'), view: modal });
    expect(slack.workspace.modalOf('U0ANN')?.id).toBe(opened.view?.id);
    const updated = await client.views.update({ view_id: opened.view?.id as string, hash: opened.view?.hash as string, view: { ...modal, title: { type: 'plain_text', text: 'Changed' } } });
    expect(updated.view?.hash).not.toBe(opened.view?.hash);
    // An update from a stale version of the view loses to the one that came first.
    await expect(client.views.update({ view_id: opened.view?.id as string, hash: opened.view?.hash as string, view: modal })).rejects.toMatchObject({ data: { error: 'hash_conflict' } });

    await expect(client.views.open({ trigger_id: newTriggerId('U0ANN', Date.now() - 4000), view: modal })).rejects.toMatchObject({ data: { error: 'expired_trigger_id' } });
    await expect(client.views.open({ trigger_id: 'made-up', view: modal })).rejects.toMatchObject({ data: { error: 'invalid_trigger_id' } });
    const tooLong = { ...modal, title: { type: 'plain_text' as const, text: 'A title far longer than Slack allows' } };
    await expect(client.views.open({ trigger_id: newTriggerId('U0ANN'), view: tooLong })).rejects.toMatchObject({
      data: { error: 'invalid_arguments', response_metadata: { messages: ['view.title: 36 characters, more than 24'] } },
    });
    const { submit: _submit, ...noSubmit } = modal;
    await expect(client.views.open({ trigger_id: newTriggerId('U0ANN'), view: noSubmit })).rejects.toMatchObject({ data: { response_metadata: { messages: ['view.submit: a modal with input blocks needs a submit button'] } } });
    const first = modal.blocks[0]!;
    const badInitial = { ...modal, blocks: [{ ...first, element: { ...first.element, initial_option: { text: { type: 'plain_text', text: 'Two' }, value: '2' } } }] };
    await expect(client.views.open({ trigger_id: newTriggerId('U0ANN'), view: badInitial })).rejects.toMatchObject({ data: { response_metadata: { messages: ['view.blocks[0].element: initial option 0 is not one of its options'] } } });
    await expect(client.chat.postMessage({ channel: 'C0OPS', text: 'x', blocks: modal.blocks })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
  });

  it('answers errors the way Slack does', async () => {
    await expect(client.chat.postMessage({ channel: 'C0NOWHERE', text: 'x' })).rejects.toMatchObject({ data: { ok: false, error: 'channel_not_found' } });
    await expect(client.chat.update({ channel: 'C0OPS', ts: '1.000001', text: 'x' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
    await expect(client.users.info({ user: 'U0NOBODY' })).rejects.toMatchObject({ data: { error: 'user_not_found' } });
    const stranger = new webApi.WebClient('xoxb-someone-else', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, logLevel: webApi.LogLevel.ERROR });
    await expect(stranger.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
  });

  it('fails the next call of a method on request, as Slack does on a bad day', async () => {
    slack.failNext('chat.update', 'ratelimited');
    const posted = await client.chat.postMessage({ channel: 'C0OPS', text: 'x' });
    await expect(client.chat.update({ channel: 'C0OPS', ts: posted.ts as string, text: 'y' })).rejects.toMatchObject({ data: { error: 'ratelimited' } });
    await expect(client.chat.update({ channel: 'C0OPS', ts: posted.ts as string, text: 'y' })).resolves.toMatchObject({ ok: true });
  });

  it('refuses blocks that break Block Kit limits, as Slack does', async () => {
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    await expect(client.chat.postMessage({ channel: 'C0OPS', text: 'x', blocks: tooMany })).rejects.toMatchObject({
      data: { error: 'invalid_blocks', errors: [expect.stringContaining('51 blocks')] },
    });
    const tooLong = [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }];
    await expect(client.chat.postMessage({ channel: 'C0OPS', text: 'x', blocks: tooLong })).rejects.toMatchObject({
      data: { error: 'invalid_blocks', errors: ['blocks[0].text: 3001 characters, more than 3000'] },
    });
  });

  it('resolves users and user groups', async () => {
    expect((await client.users.info({ user: 'U0ANN' })).user).toMatchObject({ id: 'U0ANN', name: 'ann' });
    expect((await client.usergroups.list()).usergroups).toEqual([expect.objectContaining({ id: 'S0DBA', handle: 'dba-leads' })]);
    expect((await client.usergroups.users.list({ usergroup: 'S0DBA' })).users).toEqual(['U0ANN']);
    await expect(client.usergroups.users.list({ usergroup: 'S0NONE' })).rejects.toMatchObject({ data: { error: 'no_such_subteam' } });
  });

  it('serves response_urls: ephemeral by default, in the channel, or replacing the clicked message', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0OPS', text: 'card' });
    const url = (messageTs?: string) => responseUrl(slack.url, { channel: 'C0OPS', user: 'U0ANN', ...(messageTs ? { messageTs } : {}) });
    const post = (target: string, body: unknown) => fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    expect((await post(url(), { text: 'only you' })).status).toBe(200);
    expect(slack.workspace.ephemerals({ user: 'U0ANN' }).map((e) => [e.text, e.via])).toContainEqual(['only you', 'response_url']);
    await post(url(), { text: 'everyone', response_type: 'in_channel' });
    expect(slack.workspace.history('C0OPS').map((m) => m.text)).toContain('everyone');
    await post(url(posted.ts), { text: 'replaced', replace_original: true });
    expect(slack.workspace.message('C0OPS', posted.ts as string)?.text).toBe('replaced');
    expect((await post(`${slack.url}/response/not-a-token`, { text: 'x' })).status).toBe(404);
    expect(slack.responses.map((r) => r.body.text)).toEqual(['only you', 'everyone', 'replaced']);
  });

  it('waits for a change in the workspace', async () => {
    const seen = slack.workspace.waitFor(() => slack.workspace.history('C0OPS').find((m) => m.text === 'later'));
    setTimeout(() => void client.chat.postMessage({ channel: 'C0OPS', text: 'later' }), 20);
    expect((await seen).text).toBe('later');
    await expect(slack.workspace.waitFor(() => undefined, 30)).rejects.toThrow('within 30 ms');
  });
});

describe('the Slack driver', () => {
  const secret = 'driver-signing-secret';
  let received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  let url = '';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.end();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const verify = (r: (typeof received)[number]) =>
    verifySlackRequest({
      signingSecret: secret,
      body: r.body,
      headers: {
        'x-slack-signature': r.headers['x-slack-signature'] as string,
        'x-slack-request-timestamp': Number(r.headers['x-slack-request-timestamp']),
      },
    });

  it('signs slash commands as Slack does, with a response_url for the user and channel', async () => {
    received = [];
    const driver = new SlackDriver({ eventsUrl: url, signingSecret: secret, standInUrl: 'http://127.0.0.1:1' });
    const delivery = await driver.command({ user: 'U0ANN', channel: 'C0OPS', text: 'status acme-prod', retryNum: 1 });
    const [request] = received;
    expect(request).toBeDefined();
    expect(() => verify(request!)).not.toThrow();
    const form = new URLSearchParams(request!.body);
    expect(Object.fromEntries(form)).toMatchObject({ command: '/connect', text: 'status acme-prod', user_id: 'U0ANN', channel_id: 'C0OPS', trigger_id: delivery.triggerId });
    expect(form.get('response_url')).toBe(delivery.responseUrl);
    expect(request!.headers['x-slack-retry-num']).toBe('1');
  });

  it('clicks the named button of a message with a block_actions payload', async () => {
    received = [];
    const driver = new SlackDriver({ eventsUrl: url, signingSecret: secret });
    const blocks = [{ type: 'actions', block_id: 'b1', elements: [{ type: 'button', action_id: 'approve', value: '{"r":"r1"}', text: { type: 'plain_text', text: 'Approve' } }] }];
    await driver.click({ user: 'U0ANN', message: { channel: 'C0OPS', ts: '1.000001', blocks }, actionId: 'approve' });
    const payload = JSON.parse(new URLSearchParams(received[0]!.body).get('payload') ?? '{}') as Record<string, unknown>;
    expect(() => verify(received[0]!)).not.toThrow();
    expect(payload).toMatchObject({ type: 'block_actions', user: { id: 'U0ANN' }, container: { message_ts: '1.000001', channel_id: 'C0OPS' } });
    expect(payload.actions).toEqual([expect.objectContaining({ action_id: 'approve', block_id: 'b1', value: '{"r":"r1"}' })]);
    expect(buttonsOf(blocks).map((b) => b.action_id)).toEqual(['approve']);
    expect(() => driver.click({ user: 'U0ANN', message: { channel: 'C0OPS', ts: '1.000001', blocks }, actionId: 'reject' })).toThrow('no reject button');
  });
});
