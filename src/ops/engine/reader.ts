import type { Store } from '../../store/index.js';
import type { RunbookRegistry } from '../runbooks/runbook.js';
import { Definitions } from './definitions.js';
import { RunStore } from './run-store.js';
import type { RunReader } from './types.js';
import { viewer, type Viewer } from './view.js';

/** Runs, their steps and audit trails as stored: what the engine serves and `connect-ops runs` prints. */
export function readerOf(runs: RunStore, view: Viewer): RunReader {
  return {
    async getRun(id) {
      const snapshot = await runs.load(id);
      return snapshot && view(snapshot);
    },
    async listRuns(query = {}) {
      return Promise.all((await runs.list(query)).map(view));
    },
    auditTrail: (runId) => runs.audit(runId),
  };
}

/** Reads runs without an engine (no Heroku clients, no timers): for the command line. */
export function createRunReader<Deps>(options: { store: Store; runbooks: RunbookRegistry<Deps>; timeScale?: number }): RunReader {
  const runs = new RunStore(options.store);
  const definitions = new Definitions(options.runbooks, (id) => runs.load(id));
  return readerOf(runs, viewer(definitions, options.timeScale ?? 1));
}
