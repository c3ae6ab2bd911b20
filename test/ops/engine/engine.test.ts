import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { SelectQueryNode, TableNode, type KyselyPlugin, type PluginTransformQueryArgs, type PluginTransformResultArgs, type RootOperationNode } from 'kysely';
import { DeferredDriver } from '../../../src/ops/engine/drivers/deferred.js';
import { InProcessDriver } from '../../../src/ops/engine/drivers/in-process.js';
import { EngineError, type Engine, type EngineOptions } from '../../../src/ops/engine/index.js';
import { action, check, runbook, runbookRegistry, StepFailed, wait } from '../../../src/ops/runbooks/runbook.js';
import { createTestStore, storeDialects, type TestStore } from '../../support/backends.js';
import { z } from 'zod';
import { createEngine } from '../../../src/ops/engine/index.js';
import {
  buildEngine,
  changeover,
  FakeApp,
  HttpError,
  Recorder,
  silent,
  startChangeover,
  statusIs,
  until,
  type Deps,
} from './support.js';

const dialects = await storeDialects();

describe.each(dialects)('runbook engine on %s', (dialect) => {
  let t: TestStore;
  let engines: Engine[] = [];
  let appCount = 0;
  beforeAll(async () => {
    t = await createTestStore(dialect);
  });
  afterEach(async () => {
    await Promise.all(engines.map((e) => e.stop()));
    engines = [];
  });
  afterAll(async () => {
    await t.dispose();
  });

  /** A fresh app name and its fake, so tests never share a lock. */
  const fixture = (options: Partial<EngineOptions<Deps>> = {}) => {
    const app = `acme-${dialect}-${++appCount}`;
    const fake = new FakeApp();
    const apps = new Map([[app, fake]]);
    const recorder = new Recorder();
    const engine = buildEngine(t.store, apps, { observer: recorder, ...options });
    engines.push(engine);
    return { app, fake, apps, engine, recorder };
  };

  it('runs every kind of step, passing outputs along, and measures the downtime', async () => {
    const { app, fake, engine, recorder } = fixture();
    const started = await startChangeover(engine, app);
    expect(started).toMatchObject({ app, runbook: 'changeover', status: 'pending', requestedBy: 'U0REQUEST', approvalsRequired: 1 });

    const waiting = await until(engine, started.id, statusIs('awaiting_approval'));
    expect(waiting.approvalExpiresAt).not.toBeNull();
    expect(await engine.approve({ runId: started.id, userId: 'U0APPROVER', planHash: started.planHash })).toMatchObject({ outcome: 'approved' });
    const run = await until(engine, started.id, statusIs('succeeded'));
    await recorder.seen(started.id, 'run.finished');

    expect(fake.applied).toEqual({ createFollower: 1, destroyFollower: 0, maintenanceOn: 1, maintenanceOff: 1, scaleDown: 1, scaleUp: 0, pause: 0, resume: 0 });
    expect(run.outputs).toEqual({ follower: `follower-${started.id}`, workers: 3 });
    expect(run.steps.every((s) => s.status === 'done')).toBe(true);
    // The wait read what the action recorded, and the run shows it as the step's input.
    const [, created, available] = run.steps;
    expect(created!.output).toEqual({ follower: `follower-${started.id}` });
    expect(available).toMatchObject({ attempts: 2, progress: '1 polls' });
    expect(run.downtime?.ms).toBeGreaterThanOrEqual(0);
    expect(run.finishedAt).not.toBeNull();

    const types = recorder.types(started.id);
    expect(types[0]).toBe('run.created');
    expect(types).toEqual(expect.arrayContaining(['run.started', 'step.started', 'step.progress', 'approval.requested', 'approval.recorded', 'step.done']));
    expect(types.at(-1)).toBe('run.finished');
    expect(recorder.events.at(-1)?.run.status).toBe('succeeded');
    // Every observer event is an audit record, in the same order.
    expect((await engine.auditTrail(started.id)).map((e) => e.type)).toEqual(types);
    // The lock is gone: the app takes a new run.
    expect((await startChangeover(engine, app)).status).toBe('pending');
  });

  it('refuses at a failed check with its reason and next step, before anything changes', async () => {
    const refuse = runbook<Deps, { app: string }>({
      name: 'refuse',
      summary: 'A check that fails',
      params: z.object({ app: z.string() }),
      steps: () => [
        check('the database is not on an Essential plan', async () => ({
          ok: false,
          reason: 'DATABASE_URL is on essential-0, which has no followers.',
          next: 'Upgrade it with `heroku addons:upgrade`.',
        })),
        ...changeover.steps({ app: 'x' }).slice(1),
      ],
    });
    const { app, fake, engine } = fixture({ runbooks: runbookRegistry<Deps>(refuse) });
    const started = await engine.start({ runbook: 'refuse', app, requestedBy: 'U0REQUEST', approvalsRequired: 1, approvalTimeoutMs: 60_000 });
    const run = await until(engine, started.id, statusIs('failed'));
    expect(run.error).toMatchObject({
      code: 'check_failed',
      step: 0,
      stepTitle: 'the database is not on an Essential plan',
      message: 'DATABASE_URL is on essential-0, which has no followers.',
      next: 'Upgrade it with `heroku addons:upgrade`.',
    });
    expect(run.steps[0]!.status).toBe('failed');
    expect(run.rollback).toEqual({ changed: [], steps: [], notUndoable: [] });
    expect(Object.values(fake.applied).every((n) => n === 0)).toBe(true);
  });

  it('re-probes after a transient error instead of repeating a mutation that took effect', async () => {
    const { app, fake, engine } = fixture();
    // The create succeeded but the answer was lost; the scale-down failed outright and is retried.
    fake.failNext('createFollower', new HttpError(503, 'service_unavailable', 'Service Unavailable'), { after: true });
    fake.failNext('scaleDown', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const started = await startChangeover(engine, app, { approvalsRequired: 0 });
    const run = await until(engine, started.id, statusIs('succeeded'));
    expect(fake.applied.createFollower).toBe(1);
    expect(fake.applied.scaleDown).toBe(1);
    expect(run.steps[1]).toMatchObject({ attempts: 1, status: 'done', error: null });
    expect(run.steps[5]).toMatchObject({ attempts: 2, status: 'done' });
    const retries = (await engine.auditTrail(started.id)).filter((e) => e.type === 'step.retrying');
    expect(retries.map((e) => e.detail.step)).toEqual([1, 5]);
  });

  it('fails on a 4xx naming the step, Heroku’s error id and message, and the next thing to try', async () => {
    const { app, fake, engine } = fixture();
    fake.failNext('maintenanceOn', new HttpError(403, 'forbidden', 'You do not have access to the app acme.', 'req-42'));
    const started = await startChangeover(engine, app, { approvalsRequired: 0 });
    const run = await until(engine, started.id, statusIs('failed'));
    expect(run.error).toEqual({
      code: 'heroku_error',
      step: 4,
      stepTitle: 'turn maintenance mode on',
      message: 'You do not have access to the app acme.',
      status: 403,
      herokuId: 'forbidden',
      requestId: 'req-42',
      next: expect.stringContaining('heroku access:add'),
    });
    expect(run.steps[4]).toMatchObject({ status: 'failed', attempts: 1 });
    // What was changed so far can be undone.
    expect(run.rollback?.steps.map((s) => s.title)).toEqual(['destroy the follower']);
  });

  it('retries an action refused with 409 once the state has passed, probing before each attempt', async () => {
    const { app, fake, engine } = fixture();
    // Heroku Connect started a poll between the probe and the request: the mutation was refused, not applied.
    fake.failNext('maintenanceOn', new HttpError(409, 'conflict', 'Connections can only be paused when they are in the IDLE state.'));
    const started = await startChangeover(engine, app, { approvalsRequired: 0 });
    const run = await until(engine, started.id, statusIs('succeeded'));
    expect(fake.applied.maintenanceOn).toBe(1);
    expect(run.steps[4]).toMatchObject({ status: 'done', attempts: 2, error: null });
    const retrying = (await engine.auditTrail(started.id)).filter((e) => e.type === 'step.retrying');
    expect(retrying.map((e) => e.detail)).toEqual([expect.objectContaining({ step: 4, delayMs: 30_000, error: expect.objectContaining({ status: 409 }) })]);
  });

  it('fails with the 409 once the retries are spent, and never retries a 409 from a check', async () => {
    const { app, fake, engine } = fixture({ retry: { attempts: 3, baseMs: 1000 } });
    for (let i = 0; i < 3; i++) fake.failNext('maintenanceOn', new HttpError(409, 'conflict', 'An operation is already in progress.'));
    const started = await startChangeover(engine, app, { approvalsRequired: 0 });
    const run = await until(engine, started.id, statusIs('failed'));
    expect(run.error).toMatchObject({ code: 'heroku_error', step: 4, status: 409, message: 'An operation is already in progress.' });
    expect(run.error?.next).toMatch(/Another operation is in progress/);
    expect(run.steps[4]).toMatchObject({ status: 'failed', attempts: 3 });
    expect(fake.applied.maintenanceOn).toBe(0);

    const other = fixture();
    other.fake.failNext('probe', new HttpError(409, 'conflict', 'Locked.'));
    const refused = await until(other.engine, (await startChangeover(other.engine, other.app)).id, statusIs('failed'));
    expect(refused.error).toMatchObject({ code: 'heroku_error', step: 1, status: 409 });
  });

  it('fails a step that reports a failed Heroku operation with its reason and next step, without retrying', async () => {
    const failing = runbook<Deps, { app: string }>({
      name: 'failing-upgrade',
      summary: 'An upgrade that Heroku reports as failed',
      params: z.object({ app: z.string() }),
      steps: () => [
        wait('the upgrade has finished', async () => {
          throw new StepFailed('The upgrade failed: (4/7) upgrading', { next: 'Follow it with `heroku pg:upgrade:wait`.' });
        }, { every: '10s', timeout: '1h' }),
      ],
    });
    const { app, engine } = fixture({ runbooks: runbookRegistry<Deps>(failing) });
    const started = await engine.start({ runbook: 'failing-upgrade', app, requestedBy: 'U0REQUEST', approvalsRequired: 0, approvalTimeoutMs: 0 });
    const run = await until(engine, started.id, statusIs('failed'));
    expect(run.error).toEqual({
      code: 'operation_failed',
      step: 0,
      stepTitle: 'the upgrade has finished',
      message: 'The upgrade failed: (4/7) upgrading',
      next: 'Follow it with `heroku pg:upgrade:wait`.',
    });
    expect(run.steps[0]).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await engine.auditTrail(run.id)).some((e) => e.type === 'step.retrying')).toBe(false);
  });

  it('gives up on a step that keeps failing transiently after the bounded retries', async () => {
    const { app, fake, engine } = fixture({ retry: { attempts: 3, baseMs: 1000 } });
    for (let i = 0; i < 3; i++) fake.failNext('probe', new HttpError(502, 'bad_gateway', 'Bad Gateway'));
    const started = await startChangeover(engine, app, { approvalsRequired: 0 });
    const run = await until(engine, started.id, statusIs('failed'));
    expect(run.error).toMatchObject({ code: 'retries_exhausted', step: 1, herokuId: 'bad_gateway', status: 502 });
    expect(run.error?.next).toContain('status.heroku.com');
    expect(fake.applied.createFollower).toBe(0);
  });

  it('holds one run per app and names the run that holds it', async () => {
    const { app, apps, engine } = fixture();
    const first = await startChangeover(engine, app);
    const second = startChangeover(engine, app);
    await expect(second).rejects.toThrow(EngineError);
    await expect(second).rejects.toMatchObject({ code: 'app_locked', runId: first.id });
    // Two requests racing for a free app: exactly one wins.
    const other = `${app}-b`;
    apps.set(other, new FakeApp());
    const raced = await Promise.allSettled([startChangeover(engine, other), startChangeover(engine, other)]);
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await engine.cancel({ runId: first.id, userId: 'U0REQUEST' });
    await until(engine, first.id, statusIs('cancelled'));
    expect((await startChangeover(engine, app)).status).toBe('pending');
  });

  it('counts distinct approvers once each, never the requester, and only for the plan they saw', async () => {
    const { app, engine } = fixture();
    const started = await startChangeover(engine, app, { approvalsRequired: 2 });
    await until(engine, started.id, statusIs('awaiting_approval'));
    const planHash = started.planHash;
    const approve = (userId: string, hash = planHash) => engine.approve({ runId: started.id, userId, planHash: hash });

    expect((await approve('U0REQUEST')).outcome).toBe('self_approval');
    expect((await approve('U0ALICE', 'f'.repeat(64))).outcome).toBe('plan_changed');
    // A double click, or Slack retrying the action, counts once.
    const clicks = await Promise.all([approve('U0ALICE'), approve('U0ALICE')]);
    expect(clicks.map((c) => c.outcome).sort()).toEqual(['already_decided', 'recorded']);
    expect((await approve('U0ALICE')).outcome).toBe('already_decided');
    const second = await approve('U0BOB');
    expect(second.outcome).toBe('approved');
    expect(second.run?.approvals.map((a) => [a.userId, a.decision, a.valid])).toEqual([
      ['U0ALICE', 'approve', true],
      ['U0BOB', 'approve', true],
    ]);
    await until(engine, started.id, statusIs('succeeded'));
    expect((await approve('U0CAROL')).outcome).toBe('run_finished');
    expect((await engine.approve({ runId: 'nope', userId: 'U0CAROL', planHash })).outcome).toBe('run_not_found');
  });

  it('refuses approvals before the request and cancels the run on a rejection', async () => {
    const { app, fake, engine } = fixture();
    fake.followerReadyAfter = 1_000_000;
    const started = await startChangeover(engine, app);
    await until(engine, started.id, (r) => r.steps[2]!.status === 'waiting');
    expect((await engine.approve({ runId: started.id, userId: 'U0ALICE', planHash: started.planHash })).outcome).toBe('not_awaiting_approval');
    fake.followerReadyAfter = 0;
    await until(engine, started.id, statusIs('awaiting_approval'));
    const rejected = await engine.reject({ runId: started.id, userId: 'U0ALICE', planHash: started.planHash, reason: 'not during the sale' });
    expect(rejected.outcome).toBe('rejected');
    expect(rejected.run).toMatchObject({
      status: 'cancelled',
      error: { code: 'approval_rejected', by: 'U0ALICE', step: 3, message: 'Rejected by U0ALICE: not during the sale' },
      rollback: { changed: ['create the follower'], steps: [{ title: 'destroy the follower', undoes: 'create the follower' }] },
    });
  });

  it('cancels the run with the rollback report when the approval request expires', async () => {
    const { app, engine, recorder } = fixture();
    const started = await startChangeover(engine, app, { approvalTimeoutMs: 200_000 }); // 200 ms at 1000x
    const run = await until(engine, started.id, statusIs('cancelled'));
    expect(run.error).toMatchObject({ code: 'approval_expired', step: 3, by: 'engine' });
    expect(run.error?.message).toContain('0 of 1 approvals');
    expect(run.rollback?.steps.map((s) => s.title)).toEqual(['destroy the follower']);
    expect(run.steps[3]!.status).toBe('cancelled');
    expect((await recorder.seen(started.id, 'run.finished')).run.status).toBe('cancelled');
    expect((await engine.approve({ runId: started.id, userId: 'U0ALICE', planHash: started.planHash })).outcome).toBe('run_finished');
  });

  it('voids approvals when the plan changes under a restart, and counts them again on the new plan', async () => {
    const { app, apps, engine } = fixture();
    const started = await startChangeover(engine, app, { approvalsRequired: 2 });
    await until(engine, started.id, statusIs('awaiting_approval'));
    expect((await engine.approve({ runId: started.id, userId: 'U0ALICE', planHash: started.planHash })).outcome).toBe('recorded');
    await engine.stop();

    // A deploy changed what one step calls: the plan the approvers saw is no longer the plan.
    const changed = {
      ...changeover,
      steps: (p: { app: string }) => changeover.steps(p).map((s) => (s.title === 'turn maintenance mode on' ? { ...s, calls: ['PATCH /apps/{app} {"maintenance": true, "v": 2}'] } : s)),
    };
    const recorder = new Recorder();
    const after = buildEngine(await t.reopen(), apps, { runbooks: runbookRegistry<Deps>(changed), observer: recorder });
    engines.push(after);
    await after.resumeAll();
    const voided = await until(after, started.id, (r) => r.planHash !== started.planHash);
    expect(voided.approvals).toEqual([expect.objectContaining({ userId: 'U0ALICE', valid: false })]);
    await recorder.seen(started.id, 'approval.voided');
    expect((await after.approve({ runId: started.id, userId: 'U0BOB', planHash: started.planHash })).outcome).toBe('plan_changed');
    expect((await after.approve({ runId: started.id, userId: 'U0ALICE', planHash: voided.planHash })).outcome).toBe('recorded');
    expect((await after.approve({ runId: started.id, userId: 'U0BOB', planHash: voided.planHash })).outcome).toBe('approved');
    await until(after, started.id, statusIs('succeeded'));
  });

  it('starts the cutover no earlier than notBefore, also after a restart', async () => {
    // This process's clock is an hour behind, so the run is scheduled however slowly it reaches the gate.
    const { app, apps, engine, recorder } = fixture({ clock: () => new Date(Date.now() - 3_600_000) });
    const notBefore = new Date(Date.now() + 200);
    const started = await startChangeover(engine, app, { notBefore });
    expect(started.notBefore).toBe(notBefore.toISOString());
    await until(engine, started.id, statusIs('awaiting_approval'));
    await engine.approve({ runId: started.id, userId: 'U0ALICE', planHash: started.planHash });
    const scheduled = await until(engine, started.id, statusIs('scheduled'));
    expect(scheduled.steps[4]!.status).toBe('pending');
    await recorder.seen(started.id, 'run.scheduled');
    await engine.stop();

    // A process with the right time resumes the scheduled run and starts the cutover once notBefore has come.
    const after = buildEngine(await t.reopen(), apps);
    engines.push(after);
    await after.resumeAll();
    const run = await until(after, started.id, statusIs('succeeded'));
    expect(Date.parse(run.steps[4]!.startedAt!)).toBeGreaterThanOrEqual(notBefore.getTime());
  });

  it('holds the cutover during a Heroku Connect maintenance window until it ends or is overridden', async () => {
    const windowEnd = new Date(Date.now() + 300);
    // The window stays open until the test has seen the hold, however slowly the run got to the gate.
    let seenHeld = false;
    const asked: Array<[string, Date, Date]> = [];
    const { app, engine } = fixture({
      cutoverGuard: async (a, from, to) => {
        asked.push([a, from, to]);
        return !seenHeld || Date.now() < windowEnd.getTime()
          ? { title: 'Heroku Connect maintenance', start: new Date(Date.now() - 1000), end: windowEnd, link: 'https://status.heroku.com/incidents/1' }
          : null;
      },
    });
    const started = await startChangeover(engine, app, { approvalsRequired: 0 });
    const held = await until(engine, started.id, statusIs('held_for_maintenance'));
    seenHeld = true;
    expect(held.heldFor).toEqual({ title: 'Heroku Connect maintenance', start: expect.any(String), end: windowEnd.toISOString(), link: 'https://status.heroku.com/incidents/1' });
    expect(held.steps[4]!.status).toBe('pending');
    const run = await until(engine, started.id, statusIs('succeeded'));
    expect(Date.parse(run.steps[4]!.startedAt!)).toBeGreaterThanOrEqual(windowEnd.getTime());
    expect(asked[0]![0]).toBe(app);
    // The window asked about covers the expected downtime, at least an hour.
    expect(asked[0]![2].getTime() - asked[0]![1].getTime()).toBeGreaterThanOrEqual(3_600_000);

    const { app: app2, engine: engine2 } = fixture({
      cutoverGuard: async () => ({ title: 'Heroku Connect maintenance', start: new Date(), end: new Date(Date.now() + 3_600_000) }),
    });
    const second = await startChangeover(engine2, app2, { approvalsRequired: 0 });
    await until(engine2, second.id, statusIs('held_for_maintenance'));
    expect((await engine2.overrideMaintenance({ runId: second.id, userId: 'U0LEAD' })).outcome).toBe('overridden');
    await until(engine2, second.id, statusIs('succeeded'));
    expect((await engine2.auditTrail(second.id)).find((e) => e.type === 'maintenance.overridden')?.actor).toBe('U0LEAD');
  });

  it('cancels at an approval with the app state and rollback steps, then rolls back', async () => {
    const { app, fake, engine, recorder } = fixture();
    const started = await startChangeover(engine, app);
    await until(engine, started.id, statusIs('awaiting_approval'));
    const cancelled = await engine.cancel({ runId: started.id, userId: 'U0ALICE', reason: 'wrong day' });
    expect(cancelled.outcome).toBe('cancelled');
    expect(cancelled.run).toMatchObject({
      status: 'cancelled',
      error: { code: 'cancelled', by: 'U0ALICE', step: 3, stepTitle: 'cutover', message: 'Cancelled by U0ALICE: wrong day' },
      rollback: { changed: ['create the follower'], steps: [{ title: 'destroy the follower', calls: ['DELETE /apps/{app}/addons/{follower}'] }], notUndoable: [] },
    });
    expect((await engine.cancel({ runId: started.id, userId: 'U0ALICE' })).outcome).toBe('run_finished');
    await recorder.seen(started.id, 'run.cancel_requested');
    await recorder.seen(started.id, 'run.finished');

    const rollback = await engine.rollback({ runId: started.id, userId: 'U0ALICE' });
    expect(rollback).toMatchObject({ rollbackOf: started.id, app, steps: [{ title: 'destroy the follower', kind: 'action' }] });
    await until(engine, rollback.id, statusIs('succeeded'));
    expect(fake.followers.size).toBe(0);
    expect(fake.applied.destroyFollower).toBe(1);
    await expect(engine.rollback({ runId: rollback.id, userId: 'U0ALICE' })).rejects.toMatchObject({ code: 'nothing_to_roll_back' });
  });

  it('cancels mid-wait after the cutover started and rolls back newest first', async () => {
    const slow = {
      ...changeover,
      name: 'slow',
      steps: (p: { app: string }) =>
        changeover.steps(p).map((s) =>
          s.title === 'the database has caught up' ? { ...s, until: async () => ({ done: false as const, progress: 'behind by 12 commits' }) } : s,
        ),
    };
    const { app, fake, engine } = fixture({ runbooks: runbookRegistry<Deps>(slow) });
    const started = await engine.start({ runbook: 'slow', app, requestedBy: 'U0REQUEST', approvalsRequired: 0, approvalTimeoutMs: 0 });
    await until(engine, started.id, (r) => r.steps[6]!.progress === 'behind by 12 commits');
    await expect(engine.rollback({ runId: started.id, userId: 'U0ALICE' })).rejects.toMatchObject({ code: 'run_active' });
    const cancelled = await engine.cancel({ runId: started.id, userId: 'U0ALICE' });
    expect(cancelled.outcome).toBe('cancelled');
    expect(cancelled.run?.steps[6]!.status).toBe('cancelled');
    expect(cancelled.run?.rollback).toEqual({
      changed: ['create the follower', 'turn maintenance mode on', 'scale the workers to 0'],
      steps: [
        expect.objectContaining({ title: 'restore the worker formation', undoes: 'scale the workers to 0' }),
        expect.objectContaining({ title: 'turn maintenance mode off', undoes: 'turn maintenance mode on' }),
        expect.objectContaining({ title: 'destroy the follower', undoes: 'create the follower' }),
      ],
      notUndoable: [],
    });
    expect(fake).toMatchObject({ maintenance: true, workers: 0 });
    const rollback = await engine.rollback({ runId: started.id, userId: 'U0ALICE' });
    await until(engine, rollback.id, statusIs('succeeded'));
    // The formation recorded before scaling down is what comes back.
    expect(fake).toMatchObject({ maintenance: false, workers: 3 });
    expect(fake.followers.size).toBe(0);
  });

  it('holds a manual step until it is completed', async () => {
    const { app, fake, engine, recorder } = fixture();
    const started = await engine.start({ runbook: 'pause-resume', app, requestedBy: 'U0REQUEST', approvalsRequired: 0, approvalTimeoutMs: 0 });
    const held = await until(engine, started.id, statusIs('awaiting_manual'));
    expect(held.steps[1]).toMatchObject({ status: 'held', instructions: `Open https://connect.example/${app}/authorize and log in.` });
    expect(fake.connection).toBe('PAUSED');
    await recorder.seen(started.id, 'manual.requested');
    expect((await engine.completeManualStep({ runId: started.id, stepIdx: 2, userId: 'U0ALICE' })).outcome).toBe('not_awaiting_manual');
    expect((await engine.completeManualStep({ runId: started.id, stepIdx: 1, userId: 'U0ALICE' })).outcome).toBe('completed');
    await until(engine, started.id, statusIs('succeeded'));
    expect(fake.connection).toBe('IDLE');
    expect((await engine.completeManualStep({ runId: started.id, stepIdx: 1, userId: 'U0ALICE' })).outcome).toBe('run_finished');
  });

  it('validates parameters and runbook names with every problem listed', async () => {
    const { engine } = fixture();
    const bad = engine.start({ runbook: 'changeover', app: 'Not_An_App', requestedBy: 'U0REQUEST', approvalsRequired: 1, approvalTimeoutMs: 1 });
    await expect(bad).rejects.toMatchObject({ code: 'invalid_params', problems: ['app: must be a Heroku app name'] });
    await expect(engine.start({ runbook: 'nope', app: 'acme', requestedBy: 'U0REQUEST', approvalsRequired: 1, approvalTimeoutMs: 1 })).rejects.toMatchObject({
      code: 'unknown_runbook',
      message: expect.stringContaining('changeover, pause-resume'),
    });
  });

  it('goes on when the observer throws', async () => {
    const { app, engine } = fixture({ observer: { onEvent: () => { throw new Error('Slack is down'); } } });
    const started = await startChangeover(engine, app, { approvalsRequired: 0 });
    await until(engine, started.id, statusIs('succeeded'));
  });

  it('lists runs newest first, by app, and shows one run', async () => {
    const { app, engine } = fixture();
    const a = await startChangeover(engine, app, { approvalsRequired: 0 });
    await until(engine, a.id, statusIs('succeeded'));
    const b = await startChangeover(engine, app);
    const listed = await engine.listRuns({ app });
    expect(listed.map((r) => r.id)).toEqual([b.id, a.id]);
    expect((await engine.listRuns({ app, active: true })).map((r) => r.id)).toEqual([b.id]);
    expect((await engine.listRuns({ limit: 1 })).length).toBe(1);
    expect(await engine.getRun('missing')).toBeUndefined();
  });

  it('takes a conditional step only when its condition holds, and records the other as skipped with its reason', async () => {
    // Which way the app goes is read when the step is reached, from what an earlier step recorded.
    const branch = (holdsWhen: 'promote' | 'db_key', reads: { count: number }) => ({
      title: holdsWhen === 'promote' ? 'Heroku Connect uses DATABASE_URL' : 'Heroku Connect uses its own config var',
      test: async (ctx: { outputs: Readonly<Record<string, unknown>> }) => {
        reads.count += 1;
        if (reads.count === 1) throw new HttpError(503, 'unavailable', 'Heroku is down a moment');
        return ctx.outputs.way === holdsWhen ? { holds: true as const } : { holds: false as const, because: `the cutover goes by ${String(ctx.outputs.way)}` };
      },
    });
    const reads = { count: 0 };
    const taken: string[] = [];
    const conditional = runbook<Deps, { app: string; way: string }>({
      name: 'conditional',
      summary: 'Takes one of two branches',
      params: z.object({ app: z.string(), way: z.enum(['promote', 'db_key']) }),
      steps: ({ way }) => [
        check('decide the way', async (ctx) => {
          await ctx.record('way', way);
          return { ok: true };
        }),
        action('promote', { do: async () => void taken.push('promote'), done: async () => taken.includes('promote'), when: branch('promote', reads), calls: ['POST /addon-attachments'] }),
        action('point the db_key', { do: async () => void taken.push('db_key'), done: async () => taken.includes('db_key'), when: branch('db_key', { count: 1 }), calls: ['PATCH /api/v3/connections/{id}'] }),
      ],
    });
    const app = `acme-${dialect}-${++appCount}`;
    const recorder = new Recorder();
    const engine = createEngine<Deps>({ store: t.store, runbooks: runbookRegistry(conditional), deps: { apps: new Map() }, logger: silent, observer: recorder, timeScale: 1000 });
    engines.push(engine);

    const plan = engine.plan('conditional', { way: 'db_key' }, app);
    expect(plan.steps.map((s) => [s.title, s.when])).toEqual([
      ['decide the way', undefined],
      ['promote', 'Heroku Connect uses DATABASE_URL'],
      ['point the db_key', 'Heroku Connect uses its own config var'],
    ]);
    expect(engine.plan('conditional', { way: 'promote' }, app).hash).not.toBe(plan.hash);

    const started = await engine.start({ runbook: 'conditional', app, params: { way: 'db_key' }, requestedBy: 'U0REQUEST', approvalsRequired: 0, approvalTimeoutMs: 1 });
    const run = await until(engine, started.id, statusIs('succeeded', 'failed'));
    expect(run.status).toBe('succeeded');
    expect(taken).toEqual(['db_key']);
    // A condition that failed to read is tried again (a 503), then the step is skipped, never done.
    expect(reads.count).toBe(2);
    expect(run.steps.map((s) => [s.title, s.status, s.skipReason])).toEqual([
      ['decide the way', 'done', null],
      ['promote', 'skipped', 'the cutover goes by db_key'],
      ['point the db_key', 'done', null],
    ]);
    expect(run.rollback).toBeUndefined();
    await recorder.seen(started.id, 'run.finished');
    expect(recorder.types(started.id)).toContain('step.skipped');
    const audit = await engine.auditTrail(started.id);
    expect(audit.find((e) => e.type === 'step.skipped')?.detail).toEqual({ step: 1, reason: 'the cutover goes by db_key' });
  });
});

/** Counts the selects from the runs table. */
class RunReads implements KyselyPlugin {
  count = 0;
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    const from = SelectQueryNode.is(node) ? node.from?.froms[0] : undefined;
    if (from && TableNode.is(from) && from.table.identifier.name === 'runs') this.count += 1;
    return node;
  }
  async transformResult({ result }: PluginTransformResultArgs) {
    return result;
  }
}

describe('where the engine reads its runs from', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await createTestStore('sqlite');
  });
  afterAll(async () => {
    await t.dispose();
  });

  // The bot's web process (main.ts) gives the engine a driver that waits for the engine lease or the
  // job queue: with the embedded store it is not shared, and the runs are kept in memory as with no driver.
  it.each([
    ['no driver (the in-process one)', 0, undefined],
    ['the bot’s driver with the embedded store', 0, false],
    ['the bot’s driver with the job queue (replicas)', 3, true],
  ] as const)('with %s, reading a run at rest 3 times selects from runs %i times', async (_name, reads, shared) => {
    const counter = new RunReads();
    const store = { ...t.store, db: t.store.db.withPlugin(counter) };
    const app = `acme-reads-${String(shared)}`;
    const fake = new FakeApp();
    const driver = shared === undefined ? undefined : new DeferredDriver(shared);
    const engine = buildEngine(store, new Map([[app, fake]]), driver ? { driver } : {});
    try {
      driver?.provide(new InProcessDriver(() => Date.now()));
      await engine.resumeAll();
      const started = await startChangeover(engine, app);
      await until(engine, started.id, statusIs('awaiting_approval'));
      const before = counter.count;
      for (let i = 0; i < 3; i++) await engine.getRun(started.id);
      expect(counter.count - before).toBe(reads);
      await engine.cancel({ runId: started.id, userId: 'U0REQUEST' });
    } finally {
      await engine.stop();
    }
  });
});
