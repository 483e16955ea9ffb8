/**
 * Every command's help (issue 11, item 8): `-h` is `--help`, and the memory-strategy flags sit
 * under their own heading. In-process: run() hands yargs' help text to io.stdout.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands/index.js';
import { STRATEGY_GROUP } from './global-options.js';
import type { Io } from './io.js';
import { run } from './run.js';
import { memoryIo } from './cli.test-util.js';

function captureIo(): { io: Io; out: () => string; err: () => string } {
  const io = memoryIo({ cwd: process.cwd() });
  return { io, out: io.out, err: io.err };
}

async function help(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = captureIo();
  const code = await run(args, c.io);
  return { code, out: c.out(), err: c.err() };
}

/** The lines under one heading of yargs' help, up to the next blank line. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) return '';
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(/\n\s*\n/);
  return end < 0 ? rest : rest.slice(0, end);
}

const STRATEGY_FLAGS = ['--strategy', '--index-load-concurrency', '--tree-decode', '--blob-set', '--young-generation', '--cache-dir', '--cache'];
const NAMES = COMMANDS.map((c) => String(Array.isArray(c.command) ? c.command[0] : c.command).split(' ')[0]!);

describe('help', () => {
  it('-h is --help at the top level', async () => {
    const short = await help(['-h']);
    expect(short.code, short.err).toBe(0);
    expect(short.out).toContain('Commands:');
    expect(short.out).toBe((await help(['--help'])).out);
  });

  for (const name of NAMES) {
    it(`${name}: -h is --help, and the memory-strategy flags sit under "${STRATEGY_GROUP}"`, async () => {
      const short = await help([name, '-h']);
      expect(short.code, short.err).toBe(0);
      expect(short.err).toBe('');
      expect(short.out).toBe((await help([name, '--help'])).out);
      const strategy = section(short.out, STRATEGY_GROUP);
      for (const flag of STRATEGY_FLAGS) expect(strategy, `${name}: ${flag}`).toMatch(new RegExp(`^\\s+${flag}\\s`, 'm'));
      const options = section(short.out, 'Options:');
      expect(options).toContain('--help');
      for (const flag of STRATEGY_FLAGS) expect(options, `${name}: ${flag} outside its heading`).not.toMatch(new RegExp(`^\\s+${flag}\\s`, 'm'));
    });
  }
});
