import { describe, expect, it } from '@jest/globals';
import { Help } from 'commander';
import { SUBCOMMANDS } from '../../src/cli/subcommands.js';

/** The top-level help lists each subcommand without loading it; what it lists is the command's own. */
describe('the connect-ops subcommands', () => {
  it.each(SUBCOMMANDS.map((s) => [s.name, s] as const))('%s is listed by its own usage and description', async (name, subcommand) => {
    const command = await subcommand.load();
    expect(command.name()).toBe(name);
    expect(subcommand.term).toBe(new Help().subcommandTerm(command));
    expect(subcommand.summary).toBe(command.description());
    // sandbox loads the bot and the simulator: long under ts-jest on a busy machine.
  }, 120_000);
});
