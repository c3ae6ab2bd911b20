import { describe, expect, it } from '@jest/globals';
import { closest, editDistance } from '../../../src/bot/commands/closest.js';
import { COMMAND_NAMES, parseCommand, type Command, type UsageError } from '../../../src/bot/commands/grammar.js';
import { tokenize } from '../../../src/bot/commands/tokens.js';

const NOW = new Date('2026-03-01T10:00:00Z');
const VOCABULARY = {
  apps: ['acme-prod', 'acme-staging', 'globex-prod'],
  plans: ['standard-0', 'standard-2', 'premium-0'],
  now: NOW,
};

function parsed(text: string, vocabulary = VOCABULARY): Command {
  const result = parseCommand(text, vocabulary);
  if (!result.ok) throw new Error(`${text}: ${result.error.problem}`);
  return result.command;
}

function refused(text: string, vocabulary = VOCABULARY): UsageError {
  const result = parseCommand(text, vocabulary);
  if (result.ok) throw new Error(`${text} parsed as ${JSON.stringify(result.command)}`);
  return result.error;
}

/** The command a runbook is typed as. */
const COMMAND: Record<string, string> = { 'upgrade-via-follower': 'upgrade', 'plan-change-via-follower': 'plan-change', copy: 'plan-change' };

const run = (runbook: string, app: string, params: Record<string, unknown> = {}, notBefore: Date | null = null) => ({
  name: 'run',
  request: { runbook, command: COMMAND[runbook] ?? runbook, app, params, notBefore },
});

describe('the /connect grammar', () => {
  it('reads every command form', () => {
    expect(parsed('')).toEqual({ name: 'help', topic: null });
    expect(parsed('help')).toEqual({ name: 'help', topic: null });
    expect(parsed('help upgrade')).toEqual({ name: 'help', topic: 'upgrade' });
    expect(parsed('status acme-prod')).toEqual({ name: 'status', app: 'acme-prod' });
    expect(parsed('maintenance')).toEqual({ name: 'maintenance' });
    expect(parsed('runs')).toEqual({ name: 'runs', app: null });
    expect(parsed('runs globex-prod')).toEqual({ name: 'runs', app: 'globex-prod' });
    expect(parsed('cancel r0a1b2c3d4e5')).toEqual({ name: 'cancel', runId: 'r0a1b2c3d4e5' });
    expect(parsed('upgrade acme-prod')).toEqual(run('upgrade', 'acme-prod'));
    expect(parsed('upgrade acme-prod --version 17 --via follower')).toEqual(run('upgrade-via-follower', 'acme-prod', { version: 17 }));
    expect(parsed('plan-change acme-prod standard-2')).toEqual(run('plan-change', 'acme-prod', { plan: 'standard-2' }));
    expect(parsed('plan-change acme-prod heroku-postgresql:premium-0 --via copy')).toEqual(run('copy', 'acme-prod', { plan: 'premium-0' }));
    expect(parsed('plan-change acme-prod premium-0 --via follower')).toEqual(run('plan-change-via-follower', 'acme-prod', { plan: 'premium-0' }));
    expect(parsed('plan-change acme-staging standard-0 --via copy --version 17')).toEqual(run('copy', 'acme-staging', { plan: 'standard-0', version: 17 }));
    expect(parsed('pause acme-prod')).toEqual(run('pause', 'acme-prod'));
    expect(parsed('resume acme-prod')).toEqual(run('resume', 'acme-prod'));
    expect(parsed('recreate acme-prod')).toEqual(run('recreate', 'acme-prod'));
    // No mapping named: none passed, and the runbook reloads every mapping.
    expect(parsed('reload acme-prod')).toEqual(run('reload', 'acme-prod'));
    expect(parsed('reload acme-prod Account Contact')).toEqual(run('reload', 'acme-prod', { mappings: ['Account', 'Contact'] }));
    expect(parsed('field-change acme-prod Account Region__c')).toEqual(run('field-change', 'acme-prod', { object: 'Account', field: 'Region__c' }));
    expect(parsed('field-change acme-prod Account Region__c --type-change')).toEqual(
      run('field-change', 'acme-prod', { object: 'Account', field: 'Region__c', typeChange: true }),
    );
    expect(parsed('add-column acme-prod Contact Tier__c Score__c')).toEqual(run('add-column', 'acme-prod', { object: 'Contact', fields: ['Tier__c', 'Score__c'] }));
    expect(parsed('plan upgrade acme-prod --version 16')).toEqual({ name: 'plan', request: run('upgrade', 'acme-prod', { version: 16 }).request });
  });

  it('takes the app as -a APP or --app APP anywhere, as the Heroku CLI does', () => {
    expect(parsed('upgrade -a acme-prod --version 17')).toEqual(run('upgrade', 'acme-prod', { version: 17 }));
    expect(parsed('plan-change standard-2 --app acme-prod')).toEqual(run('plan-change', 'acme-prod', { plan: 'standard-2' }));
    expect(parsed('status --app=acme-prod')).toEqual({ name: 'status', app: 'acme-prod' });
    expect(parsed('runs -a globex-prod')).toEqual({ name: 'runs', app: 'globex-prod' });
    expect(refused('status acme-prod -a acme-prod').problem).toBe('Unexpected `acme-prod`.');
    expect(refused('status -a').problem).toBe('`-a` needs an app name.');
    expect(refused('upgrade -a acme-prod --app acme-prod').problem).toBe('Name the app once.');
  });

  it('reads --flag=value, quoted words, curly quotes, autocorrected dashes and case', () => {
    expect(parsed('UPGRADE Acme-Prod --version=17')).toEqual(run('upgrade', 'acme-prod', { version: 17 }));
    expect(parsed('upgrade “acme-prod” —version 16')).toEqual(run('upgrade', 'acme-prod', { version: 16 }));
    expect(parsed('upgrade acme-prod --via FOLLOWER')).toEqual(run('upgrade-via-follower', 'acme-prod'));
    expect(tokenize('upgrade --at="tomorrow 2am" acme-prod')).toEqual(['upgrade', '--at=tomorrow 2am', 'acme-prod']);
    expect(tokenize("a 'b c' d &lt;x&gt;")).toEqual(['a', 'b c', 'd', '<x>']);
  });

  it('reads --at as a time in the future, in UTC unless a zone is given', () => {
    const at = (text: string) => {
      const command = parsed(text);
      return command.name === 'run' ? command.request.notBefore?.toISOString() : undefined;
    };
    expect(at('upgrade acme-prod --at 2026-03-05T02:00Z')).toBe('2026-03-05T02:00:00.000Z');
    expect(at('upgrade acme-prod --at tomorrow 02:00')).toBe('2026-03-02T02:00:00.000Z');
    expect(at('upgrade --at 2am acme-prod --version 17')).toBe('2026-03-02T02:00:00.000Z');
    expect(at('upgrade acme-prod --at "March 5 2am PST"')).toBe('2026-03-05T10:00:00.000Z');
    expect(at('upgrade acme-prod --at="in 2 hours"')).toBe('2026-03-01T12:00:00.000Z');
    expect(refused('upgrade acme-prod --at yesterday').problem).toBe('`--at yesterday` is in the past.');
    expect(refused('upgrade acme-prod --at soonish').problem).toMatch(/^`--at soonish` is not a time I can read\. Try /);
    expect(refused('upgrade acme-prod --at').problem).toMatch(/^`--at` needs a time\./);
  });

  it('refuses an unknown command, app, plan, runbook or option with the usage line and the closest valid choice', () => {
    expect(refused('upgarde acme-prod')).toEqual({ problem: 'Unknown command `upgarde`.', usage: expect.stringContaining('COMMAND'), suggestion: 'upgrade' });
    expect(refused('maint').suggestion).toBe('maintenance');
    expect(refused('upgrade acme-prd')).toEqual({
      problem: 'Unknown app `acme-prd`: connect-ops manages `acme-prod`, `acme-staging`, `globex-prod`.',
      usage: 'upgrade APP [--version N] [--dry-run] [--via follower] [--at TIME]',
      suggestion: 'acme-prod',
    });
    expect(refused('plan-change acme-prod standrd-2')).toMatchObject({ problem: 'Unknown plan `standrd-2`.', suggestion: 'standard-2' });
    expect(refused('upgrade acme-prod --verison 17')).toMatchObject({ problem: 'Unknown option `--verison` for upgrade.', suggestion: '--version' });
    expect(refused('pause acme-prod --force')).toMatchObject({ problem: 'Unknown option `--force` for pause.', usage: 'pause APP' });
    expect(refused('maintenance --all')).toMatchObject({ problem: 'maintenance takes no options (got `--all`).' });
    expect(refused('upgrade acme-prod --via folower')).toMatchObject({ problem: '`--via` must be `follower` (got `folower`).', suggestion: 'follower' });
    expect(refused('plan upgrde acme-prod')).toMatchObject({ problem: 'Unknown runbook `upgrde`.', usage: 'plan RUNBOOK APP [OPTIONS]', suggestion: 'upgrade' });
    expect(refused('plan upgrade acme-prod --verison 3').usage).toBe('plan upgrade APP [--version N] [--dry-run] [--via follower] [--at TIME]');
    expect(refused('help upgarde')).toMatchObject({ problem: 'Unknown command `upgarde`.', suggestion: 'upgrade' });
    expect(refused('upgrade xyzzy-nothing-alike').suggestion).toBeNull();
  });

  it('refuses missing, extra and malformed arguments', () => {
    expect(refused('status')).toEqual({ problem: 'Missing APP.', usage: 'status APP', suggestion: null });
    expect(refused('plan-change acme-prod').problem).toBe('Missing PLAN.');
    expect(refused('add-column acme-prod Account').problem).toBe('Missing FIELD.');
    expect(refused('status acme-prod extra').problem).toBe('Unexpected `extra`.');
    expect(refused('upgrade acme-prod --version seventeen').problem).toBe('`--version` needs a whole number such as 17 (got `seventeen`).');
    expect(refused('upgrade acme-prod --version').problem).toBe('`--version` needs a value.');
    expect(refused('upgrade acme-prod --version 16 --version 17').problem).toBe('Give `--version` once.');
    expect(refused('field-change acme-prod Account Region__c --type-change=yes').problem).toBe('`--type-change` takes no value.');
    expect(refused('field-change acme-prod Account Region-c').problem).toBe('`Region-c` is not a Salesforce object or field name.');
    expect(refused('cancel <script>').problem).toBe('`&lt;script&gt;` is not a run ID (`/connect runs` lists them).');
    expect(refused('plan').problem).toMatch(/^Name a runbook: `upgrade`, /);
  });

  it('resolves --via to the runbook it names, and refuses options that do not go with it', () => {
    expect(refused('plan-change acme-prod standard-2 --version 17')).toMatchObject({
      problem: '`--version` goes with `--via copy`, not with `plan-change`.',
      usage: 'plan-change APP PLAN [--version N] [--via follower|copy] [--at TIME]',
    });
    expect(refused('pause acme-prod --at tomorrow 02:00').problem).toBe('Unknown option `--at` for pause.');
    const fewer = { ...VOCABULARY, runbooks: ['upgrade', 'pause'] };
    expect(parsed('upgrade acme-prod', fewer)).toEqual(run('upgrade', 'acme-prod'));
    expect(refused('upgrade acme-prod --via follower', fewer).problem).toBe('The `upgrade --via follower` runbook is not installed in this connect-ops yet.');
  });

  it('refuses runbooks the engine does not have, and says when no apps are configured', () => {
    const fewer = { ...VOCABULARY, runbooks: ['pause', 'resume'] };
    expect(parsed('pause acme-prod', fewer)).toEqual(run('pause', 'acme-prod'));
    expect(refused('recreate acme-prod', fewer).problem).toBe('The `recreate` runbook is not installed in this connect-ops yet.');
    expect(refused('plan pase acme-prod', fewer).suggestion).toBe('pause');
    expect(refused('status acme-prod', { ...VOCABULARY, apps: [] }).problem).toBe('No apps are configured: name `acme-prod` under `apps:` in the policy file.');
  });

  it('never throws, whatever is typed', () => {
    const inputs = ['"', '“unclosed', '-', '--', '---x', '-a', '= = =', '\u0000\u0007', 'status ' + 'a'.repeat(5000), '‘’“”', '<@U123|bob> &amp;&lt;', '--at --at', 'plan plan plan'];
    for (const word of COMMAND_NAMES) inputs.push(`${word} --at`, `${word} -a`, `${word} ${'x '.repeat(50)}`, `${word} --=`);
    for (const text of inputs) {
      const result = parseCommand(text, VOCABULARY);
      if (!result.ok) expect(result.error.problem.length).toBeLessThan(400);
    }
  });
});

describe('closest choice', () => {
  it('suggests typos, swaps and prefixes, and nothing far off', () => {
    expect(closest('upgarde', ['upgrade', 'pause'])).toBe('upgrade');
    expect(closest('acme-prd', ['acme-prod', 'acme-staging'])).toBe('acme-prod');
    expect(closest('maint', ['maintenance', 'runs'])).toBe('maintenance');
    expect(closest('x', ['runs', 'pause'])).toBeUndefined();
    expect(closest('completely-different', ['acme-prod'])).toBeUndefined();
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests nothing for a word whose length alone puts it too far off, without a table of its length (issue 14, failure 3)', () => {
    // Before, a megabyte word built a table of its length times each choice's: seconds and gigabytes.
    expect(closest('x'.repeat(1_000_000), COMMAND_NAMES)).toBeUndefined();
    expect(closest('upgrade'.repeat(1000), COMMAND_NAMES)).toBeUndefined();
    expect(parseCommand('z'.repeat(4000), { apps: ['acme-prod'], now: new Date() })).toMatchObject({ ok: false, error: { suggestion: null } });
  });
});
