import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PHASED = fileURLToPath(new URL('../test-children/phased.mjs', import.meta.url));
export const MiB = 1024 * 1024;

/** The test children import @highwater/probe from its dist/: build it (incremental, quick when current). */
export function buildProbe(): void {
  execFileSync('npx', ['tsc', '-b', 'packages/probe'], { cwd: ROOT, stdio: 'inherit' });
}

export const phasedChild = (spec: unknown): { script: string; args: string[] } => ({ script: PHASED, args: [JSON.stringify(spec)] });
