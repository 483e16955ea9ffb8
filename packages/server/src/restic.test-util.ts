import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ResticResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real restic asynchronously (the server under test shares this event loop). */
export function restic(args: readonly string[], env: Record<string, string> = {}): Promise<ResticResult> {
  return new Promise((resolve) => {
    execFile(
      'restic',
      ['--no-cache', ...args],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', RESTIC_PASSWORD: 'test password', ...env }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A small source tree: nested folders, an empty file, a 3 MiB pseudo-random file. */
export async function makeSourceTree(dir: string): Promise<void> {
  await mkdir(join(dir, 'a', 'b'), { recursive: true });
  await writeFile(join(dir, 'a', 'hello.txt'), 'hello restic\n');
  await writeFile(join(dir, 'a', 'b', 'empty'), '');
  const big = Buffer.alloc(3 * 1024 * 1024);
  let x = 12345;
  for (let i = 0; i < big.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    big[i] = x >>> 24;
  }
  await writeFile(join(dir, 'big.bin'), big);
}
