/**
 * The backup inputs restic reads from files (cmd_backup.go, 0.14): exclude pattern files
 * (--exclude-file, --iexclude-file), target lists (--files-from with comments and globs,
 * --files-from-verbatim, --files-from-raw with NUL-terminated names; `-` is stdin), sizes
 * (--exclude-larger-than 1K/2M/3G/4T) and the snapshot time (--time "2006-01-02 15:04:05", local).
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compilePatterns } from '@highwater/engine';
import { CliError, EXIT } from '../cli-error.js';

function readText(file: string, flag: string, stdin: () => Buffer): Buffer {
  try {
    return file === '-' ? stdin() : readFileSync(file);
  } catch (err) {
    throw new CliError(`${flag}: cannot read ${file}: ${(err as Error).message}`, EXIT.fatal);
  }
}

/** Lines of a pattern file: trimmed, without empty lines and `#` comments, $VARS expanded. */
export function readPatternFiles(files: readonly string[], flag: string, env: NodeJS.ProcessEnv, stdin: () => Buffer): string[] {
  const out: string[] = [];
  for (const f of files) {
    for (const raw of readText(f, flag, stdin).toString('utf8').split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      out.push(expandEnv(line, env));
    }
  }
  return out;
}

/** Go's os.ExpandEnv: $NAME and ${NAME}; unset names expand to "". */
function expandEnv(s: string, env: NodeJS.ProcessEnv): string {
  return s.replace(/\$\{([^}]*)\}|\$([A-Za-z0-9_]+)/g, (_m, a: string | undefined, b: string | undefined) => env[a ?? b ?? ''] ?? '');
}

export interface TargetLists {
  readonly filesFrom: readonly string[];
  readonly filesFromVerbatim: readonly string[];
  readonly filesFromRaw: readonly string[];
}

/**
 * The targets named in files, before the command line's (restic's order). --files-from lines are
 * trimmed, comments skipped and globs expanded (a glob matching nothing is warned about and skipped).
 */
export function readTargetLists(o: TargetLists, ctx: { cwd: string; stdin: () => Buffer; warn: (line: string) => void }): string[] {
  const out: string[] = [];
  for (const f of o.filesFrom) {
    for (const raw of readText(f, '--files-from', ctx.stdin).toString('utf8').split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const expanded = glob(line, ctx.cwd);
      if (expanded.length === 0) ctx.warn(`pattern ${JSON.stringify(line)} does not match any files, skipping`);
      out.push(...expanded);
    }
  }
  for (const f of o.filesFromVerbatim) {
    for (const line of readText(f, '--files-from-verbatim', ctx.stdin).toString('utf8').split('\n')) if (line !== '') out.push(line);
  }
  for (const f of o.filesFromRaw) {
    const text = readText(f, '--files-from-raw', ctx.stdin).toString('utf8');
    if (text === '') continue;
    if (!text.endsWith('\0')) throw new CliError('--files-from-raw: trailing zero byte missing', EXIT.fatal);
    for (const name of text.slice(0, -1).split('\0')) {
      if (name === '') throw new CliError('--files-from-raw: empty filename in listing', EXIT.fatal);
      out.push(name);
    }
  }
  return out;
}

const META = /[*?[\\]/;

/** Go's filepath.Glob: `*`, `?`, `[...]` within one component; no match gives []; a plain path gives itself if it exists. */
export function glob(pattern: string, cwd: string): string[] {
  if (!META.test(pattern)) return exists(pattern.startsWith('/') ? pattern : join(cwd, pattern)) ? [pattern] : [];
  const absolute = pattern.startsWith('/');
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  let current = [absolute ? '/' : ''];
  for (const part of parts.slice(absolute ? 1 : 0)) {
    const next: string[] = [];
    for (const base of current) {
      if (!META.test(part)) {
        const p = base === '' ? part : base === '/' ? `/${part}` : `${base}/${part}`;
        if (exists(p.startsWith('/') ? p : join(cwd, p))) next.push(p);
        continue;
      }
      const m = compilePatterns([`/${part}`]);
      let names: string[];
      try {
        names = readdirSync(base === '' ? cwd : base.startsWith('/') ? base : join(cwd, base)).sort();
      } catch {
        continue;
      }
      for (const n of names) if (m.matches(`/${n}`)) next.push(base === '' ? n : base === '/' ? `/${n}` : `${base}/${n}`);
    }
    current = next;
  }
  return current.filter((p) => p !== '' && p !== '/');
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** restic's ParseBytes: a number with an optional k/K, m/M, g/G, t/T suffix (powers of 1024). */
export function parseSize(s: string, flag: string): number {
  const m = /^\s*(\d+)\s*([kKmMgGtT]?)\s*$/.exec(s);
  if (m === null) throw new CliError(`${flag}: expected a size such as 500, 10K, 2M, 1G or 1T, got ${JSON.stringify(s)}`, EXIT.fatal);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const n = Number(m[1]) * unit;
  if (!Number.isSafeInteger(n)) throw new CliError(`${flag}: ${JSON.stringify(s)} is too large`, EXIT.fatal);
  return n;
}

/** --time: "2006-01-02 15:04:05" in local time, as restic. */
export function parseTime(s: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s.trim());
  const d = m === null ? undefined : new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (d === undefined || Number.isNaN(d.getTime()) || d.getMonth() !== Number(m![2]) - 1 || d.getDate() !== Number(m![3])) {
    throw new CliError(`--time: expected a time as "2006-01-02 15:04:05" (local time), got ${JSON.stringify(s)}`, EXIT.fatal);
  }
  return d;
}
