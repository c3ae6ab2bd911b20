import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { HealthPolicy } from '../../../src/config.js';
import { HealthWatcher } from '../../../src/status/health/watcher.js';
import { createTestStore, type TestStore } from '../../support/backends.js';
import { MINUTE, startSandbox, type Sandbox } from '../../support/simulated-heroku.js';
import { healthPolicy, RecordingHealthNotifier } from './support.js';

const HOUR = 60 * MINUTE;
const CHANNEL = 'C0ACMEPROD';

/**
 * The health watcher against the simulated Heroku: every kind of incident is caused the way the
 * sandbox causes it, noticed within two ticks, told once, edited as it changes, and resolved.
 */
describe('the Connect health watcher on the simulated Heroku', () => {
  let heroku: Sandbox;
  let t: TestStore;
  let notifier: RecordingHealthNotifier;
  let runActive: boolean;

  beforeAll(async () => {
    heroku = await startSandbox();
  });
  afterAll(async () => {
    await heroku.close();
  });
  beforeEach(async () => {
    heroku.sim.reset();
    await t?.dispose();
    t = await createTestStore('sqlite');
    notifier = new RecordingHealthNotifier();
    runActive = false;
  });

  const watcherOn = (store = t.store, policy: HealthPolicy = healthPolicy({ thresholds: { connection_state: '5m', polling_db_changes: '30m', paused: '1h', schema_changed: '10m', mapping_error: '5m', sync_stalled: '30m' } })) =>
    new HealthWatcher({
      store,
      clients: heroku.clients,
      notifier,
      apps: { 'acme-prod': { channel: CHANNEL } },
      policy,
      runActive: async () => runActive,
      now: () => new Date(heroku.sim.world.clock.now()),
    });
  const admin = (path: string, body: unknown) =>
    fetch(`${heroku.sim.url}/__sandbox/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const advance = (ms: number) => heroku.sim.world.advance(ms);

  it('tells a connection in SYSTEM_ERROR or DB_UNAVAILABLE once, past its threshold, with the restart, edits it, resolves it, and repeats nothing after a restart', async () => {
    let watcher = watcherOn();
    await admin('connection-state/acme-prod', { state: 'SYSTEM_ERROR' });
    await watcher.tick();
    expect(notifier.posted('connection_state')).toEqual([]);
    advance(6 * MINUTE);
    await watcher.tick();
    const [post] = notifier.posted('connection_state');
    expect(post?.channel).toBe(CHANNEL);
    expect(post?.incident).toMatchObject({ app: 'acme-prod', status: 'open', title: 'Heroku Connect is SYSTEM_ERROR', fix: { runbook: 'restart', params: { app: 'acme-prod' }, label: 'Plan restart' } });

    // A restarted watcher on the same store says nothing new about what it already told.
    await watcher.stop();
    watcher = watcherOn(await t.reopen());
    await watcher.tick();
    await watcher.tick();
    expect(notifier.posted('connection_state')).toHaveLength(1);
    expect(notifier.updates).toEqual([]);

    // Worse: the database is lost. The same message changes; Connect's notification is its own incident.
    await admin('connection-state/acme-prod', { state: 'DB_UNAVAILABLE' });
    await watcher.tick();
    expect(notifier.editsOf(post!.ref).map((i) => i.title)).toEqual(['Heroku Connect is DB_UNAVAILABLE']);
    expect(notifier.posted('notification')).toEqual([
      expect.objectContaining({ incident: expect.objectContaining({ subject: 'postgres-connection', details: expect.arrayContaining([expect.stringContaining('cannot connect to the database')]) }) }),
    ]);

    await admin('connection-state/acme-prod', { state: 'IDLE' });
    await watcher.tick();
    expect(notifier.editsOf(post!.ref).map((i) => i.status)).toEqual(['open', 'resolved']);
    await watcher.tick();
    expect(notifier.posted('connection_state')).toHaveLength(1);
    expect(notifier.editsOf(post!.ref)).toHaveLength(2);
    await watcher.stop();
  });

  it('keeps an incident open while a run holds the app and the condition stays, tells nothing the run causes, and posts one message for one incident', async () => {
    const watcher = watcherOn();
    await admin('connection-state/acme-prod', { state: 'SYSTEM_ERROR' });
    await admin('mapping-state/acme-prod', { object: 'Case', state: 'BULK_LOAD_ERROR' });
    await watcher.tick();
    advance(6 * MINUTE);
    await watcher.tick();
    const [post] = notifier.posted('connection_state');
    expect(post?.incident.title).toBe('Heroku Connect is SYSTEM_ERROR');

    // The restart fix's run starts: while Connect is still SYSTEM_ERROR, the incident stays open and untouched.
    runActive = true;
    for (let i = 0; i < 3; i++) {
      advance(MINUTE);
      await watcher.tick();
    }
    expect(notifier.updates).toEqual([]);
    expect((await t.store.db.selectFrom('health_incidents').select(['kind', 'status']).execute()).map((r) => [r.kind, r.status])).toEqual([['connection_state', 'open']]);

    // The run restarts the connection (connect:recover): RECOVERY is the same incident, edited; still not resolved.
    const connection = await heroku.clients.connect.findConnection('acme-prod');
    await heroku.clients.connect.restart(connection);
    await watcher.tick();
    expect(notifier.editsOf(post!.ref).map((i) => [i.title, i.status])).toEqual([['Heroku Connect is RECOVERY', 'open']]);

    // Back to IDLE: the reading shows it cleared, so it resolves. Case's error, unseen while Connect did not sync, is news now; the run may be its doing, so it waits.
    for (let i = 0; i < 20 && (await heroku.clients.connect.connection(connection)).state !== 'IDLE'; i++) advance(MINUTE);
    heroku.sim.setFaults({ stuckPolling: [] });
    await watcher.tick();
    expect(notifier.editsOf(post!.ref).map((i) => i.status)).toEqual(['open', 'resolved']);
    expect(notifier.posted('mapping_error')).toEqual([]);

    // Without a run, Case's error is told. Then a run pauses the connection on purpose: no PAUSED
    // incident, and Case's, which nobody can see while Connect does not sync, is not resolved.
    runActive = false;
    await watcher.tick();
    advance(6 * MINUTE);
    await watcher.tick();
    const [caseError] = notifier.posted('mapping_error');
    expect(caseError?.incident.title).toBe('The Case mapping is BULK_LOAD_ERROR');
    runActive = true;
    for (let i = 0; i < 20 && (await heroku.clients.connect.connection(connection)).state !== 'IDLE'; i++) advance(MINUTE);
    await heroku.clients.connect.pause(connection);
    advance(5 * HOUR);
    expect((await heroku.clients.connect.connection(connection)).state).toBe('PAUSED');
    await watcher.tick();
    await watcher.tick();
    expect(notifier.posted('connection_paused')).toEqual([]);
    expect(notifier.editsOf(caseError!.ref)).toEqual([]);

    // The run resumes and ends with Case still in error: the open incident stands, told once.
    await heroku.clients.connect.resume(connection);
    for (let i = 0; i < 60 && (await heroku.clients.connect.connection(connection)).state !== 'IDLE'; i++) advance(MINUTE);
    runActive = false;
    await watcher.tick();
    advance(10 * MINUTE);
    await watcher.tick();
    expect(notifier.posted('mapping_error')).toHaveLength(1);
    expect(notifier.editsOf(caseError!.ref)).toEqual([]);
    expect(notifier.posted('connection_state')).toHaveLength(1);
    await watcher.stop();
  });

  it('tells a connection stuck in POLLING_DB_CHANGES past its threshold, and forgets one that cleared before', async () => {
    const watcher = watcherOn();
    heroku.sim.setFaults({ stuckPolling: ['acme-prod'] });
    await watcher.tick();
    advance(10 * MINUTE);
    heroku.sim.setFaults({ stuckPolling: [] });
    heroku.sim.world.advance(0);
    // Cleared before the threshold: nothing is told, ever.
    for (let i = 0; i < 3 && (await heroku.clients.connect.findConnection('acme-prod')).state !== 'IDLE'; i++) advance(MINUTE);
    await watcher.tick();
    expect(await t.store.db.selectFrom('health_incidents').selectAll().execute()).toEqual([]);
    heroku.sim.setFaults({ stuckPolling: ['acme-prod'] });
    await watcher.tick();
    advance(31 * MINUTE);
    await watcher.tick();
    expect(notifier.posted('connection_polling').map((p) => p.incident.title)).toEqual(['Heroku Connect has been polling the database for a long time (POLLING_DB_CHANGES)']);
    expect(notifier.posted('connection_polling')[0]?.incident.fix).toBeNull();
    heroku.sim.setFaults({ stuckPolling: [] });
    for (let i = 0; i < 5 && (await heroku.clients.connect.findConnection('acme-prod')).state !== 'IDLE'; i++) advance(MINUTE);
    await watcher.tick();
    expect(notifier.updates.map((u) => [u.incident.kind, u.incident.status])).toEqual([['connection_polling', 'resolved']]);
  });

  it('tells a connection PAUSED by nobody, with the resume, but not one a run holds', async () => {
    const watcher = watcherOn();
    const connection = await heroku.clients.connect.findConnection('acme-prod');
    heroku.sim.setFaults({ stuckPolling: [] });
    for (let i = 0; i < 20 && (await heroku.clients.connect.connection(connection)).state !== 'IDLE'; i++) advance(MINUTE);
    await heroku.clients.connect.pause(connection);
    advance(MINUTE);
    runActive = true;
    await watcher.tick();
    advance(2 * HOUR);
    await watcher.tick();
    expect(notifier.posts).toEqual([]);
    runActive = false;
    await watcher.tick();
    advance(2 * HOUR);
    await watcher.tick();
    expect(notifier.posted('connection_paused').map((p) => p.incident.fix)).toEqual([{ runbook: 'resume', params: { app: 'acme-prod' }, label: 'Plan resume' }]);
  });

  it('tells a mapping stopped by a field deleted in Salesforce, with the field-change that saves it, and Connect’s notification', async () => {
    const watcher = watcherOn();
    await admin('salesforce/acme-prod/delete-field', { object: 'Account', field: 'External_ID__c' });
    advance(10 * MINUTE);
    await watcher.tick();
    expect(notifier.posted('notification').map((p) => p.incident.subject)).toEqual(['mapping-error']);
    advance(11 * MINUTE);
    await watcher.tick();
    const [post] = notifier.posted('mapping_schema_changed');
    expect(post?.incident).toMatchObject({
      subject: 'Account',
      title: 'The Account mapping stopped syncing (SCHEMA_CHANGED)',
      details: expect.arrayContaining(['Salesforce no longer has External_ID__c, which the mapping still maps.']),
      fix: { runbook: 'field-change', params: { app: 'acme-prod', object: 'Account', field: 'External_ID__c' }, label: 'Plan field-change' },
    });
    // Saved again (what field-change does): the mapping syncs and the incident resolves.
    const connection = await heroku.clients.connect.findConnection('acme-prod');
    const account = connection.mappings.find((m) => m.object_name === 'Account')!;
    const { revision, applied_at: _appliedAt, ...config } = account.config as Record<string, unknown>;
    await heroku.clients.connect.updateMapping(connection, account, { object_name: 'Account', config, revision: revision as number });
    advance(30 * MINUTE);
    await watcher.tick();
    expect(notifier.editsOf(post!.ref).map((i) => i.status)).toEqual(['resolved']);
  });

  it('tells a mapping in an error state, and one whose sync stopped advancing while it looks DATA_SYNCED', async () => {
    const watcher = watcherOn();
    await admin('mapping-state/acme-prod', { object: 'Case', state: 'BULK_LOAD_ERROR' });
    await admin('salesforce/acme-prod/api-limit', { exhausted: true });
    // The first poll that does not come is due within 10 minutes (sf_polling_seconds): two ticks after it, it is told.
    advance(15 * MINUTE);
    await watcher.tick();
    expect(notifier.posts).toEqual([]);
    advance(40 * MINUTE);
    await watcher.tick();
    expect(notifier.posted('mapping_error').map((p) => p.incident.title)).toEqual(['The Case mapping is BULK_LOAD_ERROR']);
    expect(notifier.posted('mapping_stalled').map((p) => p.incident.subject).sort()).toEqual(['Account', 'Contact', 'Opportunity']);
    await admin('mapping-state/acme-prod', { object: 'Case', state: 'DATA_SYNCED' });
    await admin('salesforce/acme-prod/api-limit', { exhausted: false });
    advance(11 * MINUTE);
    await watcher.tick();
    expect(notifier.updates.filter((u) => u.incident.status === 'resolved').map((u) => u.incident.kind).sort()).toEqual(['mapping_error', 'mapping_stalled', 'mapping_stalled', 'mapping_stalled']);
  });

  it('tells refused writes at once, edits the message as more come, and resolves it when they age out', async () => {
    const watcher = watcherOn();
    await admin('salesforce/acme-prod/refuse-writes', { object: 'Contact', count: 2 });
    await watcher.tick();
    const [post] = notifier.posted('write_errors');
    expect(post?.incident.title).toBe('Salesforce refused 2 writes in the last 24 hours');
    await watcher.tick();
    expect(notifier.updates).toEqual([]);
    await admin('salesforce/acme-prod/refuse-writes', { object: 'Account', count: 1 });
    await watcher.tick();
    expect(notifier.editsOf(post!.ref).map((i) => i.title)).toEqual(['Salesforce refused 3 writes in the last 24 hours']);
    expect(notifier.editsOf(post!.ref)[0]?.details[0]).toBe('contact: 2, account: 1');
    advance(25 * HOUR);
    await watcher.tick();
    expect(notifier.editsOf(post!.ref).map((i) => i.status)).toEqual(['open', 'resolved']);
    expect(notifier.posted('write_errors')).toHaveLength(1);
  });

  it('counts only new write errors: opens at the threshold, replies in the thread as more come, resolves after a quiet period, and remembers across a restart', async () => {
    let watcher = watcherOn(t.store, healthPolicy({ thresholds: { write_errors: 3 }, quiet_period: '6h' }));
    await admin('salesforce/acme-prod/refuse-writes', { object: 'Contact', count: 2 });
    await watcher.tick();
    advance(MINUTE);
    await watcher.tick();
    // Two, seen twice: still two new errors, under the threshold.
    expect(notifier.posts).toEqual([]);
    await admin('salesforce/acme-prod/refuse-writes', { object: 'Account', count: 1 });
    advance(MINUTE);
    await watcher.tick();
    const [post] = notifier.posted('write_errors');
    expect(post?.incident.title).toBe('Salesforce refused 3 writes in the last 24 hours');
    expect(post?.incident.details).toEqual(expect.arrayContaining([expect.stringMatching(/^New since the last quiet period: 3; latest: 1 new at .* \(account: 1\)\.$/)]));
    expect(notifier.replies).toEqual([]);

    // More come: the message says what is new, and a reply in its thread tells the channel (an edit notifies nobody).
    await admin('salesforce/acme-prod/refuse-writes', { object: 'Account', count: 2 });
    advance(MINUTE);
    await watcher.tick();
    expect(notifier.replies.map((r) => [r.ref.ts, r.fresh[0]])).toEqual([[post!.ref.ts, '2 new write errors (Account +2):']]);
    expect(notifier.replies[0]?.fresh.slice(1)).toEqual([expect.stringMatching(/^account row \d+: /), expect.stringMatching(/^account row \d+: /)]);
    expect(notifier.editsOf(post!.ref).map((i) => i.details.at(-1))).toEqual([expect.stringMatching(/^New since the last quiet period: 5; latest: 2 new at /)]);

    // A restarted watcher knows what it saw: nothing is new, nothing is told.
    await watcher.stop();
    watcher = watcherOn(await t.reopen(), healthPolicy({ thresholds: { write_errors: 3 }, quiet_period: '6h' }));
    await watcher.tick();
    expect([notifier.posts.length, notifier.replies.length, notifier.updates.length]).toEqual([1, 1, 1]);

    // Six hours without a new one: resolved, though the errors are still in the 24-hour window.
    advance(6 * HOUR + MINUTE);
    await watcher.tick();
    expect(notifier.editsOf(post!.ref).map((i) => i.status)).toEqual(['open', 'resolved']);
    advance(MINUTE);
    await watcher.tick();
    expect(notifier.posted('write_errors')).toHaveLength(1);
    await watcher.stop();
  });

  it('resolves a notification incident when its notifications are acknowledged, or when none comes for the quiet period', async () => {
    const watcher = watcherOn(t.store, healthPolicy({ thresholds: { connection_state: '1h' }, quiet_period: '2h' }));
    await admin('connection-state/acme-prod', { state: 'DB_UNAVAILABLE' });
    await watcher.tick();
    const [first] = notifier.posted('notification');
    expect(first?.incident.subject).toBe('postgres-connection');
    await admin('connection-state/acme-prod', { state: 'IDLE' });
    // Never acknowledged, but nothing new for two hours: it does not stay open forever.
    advance(2 * HOUR + MINUTE);
    await watcher.tick();
    expect(notifier.editsOf(first!.ref).map((i) => i.status)).toEqual(['resolved']);
    await watcher.tick();
    expect(notifier.posted('notification')).toHaveLength(1);

    // A new one is a new incident; acknowledged (connect:notifications:acknowledge), it resolves at once.
    await admin('connection-state/acme-prod', { state: 'DB_UNAVAILABLE' });
    await watcher.tick();
    const [, second] = notifier.posted('notification');
    expect(second?.incident.title).toBe('Heroku Connect notifications: postgres-connection (2)');
    for (const connection of heroku.sim.world.connections.values()) for (const n of connection.notifications) n.acknowledged = true;
    advance(MINUTE);
    await watcher.tick();
    expect(notifier.editsOf(second!.ref).map((i) => i.status)).toEqual(['resolved']);
    await watcher.stop();
  });

  it('keeps quiet about muted kinds, and with a digest, posts one message a day instead', async () => {
    const watcher = watcherOn(t.store, healthPolicy({ mute: ['notification'], digest: '09:00' }));
    await admin('salesforce/acme-prod/refuse-writes', { object: 'Contact', count: 1 });
    await admin('connection-state/acme-prod', { state: 'DB_UNAVAILABLE' });
    const now = heroku.sim.world.clock.now();
    const nextNine = new Date(now);
    nextNine.setUTCHours(9, 0, 0, 0);
    if (nextNine.getTime() <= now) nextNine.setUTCDate(nextNine.getUTCDate() + 1);
    advance(nextNine.getTime() - now - 30 * MINUTE);
    await watcher.tick();
    advance(20 * MINUTE);
    await watcher.tick();
    expect(notifier.posts).toEqual([]);
    expect(notifier.digests).toEqual([]);
    advance(15 * MINUTE);
    await watcher.tick();
    await watcher.tick();
    expect(notifier.digests.map((d) => [d.channel, d.digest.open.map((i) => i.kind).sort()])).toEqual([[CHANNEL, ['connection_state', 'write_errors']]]);
    expect(notifier.posts).toEqual([]);
  });
});
