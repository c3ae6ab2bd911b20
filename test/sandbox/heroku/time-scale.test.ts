import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulatedHeroku, type SimulatedHeroku } from '../../../src/sandbox/heroku/index.js';
import { call } from './helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Without advancing the clock by hand: simulated time runs timeScale times faster than real time. */
describe('simulated Heroku: time scale', () => {
  let sim: SimulatedHeroku;
  beforeAll(async () => {
    sim = await startSimulatedHeroku({ timeScale: 36_000 }); // ten simulated hours per real second
  });
  afterAll(() => sim.close());

  it('moves simulated time at the time scale', async () => {
    const [simStart, realStart] = [sim.world.clock.now(), Date.now()];
    await sleep(100);
    const [simElapsed, realElapsed] = [sim.world.clock.now() - simStart, Date.now() - realStart];
    expect(simElapsed).toBeGreaterThanOrEqual((realElapsed - 2) * 36_000);
    expect(simElapsed).toBeLessThanOrEqual((realElapsed + 2) * 36_000);
    expect(simElapsed).toBeGreaterThan(3_000_000);
  });

  it('finishes provisioning after a few simulated minutes of real waiting, polled as the CLI does', async () => {
    const created = await call(sim, 'POST', '/apps/acme-prod/addons', { body: { plan: 'heroku-postgresql:standard-0' } });
    expect(created.body.state).toBe('provisioning');
    let state = created.body.state;
    for (let polls = 0; state === 'provisioning' && polls < 50; polls++) {
      await sleep(5);
      state = (await call(sim, 'GET', `/apps/acme-prod/addons/${created.body.id}`)).body.state;
    }
    expect(state).toBe('provisioned');
    expect((await call(sim, 'GET', `/client/v11/databases/${created.body.id}/wait_status`)).body['waiting?']).toBe(false);
  });
});
