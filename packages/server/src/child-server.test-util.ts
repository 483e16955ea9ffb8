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
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
}

/** Starts the no-auth server over `dir` in a child process (port 0: any free port). */
export async function startChildServer(dir: string, port = 0): Promise<ChildServer> {
  const child = spawn(process.execPath, [SCRIPT, dir, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const got = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`child server exited early (${code})`)));
  });
  return {
    child,
    port: got,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
