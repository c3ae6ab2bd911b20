import { z } from 'zod';
import { action, approval, check, manual, runbook, runbookRegistry, type RunbookRegistry } from '../../../src/ops/runbooks/runbook.js';

/**
 * Small runbooks for the bot's tests, named like real ones so `/connect pause`, `upgrade` and
 * `resume` reach them, acting on a Heroku Connect connection in memory.
 */

export interface FakeConnect {
  state: 'IDLE' | 'PAUSED' | 'NEW';
  /** Appended to a step's call: changing it changes the plan (as a deploy that edits a runbook would). */
  revision: string;
  /** Actions wait this long, as a slow Heroku would. */
  actionDelayMs: number;
}

export interface TestDeps {
  connect: FakeConnect;
}

const params = z.object({ app: z.string() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const pauseAction = action<TestDeps, { app: string }>('Pause Heroku Connect', {
  do: async (ctx) => {
    await sleep(ctx.deps.connect.actionDelayMs);
    ctx.deps.connect.state = 'PAUSED';
  },
  done: async (ctx) => ctx.deps.connect.state === 'PAUSED',
  calls: ['POST /api/v3/connections/{id}/actions/pause'],
  downtime: 'starts',
  undo: {
    title: 'Resume Heroku Connect',
    do: async (ctx) => {
      ctx.deps.connect.state = 'IDLE';
    },
    done: async (ctx) => ctx.deps.connect.state === 'IDLE',
    calls: ['POST /api/v3/connections/{id}/actions/resume'],
  },
});

export function testRunbooks(connect: FakeConnect): RunbookRegistry<TestDeps> {
  const pauseSteps = () => [
    check<TestDeps, { app: string }>(
      'Heroku Connect is set up',
      async (ctx) =>
        ctx.deps.connect.state === 'NEW' ? { ok: false, reason: 'The connection has no database yet.', next: 'Run heroku connect:db:set.' } : { ok: true },
      { calls: [`GET /api/v3/connections/{id}${connect.revision}`] },
    ),
    approval('Approve the pause'),
    pauseAction,
  ];
  const pause = runbook<TestDeps, { app: string }>({ name: 'pause', summary: 'Pause Heroku Connect', params, steps: pauseSteps });
  // Named upgrade for its policy (two approvals); it pauses like the pause runbook.
  const upgrade = runbook<TestDeps, { app: string; version?: number; dryRun?: boolean }>({
    name: 'upgrade',
    summary: 'Upgrade Postgres (a stand-in that only pauses Heroku Connect)',
    params: params.extend({ version: z.coerce.number().int().optional(), dryRun: z.boolean().optional() }),
    steps: pauseSteps,
  });
  const resume = runbook<TestDeps, { app: string }>({
    name: 'resume',
    summary: 'Resume Heroku Connect after a Salesforce login',
    params,
    steps: () => [
      manual('Log in to Salesforce', 'Open the Heroku Connect dashboard and authorize Salesforce.'),
      action('Resume Heroku Connect', {
        do: async (ctx) => {
          ctx.deps.connect.state = 'IDLE';
        },
        done: async (ctx) => ctx.deps.connect.state === 'IDLE',
        calls: ['POST /api/v3/connections/{id}/actions/resume'],
      }),
    ],
  });
  return runbookRegistry<TestDeps>(pause, upgrade, resume);
}
