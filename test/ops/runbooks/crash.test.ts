import { afterEach, describe, expect, it } from '@jest/globals';
import { drive } from './support/connect-runs.js';
import { CRASH_TIMEOUT, crashAtEveryTransition, crashMidEveryMutation, transitionsOf } from './support/crash.js';
import { addOnAttachedAs, CHANGEOVER_TIME_SCALE, connectionOf, lines, startHarness, why, type Harness } from './support/harness.js';

/**
 * `upgrade --via follower` killed at every step boundary, and in the middle of every mutation (after
 * Heroku received it, before the engine recorded it), then resumed on the same store by a new engine:
 * it finishes, and the simulator's request log shows every mutation sent exactly once.
 */

const CHANGEOVER = [
  /^POST \/apps\/acme-prod\/addons$/,
  /^PATCH \/apps\/acme-prod$/,
  /^PATCH \/apps\/acme-prod\/formation$/,
  /^POST \/api\/v3\/connections\/[^/]+\/actions\/pause$/,
  /^POST \/client\/v11\/databases\/[^/]+\/upgrade\/run$/,
  /^POST \/addon-attachments$/,
  /^POST \/addon-attachments$/,
  /^POST \/api\/v3\/connections\/[^/]+\/actions\/resume$/,
  /^PATCH \/apps\/acme-prod\/formation$/,
  /^PATCH \/apps\/acme-prod$/,
];

function expectChangedOverOnce(h: Harness, runId: string) {
  const promoted = addOnAttachedAs(h.world, 'acme-prod', 'DATABASE');
  expect(promoted.addon.name).toBe(`acme-prod-follower-${runId.slice(0, 8)}`);
  expect(promoted.database?.version).toBe(17);
  const app = h.world.apps.get('acme-prod')!;
  expect(app.maintenance).toBe(false);
  expect(app.formation.map((f) => [f.type, f.quantity])).toEqual([['web', 2], ['worker', 3], ['release', 0]]);
  expect(connectionOf(h.world, 'acme-prod').state).not.toBe('PAUSED');
  expect(lines(h.mutations())).toEqual(CHANGEOVER.map((p) => expect.stringMatching(p)));
}

describe('upgrade --via follower under crashes', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  // One engine restart per transition: the writers' steps of issue 10 made these runs longer than jest's 30 s.
  it('resumes after a crash at every step boundary and sends each mutation once', async () => {
    const { crash, crashedAt } = crashAtEveryTransition();
    h = await startHarness({ timeScale: CHANGEOVER_TIME_SCALE, engine: { onTransition: crash.onTransition } });
    const started = await h.start('upgrade-via-follower', 'acme-prod', { version: 17 });
    const run = await drive(h, started.id, { crash });
    expect(why(run)).toBe('succeeded');
    expect([...crashedAt].sort()).toEqual(transitionsOf(run).sort());
    expect(crash.count).toBe(crashedAt.size);
    expectChangedOverOnce(h, run.id);
  }, CRASH_TIMEOUT);

  it('resumes after a crash in the middle of every mutation and sends each one once', async () => {
    h = await startHarness({ timeScale: CHANGEOVER_TIME_SCALE });
    const mid = crashMidEveryMutation(h);
    const started = await h.start('upgrade-via-follower', 'acme-prod', { version: 17 });
    const run = await drive(h, started.id, { crash: mid.crash });
    expect(why(run)).toBe('succeeded');
    expect(mid.crashed).toEqual([
      'platform.createAddOn',
      'platform.setMaintenance',
      'platform.updateFormation',
      'connect.pause',
      'data.upgradeRun',
      'platform.createAttachment',
      'platform.createAttachment',
      'connect.resume',
      'platform.updateFormation',
      'platform.setMaintenance',
    ]);
    expect(mid.crash.count).toBe(CHANGEOVER.length);
    expectChangedOverOnce(h, run.id);
  });
});
