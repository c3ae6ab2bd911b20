import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { stepOf } from './support/connect-runs.js';
import { connectionOf, FAULTS, intercept, lines, startHarness, why, type Harness } from './support/harness.js';

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
    expect(why(run)).toBe('succeeded');
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

  it('completes under 5xx errors, latency and a 429 burst, pausing once', async () => {
    h.sim.setFaults(FAULTS);
    const run = await h.run('pause', 'acme-prod');
    expect(h.faultsServed()).toBeGreaterThan(0);
    expect(why(run)).toBe('succeeded');
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
    expect(run.error?.next).toContain('If your connection remains in the POLLING_DB_CHANGES status for an extended time, check your logs to debug');
    expect(h.mutations()).toEqual([]);
  });
});

/**
 * A busy app: Heroku Connect starts polling the trigger log just as each of the first `busy` pause
 * requests arrives (409), and is IDLE again right after, as a connection cycling between IDLE and
 * POLLING_DB_CHANGES is.
 */
function pollsAtEachPauseOf(h: Harness, busy: number): { restore: () => void } {
  let calls = 0;
  const restore = intercept(h.clients.connect, 'pause', (pause) => async (...args) => {
    calls += 1;
    if (calls > busy) return pause(...args);
    h.sim.setFaults({ stuckPolling: ['acme-prod'] });
    try {
      return await pause(...args);
    } finally {
      h.sim.setFaults({ stuckPolling: [] });
    }
  });
  return { restore };
}

describe('pause of a busy connection', () => {
  // Slow enough that the step's 30 simulated minutes are seconds of real time on a loaded machine.
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeScale: 600 });
  });
  afterAll(() => h.close());
  beforeEach(() => h.sim.reset());

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
    const busy = pollsAtEachPauseOf(h, 1);
    let run;
    try {
      run = await h.run('pause', 'acme-prod');
    } finally {
      busy.restore();
    }
    expect(why(run)).toBe('succeeded');
    expect(stepOf(run, 'Pause Heroku Connect').attempts).toBeGreaterThanOrEqual(2);
    expect(connectionOf(h.world, 'acme-prod').state).toBe('PAUSED');
    const answers = h.sim.requests().filter((r) => PAUSE.test(`${r.method} ${r.path}`)).map((r) => r.status);
    // 409 then 202, or more 409s when the simulated clock's own polls also got in the way.
    expect(answers[0]).toBe(409);
    expect(answers.slice(1, -1).every((status) => status === 409)).toBe(true);
    expect(answers.at(-1)).toBe(202);
    expect(lines(h.mutations())).toEqual([expect.stringMatching(PAUSE)]);
  });

  it('goes back to waiting for IDLE after each 409, and pauses within the step timeout', async () => {
    // More 409s than the engine retries other errors (5): a refused pause waits for IDLE until its timeout.
    const busy = pollsAtEachPauseOf(h, 7);
    let run;
    try {
      run = await h.run('pause', 'acme-prod');
    } finally {
      busy.restore();
    }
    expect(why(run)).toBe('succeeded');
    const answers = h.sim.requests().filter((r) => PAUSE.test(`${r.method} ${r.path}`)).map((r) => r.status);
    // The app's own polls may add a 409 of their own on a loaded machine; ours are the first seven.
    expect(answers.slice(0, 7)).toEqual([409, 409, 409, 409, 409, 409, 409]);
    expect(answers.at(-1)).toBe(202);
    expect(answers.filter((status) => status === 202)).toHaveLength(1);
    expect(connectionOf(h.world, 'acme-prod').state).toBe('PAUSED');
    const audit = await h.engine.auditTrail(run.id);
    const retries = audit.filter((e) => e.type === 'step.retrying' && e.detail.step === stepOf(run, 'Pause Heroku Connect').idx);
    expect(retries.length).toBeGreaterThanOrEqual(7);
    expect(lines(h.mutations())).toEqual([expect.stringMatching(PAUSE)]);
  });
});
