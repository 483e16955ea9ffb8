import { spawn, type ChildProcess } from 'node:child_process';
import { PROBE_FD_ENV, PROBE_HEAP_INTERVAL_ENV } from '@highwater/probe';

/**
 * Starting a measured child: its own process group (so the budget and an abort kill everything it
 * started, wrappers included, and a terminal's ^C does not reach it first), stdin closed, stdout
 * piped only when something reads it, stderr piped (its tail explains failures), and with `probe`
 * a fourth pipe for the recorder (fd 3, HIGHWATER_PROBE_FD=3) whose heap samples keep the RSS
 * samples' pace.
 */
export interface SpawnMeasuredOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly probe?: boolean;
  readonly readStdout: boolean;
  readonly sampleIntervalMs: number;
}

export interface MeasuredChild {
  readonly child: ChildProcess;
  /** The recorder's pipe (probe), else undefined. */
  readonly probeStream: NodeJS.ReadableStream | undefined;
  /** SIGKILL to the child's process group (the child alone when the group is gone). */
  killGroup(): void;
}

/** The child's environment: the recorder's descriptor set with `probe`, removed without (a nested run does not inherit ours). */
export function measuredEnv(base: NodeJS.ProcessEnv, probe: boolean, sampleIntervalMs: number): NodeJS.ProcessEnv {
  const env = { ...base };
  if (probe) {
    env[PROBE_FD_ENV] = '3';
    env[PROBE_HEAP_INTERVAL_ENV] = String(Math.round(sampleIntervalMs));
  } else delete env[PROBE_FD_ENV];
  return env;
}

export function spawnMeasured(o: SpawnMeasuredOptions): MeasuredChild {
  const stdio: ('ignore' | 'pipe')[] = ['ignore', o.readStdout ? 'pipe' : 'ignore', 'pipe'];
  if (o.probe) stdio.push('pipe');
  const env = measuredEnv(o.env ?? process.env, o.probe === true, o.sampleIntervalMs);
  const child = spawn(o.command, [...o.args], { cwd: o.cwd, env, stdio, detached: true });
  const probeStream = o.probe ? (child.stdio[3] as NodeJS.ReadableStream) : undefined;
  return {
    child,
    probeStream,
    killGroup: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    },
  };
}

/**
 * Calls `onLine` for each line of a text stream, the last one too when it has no newline. A line
 * longer than 4 KiB still unfinished is dropped (no line the harness reads is long: `restic cat
 * blob` prints a whole tree on one).
 */
export function onLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop() ?? '';
    if (partial.length > 4096) partial = '';
    for (const line of lines) onLine(line);
  });
  stream.once('end', () => {
    if (partial !== '') onLine(partial);
  });
}
