import { afterEach } from '@jest/globals';
import { takeViolations } from './declared-calls.js';

/**
 * Runs after every test of every file: a runbook step that sent a request it did not declare fails
 * the test it happened in (test/support/declared-calls.ts).
 */
afterEach(() => {
  const found = takeViolations();
  if (found.length === 0) return;
  const lines = found.map((v) => `  ${v.runbook}, step "${v.step}": ${v.request} (declared: ${v.declared.join(', ') || 'none'})`);
  throw new Error(`A runbook step sent requests its calls do not declare:\n${[...new Set(lines)].join('\n')}`);
});
