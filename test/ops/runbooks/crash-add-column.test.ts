import { afterEach, describe, expect, it } from '@jest/globals';
import { drive, expectCutOver } from './support/connect-runs.js';
import { CRASH_TIMEOUT, crashAtEveryTransition, crashMidEveryMutation, transitionsOf } from './support/crash.js';
import { startHarness, why, type Harness } from './support/harness.js';

/**
 * `add-column` killed at every step boundary, and in the middle of every mutation (after Heroku
 * received it, before the engine recorded it), then resumed on the same store by a new engine: it
 * finishes, and the simulator's request log shows every mutation sent exactly once.
 */

const PARAMS = { object: 'Account', fields: ['Region__c', 'Tier__c'] };
const FIELDS = { Account: PARAMS.fields };

describe('add-column under crashes', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  // One engine restart per transition: the writers' steps of issue 10 made these runs longer than jest's 30 s.
  it('resumes after a crash at every step boundary and sends each mutation once', async () => {
    const { crash, crashedAt } = crashAtEveryTransition();
    h = await startHarness({ engine: { onTransition: crash.onTransition } });
    const started = await h.start('add-column', 'acme-prod', PARAMS);
    const run = await drive(h, started.id, { crash });
    expect(why(run)).toBe('succeeded');
    expect([...crashedAt].sort()).toEqual(transitionsOf(run).sort());
    expect(crash.count).toBe(crashedAt.size);
    expectCutOver(h, run, FIELDS);
  }, CRASH_TIMEOUT);

  it('resumes after a crash in the middle of every mutation and sends each one once', async () => {
    h = await startHarness();
    const mid = crashMidEveryMutation(h);
    const started = await h.start('add-column', 'acme-prod', PARAMS);
    const run = await drive(h, started.id, { crash: mid.crash });
    expect(why(run)).toBe('succeeded');
    expect(mid.crashed).toEqual([
      'platform.createAddOn',
      'platform.createAddOn',
      'connect.setDatabase',
      'connect.importConfiguration',
      'connect.updateMapping',
      'connect.reloadMapping',
      'platform.setMaintenance',
      'platform.updateFormation',
      'connect.pause',
      'connect.pause',
      'platform.createAttachment',
      'platform.createAttachment',
      'connect.setDatabase',
      'connect.setDatabase',
      'connect.resume',
      'platform.updateFormation',
      'platform.setMaintenance',
    ]);
    expect(mid.crash.count).toBe(mid.crashed.length);
    expectCutOver(h, run, FIELDS);
  });
});
