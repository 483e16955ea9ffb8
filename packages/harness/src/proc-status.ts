import { readFileSync } from 'node:fs';

/** RSS figures of another process from /proc/PID/status (host figures: under qemu, the emulator's). */
export interface ProcStatus {
  readonly rssBytes: number;
  /** Peak since the process started or since its last clear_refs reset. */
  readonly hwmBytes: number;
}

const RSS = /^VmRSS:\s+(\d+)\s+kB/m;
const HWM = /^VmHWM:\s+(\d+)\s+kB/m;

/** undefined once the process has exited (a zombie has no Vm lines) or when /proc is not there. */
export function readProcStatus(pid: number): ProcStatus | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return undefined;
  }
  const rss = RSS.exec(text);
  const hwm = HWM.exec(text);
  if (!rss || !hwm) return undefined;
  return { rssBytes: Number(rss[1]) * 1024, hwmBytes: Number(hwm[1]) * 1024 };
}

/** The first child of a process (e.g. restic under /usr/bin/time), or undefined. */
export function firstChildPid(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}
