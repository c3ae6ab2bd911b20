import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LivePlanNames } from '../../src/bot/plan-names.js';
import { startSandbox, type Sandbox } from '../support/simulated-heroku.js';
import { startBotHarness, USERS, type BotHarness } from './support/harness.js';
import { pick, selected } from './support/views.js';

/**
 * The runbook form's Plan field in production: the plan names are read live from the (simulated)
 * Platform API, and the field is typed as free text when Heroku cannot be read.
 */
describe('the runbook form’s plan choices', () => {
  let heroku: Sandbox;
  let h: BotHarness;
  let names: LivePlanNames;
  beforeAll(async () => {
    heroku = await startSandbox();
    // As main.ts wires it: no fixed list, the live one.
    h = await startBotHarness({ ports: { planNames: undefined, livePlanNames: () => names.get() } });
  });
  afterAll(async () => {
    await h.close();
    await heroku.close();
  });

  const planField = async () => {
    expect((await h.command(USERS.operator, '')).status).toBe(200);
    await h.workspace.waitFor(() => h.workspace.modalOf(USERS.operator));
    const form = await pick(h, USERS.operator, 'runbook', 'modal_runbook', selected('plan-change'));
    const blocks = (form.view as { blocks: Array<{ block_id?: string; element?: { type: string; options?: Array<{ value: string }> } }> }).blocks;
    const field = blocks.find((b) => b.block_id === 'param_plan')?.element;
    h.workspace.closeView(h.workspace.modalOf(USERS.operator)!.id);
    return field;
  };

  it('offers the plans Heroku lists', async () => {
    names = new LivePlanNames({ platform: heroku.clients.platform });
    const field = await planField();
    expect(field?.type).toBe('static_select');
    expect(field?.options?.map((o) => o.value)).toEqual(expect.arrayContaining(['essential-0', 'standard-0', 'premium-4', 'shield-0']));
  });

  it('falls back to free text when Heroku cannot be read', async () => {
    heroku.sim.setFaults({ errorRate: 1, errorHosts: ['platform'] });
    names = new LivePlanNames({ platform: heroku.clients.platform });
    const field = await planField();
    heroku.sim.setFaults({ errorRate: 0 });
    expect(field?.type).toBe('plain_text_input');
  });
});
