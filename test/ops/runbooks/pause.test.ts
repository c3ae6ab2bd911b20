import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { connectionOf, FAULTS, intercept, lines, startHarness, type Harness } from './support/harness.js';

const PAUSE = /^POST \/api\/v3\/connections\/[^/]+\/actions\/pause$/;
const RESUME = /^POST \/api\/v3\/connections\/[^/]+\/actions\/resume$/;

describe('pause', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

  it('pauses an IDLE connection with one request and waits until it is PAUSED', async () => {
    const run = await h.run('pause', 'acme-prod');
    expect(run.status).toBe('succeeded');
    expect(connectionOf(h.world, 'acme-prod').state).toBe('PAUSED');
    expect(lines(h.mutations())).toEqual([expect.stringMatching(PAUSE)]);
    expect(run.rollback).toBeUndefined();
  });

  it('rolls back by resuming Heroku Connect', async () => {
    const paused = await h.run('pause', 'acme-prod');
    const rollback = await h.engine.rollback({ runId: paused.id, userId: 'U_OPERATOR' });
    const done = await h.finish(rollback.id);
    expect(done.status).toBe('succeeded');
    expect(done.steps.map((s) => s.title)).toEqual(['Resume Heroku Connect']);
    expect(connectionOf(h.world, 'acme-prod').state).not.toBe('PAUSED');
    expect(lines(h.mutations())).toEqual([expect.stringMatching(PAUSE), expect.stringMatching(RESUME)]);
  });

  it('refuses an app without Heroku Connect', async () => {
    const run = await h.run('pause', 'initech-api');
    expect(run.error).toMatchObject({ code: 'check_failed', stepTitle: 'Heroku Connect is attached to the app', message: 'No connection(s) found for initech-api' });
    expect(run.error?.next).toContain('addons:open herokuconnect');
    expect(h.mutations()).toEqual([]);
  });

  it('refuses a connection that is not syncing, with the remedy for its state', async () => {
    connectionOf(h.world, 'acme-prod').state = 'SYSTEM_ERROR';
    const run = await h.run('pause', 'acme-prod');
    expect(run.error).toMatchObject({ code: 'check_failed', message: 'Heroku Connect is SYSTEM_ERROR, not syncing.' });
    expect(run.error?.next).toContain('heroku connect:recover');
    expect(h.mutations()).toEqual([]);
  });

  it('pauses once the connection is IDLE again', async () => {
    h.sim.setFaults({ stuckPolling: ['acme-prod'] });
    const started = await h.start('pause', 'acme-prod');
    const waiting = await h.waitForStep(started.id, 'Wait until Heroku Connect is IDLE', (s) => s.progress === 'Heroku Connect is POLLING_DB_CHANGES');
    expect(waiting.status).toBe('running');
    h.sim.setFaults({ stuckPolling: [] });
    const run = await h.finish(started.id);
    expect(run.status).toBe('succeeded');
    expect(lines(h.mutations())).toEqual([expect.stringMatching(PAUSE)]);
  });

  it('retries a pause refused with 409 because a poll started after the IDLE check, and pauses once', async () => {
    // Heroku Connect starts polling between the wait for IDLE and the request, and is still polling
    // when the engine probes again: a probe that trusted the recorded request would call it paused.
    let calls = 0;
    const restore = intercept(h.clients.connect, 'pause', (pause) => (...args) => {
      calls += 1;
      h.sim.setFaults({ stuckPolling: calls === 1 ? ['acme-prod'] : [] });
      return pause(...args);
    });
    try {
      const run = await h.run('pause', 'acme-prod');
      expect(run.status).toBe('succeeded');
      // Twice, or more when the simulated clock's own polls also got in the way.
      expect(run.steps.find((s) => s.title === 'Pause Heroku Connect')?.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      restore();
    }
    expect(connectionOf(h.world, 'acme-prod').state).toBe('PAUSED');
    const answers = h.sim.requests().filter((r) => PAUSE.test(`${r.method} ${r.path}`)).map((r) => r.status);
    expect(answers[0]).toBe(409);
    expect(answers.slice(0, -1).every((status) => status === 409)).toBe(true);
    expect(lines(h.mutations())).toEqual([expect.stringMatching(PAUSE)]);
  });

  it('completes under 5xx errors, latency and a 429 burst, pausing once', async () => {
    h.sim.setFaults(FAULTS);
    const run = await h.run('pause', 'acme-prod');
    expect(h.faultsServed()).toBeGreaterThan(0);
    expect(run.status).toBe('succeeded');
    expect(connectionOf(h.world, 'acme-prod').state).toBe('PAUSED');
    expect(lines(h.mutations())).toEqual([expect.stringMatching(PAUSE)]);
  });
});

describe('pause of a connection stuck in POLLING_DB_CHANGES', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('waits for IDLE, bounded, and reports the advice without pausing', async () => {
    h.sim.setFaults({ stuckPolling: ['acme-prod'] });
    const run = await h.run('pause', 'acme-prod');
    expect(run.error).toMatchObject({ code: 'wait_timeout', stepTitle: 'Wait until Heroku Connect is IDLE' });
    expect(run.error?.message).toContain('last seen: Heroku Connect is POLLING_DB_CHANGES');
    expect(run.error?.next).toContain('A connection stuck in POLLING_DB_CHANGES needs a look at its logs');
    expect(h.mutations()).toEqual([]);
  });
});
