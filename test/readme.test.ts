import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { planCommand } from '../src/cli/plan.js';
import { CONFIG_VARS } from '../src/config.js';
import { helpView } from '../src/bot/views/help.js';
import { commandsOf, runbookTable, usageOf } from '../src/ops/runbooks/commands.js';
import { runbooks } from '../src/ops/runbooks/index.js';
import type { RunbookRegistry } from '../src/ops/runbooks/runbook.js';

/**
 * Each runbook declares how it is asked for once (its command surface); the README's table,
 * `/connect help` and `connect-ops plan --help` all derive from it, so they cannot disagree.
 */
const registry = runbooks as RunbookRegistry<never>;
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const helpText = (topic: string | null) => JSON.stringify(helpView(topic).blocks).replace(/\\n/g, '\n');

describe('the runbooks as people ask for them', () => {
  it("are the README's table, row for row", () => {
    const table = /<!-- runbooks:[^>]*-->\n([\s\S]*?)\n<!-- \/runbooks -->/.exec(README)?.[1];
    // On a mismatch, paste the received table into README.md.
    expect(table).toBe(runbookTable(registry));
  });

  it('are /connect help, each command with its runbooks and, for one command, its parameters and examples', () => {
    const all = helpText(null);
    for (const entry of commandsOf(registry)) {
      expect(all).toContain(`/connect ${usageOf(entry)}`);
      for (const variant of entry.variants) expect(all).toContain(variant.summary);
    }
    const one = helpText('field-change');
    expect(one).toContain('`--type-change`: The field');
    expect(one).toContain('e.g. `/connect field-change acme-prod Account Region__c --type-change`');
    // plan-change says what the article says: Heroku Connect is not paused for addons:upgrade.
    expect(helpText('plan-change')).toContain('like an HA failover (it is not paused)');
    expect(helpText('plan-change')).not.toMatch(/pausing Heroku Connect around the changeover/);
  });

  it('are connect-ops plan --help', () => {
    let help = '';
    const command = planCommand({ runbooks, write: () => undefined });
    command.configureOutput({ writeOut: (text) => (help += text) });
    command.outputHelp();
    for (const entry of commandsOf(registry)) expect(help).toContain(usageOf(entry));
    expect(help).toContain('--via copy: Move the database to a new one with pg:copy');
  });
});

describe('the README on deploying and configuring', () => {
  it('documents every config var src/config.ts reads, in the Configuration table', () => {
    const table = /## Configuration\n[\s\S]*?\n\| variable[\s\S]*?\n\n/.exec(README)?.[0] ?? '';
    // DYNO is Heroku's, set on every dyno; the bot only notices it.
    for (const name of CONFIG_VARS.filter((n) => n !== 'DYNO')) expect(table).toContain(`\`${name}\``);
  });

  it('shows the Procfile as it is, the Deploy button and how to set the policy on Heroku', () => {
    const procfile = readFileSync(new URL('../Procfile', import.meta.url), 'utf8');
    expect(README).toContain(`\`\`\`\n${procfile}\`\`\``);
    expect(README).toContain('[![Deploy to Heroku](https://www.herokucdn.com/deploy/button.svg)](https://heroku.com/deploy)');
    expect(README).toContain('heroku config:set CONNECT_OPS_POLICY_YAML="$(cat connect-ops.yml)"');
  });
});
