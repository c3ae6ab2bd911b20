import type { AppKind } from './engine-apps.js';

/**
 * What the benchmarks that keep many runs going (bench/ack.ts loaded, bench/soak.ts) start: each
 * runbook from the app state it starts from, with its parameters (as bench/engine.ts does).
 */

export const SCENARIOS: Record<string, { kind: AppKind; params: Record<string, unknown> }> = {
  pause: { kind: 'connect', params: {} },
  resume: { kind: 'paused', params: {} },
  restart: { kind: 'error', params: {} },
  'plan-change': { kind: 'connect', params: { plan: 'standard-2' } },
  'plan-change-via-follower': { kind: 'connect', params: { plan: 'standard-2' } },
  copy: { kind: 'essential', params: { plan: 'standard-0' } },
  upgrade: { kind: 'connect', params: { version: 17 } },
  'upgrade-via-follower': { kind: 'connect', params: { version: 17 } },
  reload: { kind: 'connect', params: {} },
  recreate: { kind: 'stopped', params: {} },
  'field-change': { kind: 'connect', params: { object: 'Account', field: 'Name', typeChange: true } },
  'add-column': { kind: 'connect', params: { object: 'Account', fields: ['Region__c', 'Tier__c'] } },
};

export interface PlannedRun {
  runbook: string;
  /** An app of its own in the simulated Heroku. */
  app: string;
  kind: AppKind;
  params: Record<string, unknown>;
}

/** `count` runs, the runbooks in turn, each on an app named `${prefix}-…-NNNN`. */
export function plannedRuns(count: number, prefix: string): PlannedRun[] {
  const names = Object.keys(SCENARIOS);
  return Array.from({ length: count }, (_, n) => {
    const runbook = names[n % names.length]!;
    const app = `${prefix}-${runbook.replace(/[^a-z]/g, '').slice(0, 12)}-${String(n).padStart(4, '0')}`;
    return { runbook, app, ...SCENARIOS[runbook]! };
  });
}
