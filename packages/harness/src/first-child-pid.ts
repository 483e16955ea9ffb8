import { readFileSync } from 'node:fs';

/** The first child of a process (e.g. restic under /usr/bin/time), or undefined (Linux /proc only). */
export function firstChildPid(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}
