import { readFileSync, writeFileSync } from 'node:fs';
import type { ProbePeakSource } from './probe-events.js';

/**
 * The current process's resident-set readings. On Linux: VmRSS/VmHWM of /proc/self/status, and
 * the peak reset through clear_refs ("5" resets VmHWM to the current RSS, Linux >= 4.0). Elsewhere,
 * or where /proc is not readable: process.resourceUsage().maxRSS, which cannot be reset.
 *
 * Under qemu-user the guest's /proc/self/status is passed through to the host's qemu process (qemu
 * only fakes maps, stat, auxv, cmdline and exe): VmHWM and VmRSS are the emulator's host figures,
 * emulator included, and clear_refs resets them. process.memoryUsage().rss reads 0 there.
 */
export interface ProcMemory {
  readonly source: ProbePeakSource;
  /** Peak RSS since the last reset (or since start) in bytes. */
  readHwm(): number | null;
  /** Resets the peak to the current RSS; false when the reset is not possible. */
  resetHwm(): boolean;
}

const HWM = /^VmHWM:\s+(\d+)\s+kB/m;

export interface ProcMemoryOptions {
  /** Directory holding `status` and `clear_refs`; default /proc/self. */
  readonly procDir?: string;
}

export function openProcMemory(options: ProcMemoryOptions = {}): ProcMemory {
  const dir = options.procDir ?? '/proc/self';
  const statusPath = `${dir}/status`;
  const clearPath = `${dir}/clear_refs`;
  const readStatusHwm = (): number | null => {
    try {
      const m = HWM.exec(readFileSync(statusPath, 'latin1'));
      return m ? Number(m[1]) * 1024 : null;
    } catch {
      return null;
    }
  };
  const reset = (): boolean => {
    try {
      writeFileSync(clearPath, '5');
      return true;
    } catch {
      return false;
    }
  };
  if (readStatusHwm() === null) {
    return {
      source: 'maxrss',
      readHwm: () => process.resourceUsage().maxRSS * 1024,
      resetHwm: () => false,
    };
  }
  const canReset = reset();
  return {
    source: canReset ? 'vmhwm-phase' : 'vmhwm',
    readHwm: readStatusHwm,
    resetHwm: canReset ? reset : () => false,
  };
}
