/**
 * What backup leaves out, as restic 0.14's cmd_backup.go collectRejectByNameFuncs and
 * collectRejectFuncs: exclude patterns (--exclude, --exclude-file), case-insensitive ones
 * (--iexclude, --iexclude-file: pattern and path compared in lower case), the contents of folders
 * holding a marker file (--exclude-if-present NAME[:HEADER], --exclude-caches: the folder and the
 * marker itself are kept, as restic 0.14's isExcludedByFile does), files larger than a size
 * (--exclude-larger-than), and other file systems (--one-file-system). Paths are absolute.
 *
 * Memory: the compiled patterns, one device id per target, the marker answers of up to 1,000 folders.
 */
import { closeSync, lstatSync, openSync, readSync, type BigIntStats } from 'node:fs';
import { dirname, join } from 'node:path';
import { EngineError } from './errors.js';
import { compilePatterns } from './path-patterns.js';

/** The tag restic's --exclude-caches looks for (https://bford.info/cachedir/). */
export const CACHEDIR_TAG = 'CACHEDIR.TAG:Signature: 8a477f597d28d172789f06886806bc55';

export interface BackupFilterOptions {
  readonly excludes?: readonly string[];
  readonly iexcludes?: readonly string[];
  /** `NAME` or `NAME:HEADER`: the entries of a folder holding a file NAME (starting with HEADER) are left out, NAME itself kept. */
  readonly excludeIfPresent?: readonly string[];
  /** Files larger than this many bytes are left out. */
  readonly excludeLargerThan?: number;
  /** Stay on the file system of each target (mount points are kept, empty). */
  readonly oneFileSystem?: boolean;
  /** The targets (absolute), for oneFileSystem. */
  readonly targets?: readonly string[];
}

export interface BackupFilter {
  /** Left out by its path alone (before lstat). */
  byName(path: string): boolean;
  /** Left out by what lstat says (after byName). */
  byStat(path: string, st: BigIntStats): boolean;
  /** A directory whose entries are all left out (a mount point with --one-file-system). */
  emptyDir(path: string, st: BigIntStats): boolean;
}

export function createBackupFilter(o: BackupFilterOptions): BackupFilter {
  const excludes = compilePatterns(o.excludes ?? []);
  const iexcludes = compilePatterns((o.iexcludes ?? []).map((p) => p.toLowerCase()));
  const markers = (o.excludeIfPresent ?? []).map(parseMarker);
  const limit = o.excludeLargerThan;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) throw new RangeError(`expected excludeLargerThan >= 0, got ${limit}`);
  // Allowed devices: each target's own, and those of the folders leading to it (restic's rejectByDevice).
  const allowed = new Map<string, bigint>();
  if (o.oneFileSystem) {
    for (const t of o.targets ?? []) {
      for (let p = t; ; p = dirname(p)) {
        try {
          allowed.set(p, lstatSync(p, { bigint: true }).dev);
        } catch {
          // missing targets are reported elsewhere
        }
        if (p === dirname(p)) break;
      }
    }
  }
  const marked = new Map<string, boolean>();
  const inMarkedDir = (path: string): boolean => {
    const dir = dirname(path);
    const base = path.slice(dir === '/' ? 1 : dir.length + 1);
    if (markers.some((m) => m.name === base)) return false; // the marker itself stays
    let v = marked.get(dir);
    if (v === undefined) {
      if (marked.size >= 1000) marked.clear();
      v = markers.some((m) => hasMarker(dir, m));
      marked.set(dir, v);
    }
    return v;
  };
  const deviceOf = (path: string): bigint | undefined => {
    for (let p = path; ; p = dirname(p)) {
      const d = allowed.get(p);
      if (d !== undefined) return d;
      if (p === dirname(p)) return undefined;
    }
  };
  return {
    byName(path: string): boolean {
      if (!excludes.empty && excludes.matches(path)) return true;
      if (!iexcludes.empty && iexcludes.matches(path.toLowerCase())) return true;
      return markers.length > 0 && inMarkedDir(path);
    },
    byStat(path: string, st: BigIntStats): boolean {
      if (limit !== undefined && st.isFile() && st.size > BigInt(limit)) return true;
      if (o.oneFileSystem && !st.isDirectory()) {
        const parent = deviceOf(dirname(path));
        if (parent !== undefined && st.dev !== parent && !allowed.has(path)) return true;
      }
      return false;
    },
    emptyDir(path: string, st: BigIntStats): boolean {
      if (!o.oneFileSystem || allowed.has(path)) return false;
      const parent = deviceOf(dirname(path));
      return parent !== undefined && st.dev !== parent;
    },
  };
}

interface Marker {
  readonly name: string;
  readonly header: Buffer | undefined;
}

function parseMarker(spec: string): Marker {
  const colon = spec.indexOf(':');
  const name = colon < 0 ? spec : spec.slice(0, colon);
  if (name === '' || name.includes('/')) throw new EngineError('BAD_PATTERN', `--exclude-if-present: expected a file name, optionally with :HEADER, got ${JSON.stringify(spec)}`);
  return { name, header: colon < 0 ? undefined : Buffer.from(spec.slice(colon + 1)) };
}

function hasMarker(dir: string, m: Marker): boolean {
  const file = join(dir, m.name);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    if (m.header === undefined) return true;
    const buf = Buffer.alloc(m.header.length);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return n === buf.length && buf.equals(m.header);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
