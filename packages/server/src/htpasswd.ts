import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import bcrypt from 'bcryptjs';
import { ServerError } from './http-error.js';

export interface HtpasswdOptions {
  readonly file: string;
  /** How often at most the file is checked for changes (default 30 s, as rest-server). */
  readonly checkIntervalMs?: number;
  /** How long a verified password is remembered (default 60 s, as rest-server). */
  readonly cacheMs?: number;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

/** Letters, digits, @ . _ - (rest-server's validUsernameRegexp); other names are ignored. */
const USER = /^[\p{L}\d@._-]+$/u;

/**
 * Users and password hashes from an htpasswd file: bcrypt (`$2a$`, `$2b$`, `$2y$`) and `{SHA}`
 * entries, as rest-server accepts them. The file is re-read when its mtime or size changed
 * (checked at most every `checkIntervalMs`); a file that fails to re-read keeps the old users.
 * Verified passwords are cached as an HMAC under a per-process key, so bcrypt (~50-100 ms in
 * JavaScript) runs once per user per minute, not once per request.
 */
export class Htpasswd {
  private users = new Map<string, string>();
  private cache = new Map<string, { mac: Buffer; expires: number }>();
  private readonly key = randomBytes(32);
  private stamp = '';
  private lastCheck = 0;
  private readonly now: () => number;
  private readonly interval: number;
  private readonly cacheMs: number;

  constructor(private readonly opts: HtpasswdOptions) {
    this.now = opts.now ?? Date.now;
    this.interval = opts.checkIntervalMs ?? 30_000;
    this.cacheMs = opts.cacheMs ?? 60_000;
    this.reload();
    this.lastCheck = this.now();
  }

  get userCount(): number {
    return this.users.size;
  }

  /** Re-reads the file now; throws ServerError (and keeps the old users) when it cannot. */
  reload(): void {
    let text: string;
    let stamp: string;
    try {
      const st = statSync(this.opts.file);
      stamp = `${st.mtimeMs}:${st.size}`;
      text = readFileSync(this.opts.file, 'utf8');
    } catch (err) {
      throw new ServerError('HTPASSWD_MISSING', `cannot read htpasswd file ${this.opts.file}: ${(err as Error).message} (use --no-auth to disable authentication)`, { cause: err });
    }
    const users = new Map<string, string>();
    for (const [i, raw] of text.split(/\r?\n/).entries()) {
      const line = raw.trimStart();
      if (line === '' || line.startsWith('#')) continue;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new ServerError('HTPASSWD_INVALID', `${this.opts.file}:${i + 1}: expected user:hash`);
      const user = line.slice(0, colon);
      const hash = line.slice(colon + 1).trim();
      if (!USER.test(user)) {
        this.opts.log?.(`ignoring user ${JSON.stringify(user)} in ${this.opts.file}: only letters, digits, @ . _ - are allowed`);
        continue;
      }
      users.set(user, hash);
    }
    this.users = users;
    this.cache.clear();
    this.stamp = stamp;
  }

  /** True when `user` is listed with this password. Never throws. */
  async verify(user: string, password: string): Promise<boolean> {
    this.maybeReload();
    const hash = this.users.get(user);
    if (hash === undefined) return false;
    const mac = createHmac('sha256', this.key).update(`${user}:${password}`).digest();
    const hit = this.cache.get(user);
    if (hit !== undefined && hit.expires > this.now() && timingSafeEqual(hit.mac, mac)) return true;
    let ok = false;
    if (hash.startsWith('{SHA}')) {
      const want = Buffer.from(hash.slice(5));
      const got = Buffer.from(createHash('sha1').update(password).digest('base64'));
      ok = want.length === got.length && timingSafeEqual(want, got);
    } else if (/^\$2[aby]\$/.test(hash)) {
      ok = await bcrypt.compare(password, hash).catch(() => false);
    }
    if (!ok) return false;
    if (this.users.get(user) === hash) this.cache.set(user, { mac, expires: this.now() + this.cacheMs });
    return true;
  }

  private maybeReload(): void {
    const now = this.now();
    if (now - this.lastCheck < this.interval) return;
    this.lastCheck = now;
    try {
      const st = statSync(this.opts.file);
      if (`${st.mtimeMs}:${st.size}` === this.stamp) return;
      this.reload();
      this.opts.log?.(`reloaded htpasswd file ${this.opts.file}`);
    } catch (err) {
      this.opts.log?.(`could not reload htpasswd file: ${(err as Error).message}`);
    }
  }
}
