import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./child-server.test-util.mjs', import.meta.url));

/** Builds packages/server (incremental): the child runs dist/. */
export function buildServer(): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(`${ROOT}node_modules/.bin/tsc`, ['-b', 'packages/server'], { cwd: ROOT }, (err, out) => (err ? reject(new Error(`tsc -b packages/server failed: ${out}`)) : resolve())),
  );
}

export interface ChildServer {
  readonly child: ChildProcess;
  readonly port: number;
  /** The exit code or signal once the child has exited on its own (a crash), else undefined. */
  exited(): string | undefined;
  /** What the child wrote to stderr (first 64 KiB). */
  stderr(): string;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

/** Starts the no-auth server over `dir` in a child process (port 0: any free port). */
export async function startChildServer(dir: string, port = 0, maxRequestBytes?: number): Promise<ChildServer> {
  const args = [SCRIPT, dir, String(port), ...(maxRequestBytes === undefined ? [] : [String(maxRequestBytes)])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += d.toString();
  });
  let exit: string | undefined;
  const exited = new Promise<void>((r) =>
    child.once('exit', (code, signal) => {
      exit = `exit ${code ?? signal}`;
      r();
    }),
  );
  const got = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`child server exited early (${code})`)));
  });
  return {
    child,
    port: got,
    exited: () => exit,
    stderr: () => stderr,
    async kill() {
      if (exit !== undefined) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
