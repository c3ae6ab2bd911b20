import { describe, expect, it } from '@jest/globals';
import { runSummary } from '../../../src/bot/views/thread-replies.js';
import type { RunView } from '../../../src/ops/engine/types.js';

const at = (minutes: number) => new Date(Date.parse('2026-03-01T10:00:00Z') + minutes * 60_000).toISOString();

function succeeded(outputs: Record<string, unknown>): RunView {
  return {
    id: 'r0123456789ab',
    app: 'hooli-prod',
    runbook: 'upgrade-via-follower',
    status: 'succeeded',
    requestedBy: 'U01OPERATOR',
    channel: 'C0123456789',
    planHash: 'f'.repeat(64),
    params: { app: 'hooli-prod', version: 17 },
    notBefore: null,
    createdAt: at(0),
    updatedAt: at(90),
    finishedAt: at(90),
    approvalsRequired: 1,
    approvals: [],
    approvalExpiresAt: null,
    cancelRequested: false,
    steps: [],
    outputs,
    rollbackOf: null,
    timeScale: 1,
    downtime: { startedAt: at(30), endedAt: at(45), ms: 15 * 60_000 },
  };
}

const text = (run: RunView) => JSON.stringify(runSummary(run, null).blocks);

describe('run summary', () => {
  it("lists what the run left to do by hand (the old database's followers), with the commands", () => {
    const followUp =
      'postgresql-gray-123 on hooli-prod still follows the old database postgresql-solid-1. Recreate it on the new one: `heroku addons:create heroku-postgresql:standard-0 --follow hooli-prod::FOLLOWER_R0123456_URL -a hooli-prod`';
    const shown = text(succeeded({ followUps: [followUp] }));
    expect(shown).toContain('*Left to do:* postgresql-gray-123 on hooli-prod still follows the old database');
    expect(shown).toContain('`heroku addons:create heroku-postgresql:standard-0 --follow hooli-prod::FOLLOWER_R0123456_URL -a hooli-prod`');
  });

  it('says nothing is left when the run recorded nothing, and ignores what is not text', () => {
    expect(text(succeeded({}))).not.toContain('Left to do');
    expect(text(succeeded({ followUps: [{ not: 'text' }, 42] }))).not.toContain('Left to do');
  });
});
