import { ServerError } from './http-error.js';

/**
 * Parses a listen address as rest-server's --listen takes it: `:8000` (all interfaces),
 * `127.0.0.1:8000`, `[::1]:8000`, `localhost:0`, or a bare port number.
 */
export function parseListen(addr: string | number): { host: string | undefined; port: number } {
  if (typeof addr === 'number') return { host: undefined, port: checkPort(addr, String(addr)) };
  const m = /^(?:\[([^\]]+)\]|([^:]*))?:(\d+)$/.exec(addr.trim());
  if (m === null) {
    if (/^\d+$/.test(addr.trim())) return { host: undefined, port: checkPort(Number(addr), addr) };
    throw new ServerError('INVALID_LISTEN', `invalid listen address ${JSON.stringify(addr)}: expected host:port, :port or [ipv6]:port`);
  }
  const host = m[1] ?? (m[2] === '' ? undefined : m[2]);
  return { host, port: checkPort(Number(m[3]), addr) };
}

function checkPort(port: number, addr: string): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ServerError('INVALID_LISTEN', `invalid listen address ${JSON.stringify(addr)}: port must be 0-65535`);
  return port;
}
