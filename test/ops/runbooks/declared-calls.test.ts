import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { createLogger } from '../../../src/log.js';
import { createEngine, type Engine } from '../../../src/ops/engine/index.js';
import { api } from '../../../src/ops/heroku/calls.js';
import { read, type RunbookDeps } from '../../../src/ops/runbooks/deps.js';
import { runbooks } from '../../../src/ops/runbooks/index.js';
import { check, runbook, runbookRegistry } from '../../../src/ops/runbooks/runbook.js';
import { createTestStore, type TestStore } from '../../support/backends.js';
import { declaring, takeViolations } from '../../support/declared-calls.js';
import { startSandbox, type Sandbox } from '../../support/simulated-heroku.js';

/** A runbook whose one check reads the app and its formation, but declares only the app. */
const undeclared = runbook<RunbookDeps, { app: string }>({
  name: 'undeclared',
  summary: 'Reads more than it declares',
  params: z.object({ app: z.string() }),
  steps: () => [
    check(
      'The app has a formation',
      read([api.platform.app], async (ctx) => {
        await ctx.deps.platform.app(ctx.app);
        await ctx.deps.platform.formation(ctx.app);
        return { ok: true };
      }),
    ),
  ],
});

describe('declared calls', () => {
  let heroku: Sandbox;
  let store: TestStore;
  let engine: Engine;
  beforeAll(async () => {
    heroku = await startSandbox({ seed: 'default' });
    store = await createTestStore('sqlite');
    engine = createEngine<RunbookDeps>({ store: store.store, runbooks: declaring(runbookRegistry(undeclared)), deps: heroku.clients, logger: createLogger({ level: 'silent' }) });
  });
  afterAll(async () => {
    await engine.stop();
    await heroku.close();
    await store.dispose();
  });

  it('come from the client methods a step uses', () => {
    expect(undeclared.steps({ app: 'acme-prod' })[0]?.calls).toEqual(['GET /apps/{app}']);
    const pause = runbooks.get('pause')!.steps({ app: 'acme-prod' });
    expect(pause.find((s) => s.title === 'Pause Heroku Connect')?.calls).toEqual([
      'GET /api/v3/connections/{id}?deep=true',
      'GET /connections?app={app}',
      'POST /auth/{app}',
      'POST /api/v3/connections/{id}/actions/pause',
    ]);
  });

  it('flag a request the step that sent it did not declare, naming the step', async () => {
    const started = await engine.start({ runbook: 'undeclared', app: 'acme-prod', requestedBy: 'U_OPERATOR', approvalsRequired: 0, approvalTimeoutMs: 60_000 });
    for (let run = started; !['succeeded', 'failed'].includes(run.status); run = (await engine.getRun(started.id))!) await new Promise((r) => setTimeout(r, 5));
    // Taken here, so that the check after every test does not fail this one.
    expect(takeViolations()).toEqual([
      { runbook: 'undeclared', step: 'The app has a formation', request: 'GET /apps/acme-prod/formation', declared: ['GET /apps/{app}'] },
    ]);
  });

  it('leave requests a test makes itself alone', async () => {
    await heroku.clients.platform.formation('acme-prod');
    expect(takeViolations()).toEqual([]);
  });
});
