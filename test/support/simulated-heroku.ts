import { createLogger } from '../../src/log.js';
import { createHerokuClients, type HerokuClients } from '../../src/ops/heroku/clients.js';
import { createLimits } from '../../src/ops/limits.js';
import { startSimulatedHeroku, type SimulatedHeroku, type SimulatedHerokuOptions } from '../../src/sandbox/heroku/index.js';
import { observeRequest } from './declared-calls.js';

export interface Sandbox {
  sim: SimulatedHeroku;
  clients: HerokuClients;
  close(): Promise<void>;
}

/** The simulated Heroku, and the clients pointed at it (Platform API, data API and Connect discovery on one URL). */
export async function startSandbox(options: SimulatedHerokuOptions = {}): Promise<Sandbox> {
  // A simulated minute per real second: nothing changes by itself within a test, and `world.advance` jumps ahead.
  const timeScale = options.timeScale ?? 60;
  const sim = await startSimulatedHeroku({ ...options, timeScale });
  const limits = createLimits({ timeScale });
  const clients = createHerokuClients({
    apiKey: sim.token,
    apiUrl: sim.url,
    dataApiUrl: sim.url,
    connectDiscoveryUrl: sim.url,
    limits,
    logger: createLogger({ level: 'silent' }),
    timeScale,
    // Requests a runbook step sends are held to the calls it declares (declared-calls.ts).
    onRequest: observeRequest,
  });
  return {
    sim,
    clients,
    close: async () => {
      await limits.disconnect();
      await sim.close();
    },
  };
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

