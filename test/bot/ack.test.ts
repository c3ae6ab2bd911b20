import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Engine } from '../../src/ops/engine/types.js';
import { startBotHarness, startedRunId, USERS, type BotHarness } from './support/harness.js';

/** Longer than the 3 seconds Slack waits for an ack. */
const SLOW_MS = 3500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('acknowledging within 3 seconds', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await startBotHarness({
      // The engine and Heroku as a slow day makes them: every answer takes longer than Slack waits.
      wrapEngine: (engine): Engine => ({ ...engine, start: async (request) => (await sleep(SLOW_MS), engine.start(request)) }),
      ports: {
        appStatus: async (app) => {
          await sleep(SLOW_MS);
          return { app, connection: { id: 'c', state: 'PAUSED', dbKey: 'DATABASE_URL', schemaName: 'salesforce' }, mappings: [], databases: [] };
        },
      },
    });
  });
  afterAll(() => h.close());

  it('acks status and run commands at once however slow Heroku and the engine are, and answers later', async () => {
    const [status, start] = await Promise.all([h.command(USERS.approver, 'status acme-prod'), h.command(USERS.operator, 'pause acme-prod')]);
    expect([status.status, start.status]).toEqual([200, 200]);
    expect(status.ms).toBeLessThan(1000);
    expect(start.ms).toBeLessThan(1000);
    expect(h.slack.responses).toEqual([]);
    expect(await h.ephemeral(USERS.approver, /Status of acme-prod/)).toBeDefined();
    const id = startedRunId(await h.ephemeral(USERS.operator, /Started .*pause acme-prod/));
    expect((await h.messagesOf(id)).card.text).toBe('Plan: pause acme-prod');
  });
});
