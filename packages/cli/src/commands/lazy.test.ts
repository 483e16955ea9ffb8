/**
 * The lazily loaded command table (run.ts loads only the command that runs) lists the same
 * commands, in the same order, as COMMANDS; commandsFor picks the named one, or all of them.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './index.js';
import { LAZY_COMMANDS } from './lazy.js';
import { commandsFor } from '../run.js';

const word = (c: { command: string | readonly string[] }): string => String(Array.isArray(c.command) ? c.command[0] : c.command).split(' ')[0]!;

describe('LAZY_COMMANDS', () => {
  it('names every command of COMMANDS, in order, and loads each one', async () => {
    expect(LAZY_COMMANDS.map((c) => c.name)).toEqual(COMMANDS.map(word));
    for (const [i, c] of LAZY_COMMANDS.entries()) expect(await c.load()).toBe(COMMANDS[i]);
  });
  it('commandsFor loads the command named after the global options, else all', async () => {
    expect((await commandsFor(['-r', '/x', '--no-cache', '--password-file', 'cat', 'cat', 'config'])).map(word)).toEqual(['cat']);
    expect((await commandsFor(['--strategy=paged', 'prune', '--max-unused', '0'])).map(word)).toEqual(['prune']);
    expect((await commandsFor(['--help'])).length).toBe(COMMANDS.length);
    expect((await commandsFor(['nonsense'])).length).toBe(COMMANDS.length);
    expect((await commandsFor(['--strategy', 'bogus', 'cat'])).length).toBeGreaterThanOrEqual(1);
  });
});
