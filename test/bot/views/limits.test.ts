import { describe, expect, it } from '@jest/globals';
import type { Block } from '../../../src/bot/views/blocks.js';
import { fitMessage, LIMITS, packLines } from '../../../src/bot/views/limits.js';
import { planCard } from '../../../src/bot/views/plan-card.js';
import { runMessage } from '../../../src/bot/views/run-message.js';
import { runsList } from '../../../src/bot/views/runs.js';
import { statusView } from '../../../src/bot/views/status.js';
import { approvalWanted, manualStepRequest, runSummary } from '../../../src/bot/views/thread-replies.js';
import type { Plan, RunView, StepView } from '../../../src/ops/engine/types.js';
import { blockKitViolations } from '../../../src/sandbox/slack/index.js';

const STEPS = 60;
const T0 = Date.parse('2026-03-01T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const long = (what: string) => `${what} ${'with a very long explanation that goes on and on '.repeat(20)}`;

function plan(): Plan {
  return {
    runbook: 'upgrade',
    app: 'acme-prod',
    summary: long('Upgrade the Postgres version'),
    steps: Array.from({ length: STEPS }, (_, idx) => ({
      idx,
      title: long(`Step ${idx + 1}`).slice(0, 200),
      kind: idx === 30 ? 'approval' : idx % 3 === 0 ? 'wait' : 'action',
      calls: ['POST /client/v11/databases/{id}/upgrade/run', 'GET /client/v11/databases/{id}/wait_status'],
      every: '10s',
      timeout: '30m',
    })),
    expectedDowntime: { minMinutes: 5, maxMinutes: 45 },
    hash: 'f'.repeat(64),
    parametersShown: { app: 'acme-prod', version: 17 },
  };
}

function run(status: RunView['status'], doneUpTo: number): RunView {
  const steps: StepView[] = plan().steps.map((s) => ({
    idx: s.idx,
    title: s.title,
    kind: s.kind,
    status: s.idx < doneUpTo ? 'done' : s.idx === doneUpTo ? (status === 'failed' ? 'failed' : 'waiting') : 'pending',
    attempts: 3,
    startedAt: s.idx <= doneUpTo ? at(s.idx) : null,
    finishedAt: s.idx < doneUpTo ? at(s.idx + 1) : null,
    nextPollAt: s.idx === doneUpTo ? at(s.idx + 2) : null,
    progress: s.idx === doneUpTo ? long('preparing upgrade service') : null,
    instructions: null,
    output: null,
    skipReason: null,
    error: s.idx === doneUpTo && status === 'failed' ? { code: 'heroku_error', step: s.idx, stepTitle: s.title, message: long('Heroku said no'), next: long('Try again'), herokuId: 'not_found', status: 404 } : null,
  }));
  return {
    id: 'r0123456789ab',
    app: 'acme-prod',
    runbook: 'upgrade',
    status,
    requestedBy: 'U01OPERATOR',
    channel: 'C0123456789',
    planHash: 'f'.repeat(64),
    params: { app: 'acme-prod', version: 17 },
    notBefore: null,
    createdAt: at(0),
    updatedAt: at(doneUpTo),
    finishedAt: status === 'failed' ? at(doneUpTo) : null,
    approvalsRequired: 2,
    approvals: Array.from({ length: 40 }, (_, i) => ({ stepIdx: 30, userId: `U0APPROVER${i}`, decision: 'approve' as const, at: at(31), valid: i % 2 === 0 })),
    approvalExpiresAt: at(300),
    cancelRequested: false,
    steps,
    outputs: {},
    rollbackOf: null,
    timeScale: 1,
    ...(status === 'failed'
      ? {
          error: { code: 'heroku_error' as const, step: doneUpTo, stepTitle: 'x', message: long('Heroku said no'), next: long('Try again') },
          rollback: { changed: Array.from({ length: 40 }, (_, i) => long(`change ${i}`)), steps: Array.from({ length: 40 }, (_, i) => ({ title: long(`undo ${i}`), calls: [], undoes: 'x' })), notUndoable: [long('a')] },
          downtime: { startedAt: at(10), endedAt: at(40), ms: 30 * 60_000 },
        }
      : {}),
  };
}

function expectWithinLimits(blocks: unknown[]): void {
  expect(blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
  expect(blockKitViolations(blocks)).toEqual([]);
}

describe('messages stay inside Block Kit limits however long the run', () => {
  it('renders a 60-step plan card, run message and thread replies that Slack accepts', () => {
    const views = [
      planCard({ plan: plan(), approvers: '<@U02APPROVER>', approvalsRequired: 2, approvalTimeoutMs: 4 * 3_600_000, run: run('awaiting_approval', 30) }),
      planCard({ plan: plan(), approvers: '<@U02APPROVER>', approvalsRequired: 2, approvalTimeoutMs: 4 * 3_600_000, startWith: `/connect upgrade ${'x'.repeat(3000)}` }),
      runMessage(run('running', 45)),
      runMessage(run('failed', 59)),
      runSummary(run('failed', 59), plan()),
      approvalWanted(run('awaiting_approval', 30), '<@U02APPROVER>'.repeat(400)),
      manualStepRequest(run('awaiting_manual', 12), { ...run('awaiting_manual', 12).steps[12]!, instructions: long('Authorize Salesforce').repeat(10) }),
      runsList(Array.from({ length: 100 }, () => run('running', 3)), null),
      statusView({
        app: 'acme-prod',
        connection: { id: 'c', state: 'IDLE', dbKey: 'DATABASE_URL', schemaName: 'salesforce' },
        mappings: Array.from({ length: 400 }, (_, i) => ({ objectName: `Object${i}__c`, state: 'DATA_SYNCED', counts: { db: i, sf: i } })),
        databases: [],
      }),
    ];
    for (const view of views) {
      expectWithinLimits(view.blocks);
      expect(view.text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
    }
  });

  it('keeps the buttons and the closing line when a message has to be cut', () => {
    const huge = { ...plan(), steps: Array.from({ length: 2000 }, (_, idx) => ({ ...plan().steps[0]!, idx, title: `Step ${idx} ${'z'.repeat(200)}` })) };
    const card = planCard({ plan: huge, approvers: 'x', approvalsRequired: 2, approvalTimeoutMs: 1000, run: run('awaiting_approval', 30) });
    expectWithinLimits(card.blocks);
    expect(card.blocks).toHaveLength(50);
    expect(card.blocks[0]).toMatchObject({ type: 'header' });
    expect(card.blocks.at(-2)).toMatchObject({ type: 'actions', elements: [{ action_id: 'approve' }, { action_id: 'reject' }] });
    expect(card.blocks.at(-1)).toMatchObject({ type: 'context', elements: [{ text: expect.stringContaining('r0123456789ab') }] });
    expect(JSON.stringify(card.blocks)).toContain('more blocks are not shown');
  });

  it('packs lines into sections of at most 3000 characters and cuts a line too long on its own', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i} ${'x'.repeat(90)}`);
    const packed = packLines(lines);
    expect(packed.every((p) => p.length <= LIMITS.sectionText)).toBe(true);
    expect(packed.join('\n').split('\n')).toEqual(lines);
    expect(packLines(['y'.repeat(5000)])).toEqual([`${'y'.repeat(2999)}…`]);
  });

  it('cuts to 50 blocks with a note where the cut is, keeping the first and last blocks and every actions block', () => {
    const sections: Block[] = Array.from({ length: 80 }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `s${i}` } }));
    const buttons: Block = { type: 'actions', elements: [{ type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'A' } }] };
    const fitted = fitMessage([...sections.slice(0, 60), buttons, ...sections.slice(60)]);
    expect(fitted).toHaveLength(50);
    // first, 46 more sections, the note, the actions, the last section
    expect(fitted.slice(0, 47)).toEqual(sections.slice(0, 47));
    expect(fitted[47]).toMatchObject({ type: 'context', elements: [{ text: expect.stringContaining('32 more blocks') }] });
    expect(fitted[48]).toEqual(buttons);
    expect(fitted[49]).toEqual(sections[79]);
  });
});
