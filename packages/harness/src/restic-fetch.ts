import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCacheLock } from './cache-lock.js';
import { HarnessError } from './errors.js';

/** Debian's architecture names for the builds the harness runs. */
export type DebArch = 'amd64' | 'armhf' | 'arm64';

/**
 * The restic versions `--engine restic@VERSION` fetches, each from the Debian suite that serves it.
 * `sid` moves: what it serves is checked after the download (a 0.20 there is UNKNOWN_VERSION for 0.19).
 */
export const RESTIC_SUITES: Readonly<Record<string, string>> = { '0.14': 'bookworm', '0.18': 'trixie', '0.19': 'sid' };

export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

export interface FetchResticOptions {
  /** The project root: the cache is ROOT/.cache/restic/. */
  readonly root: string;
  /** `0.14`, `0.18`, `0.19`, or a full version of one of them (`0.14.0`). */
  readonly version: string;
  readonly debArch: DebArch;
  /** Default: HIGHWATER_DEBIAN_MIRROR, else the Debian mirror this machine's apt uses, else deb.debian.org. */
  readonly mirror?: string;
  readonly onProgress?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface FetchedRestic {
  /** The unpacked binary: ROOT/.cache/restic/<short>-<debArch>/usr/bin/restic. */
  readonly binary: string;
  /** `0.14`. */
  readonly short: string;
  readonly suite: string;
  readonly debArch: DebArch;
  /** The Debian package version, e.g. `0.14.0-1+b5`. */
  readonly debVersion: string;
}

/** `0.14.0` -> `0.14`; an unknown version is UNKNOWN_VERSION naming the known ones. */
export function resticShortVersion(version: string): string {
  const m = /^(\d+\.\d+)(?:\.\d+)?$/.exec(version);
  const short = m?.[1];
  if (short === undefined || RESTIC_SUITES[short] === undefined) {
    const known = Object.entries(RESTIC_SUITES).map(([v, s]) => `${v} (${s})`).join(', ');
    throw new HarnessError('UNKNOWN_VERSION', `unknown restic version '${version}': expected ${known}`);
  }
  return short;
}

/** The first Debian archive URI in this machine's apt sources (deb822 or one-line), else deb.debian.org. */
export function systemDebianMirror(etc = '/etc/apt'): string {
  const files = [join(etc, 'sources.list')];
  try {
    for (const f of readdirSync(join(etc, 'sources.list.d')).sort()) files.push(join(etc, 'sources.list.d', f));
  } catch {
    // no sources.list.d
  }
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/(?:^URIs:\s*|^deb\s+(?:\[[^\]]*\]\s+)?)(\S+)/gm)) {
      const uri = m[1]!.replace(/\/$/, '');
      if (/^https?:\/\/[^/]+\/debian$/.test(uri)) return uri;
    }
  }
  return DEFAULT_MIRROR;
}

const cacheDir = (root: string): string => join(root, '.cache', 'restic');

/** Where a fetched build lives (whether or not it is there yet). */
export function resticBuildDir(root: string, short: string, debArch: DebArch): string {
  return join(cacheDir(root), `${short}-${debArch}`);
}

/**
 * restic `version` from Debian's archive for one architecture, cached: `apt-get update` then
 * `apt-get download` against a private sources list, lists folder and package cache per suite
 * (nothing of the system's apt state is read or changed), unpacked with `dpkg-deb -x` into a
 * temporary directory renamed into place. Never installed. Quick when cached. Errors:
 * UNKNOWN_VERSION (not one of RESTIC_SUITES, or the suite serves another version),
 * ARCHIVE_UNREACHABLE (apt-get could not read the suite's package list), ENGINE_MISSING (no
 * apt-get or dpkg-deb here). A file: mirror (tests) is trusted without a signature.
 */
export async function fetchRestic(o: FetchResticOptions): Promise<FetchedRestic> {
  const short = resticShortVersion(o.version);
  const suite = RESTIC_SUITES[short]!;
  const dir = resticBuildDir(o.root, short, o.debArch);
  const binary = join(dir, 'usr', 'bin', 'restic');
  const result = (): FetchedRestic => ({ binary, short, suite, debArch: o.debArch, debVersion: readDebVersion(dir) });
  if (existsSync(binary)) return result();
  for (const tool of ['apt-get', 'dpkg-deb']) {
    if (!onPath(tool)) throw new HarnessError('ENGINE_MISSING', `--engine restic@${o.version} needs ${tool} to fetch restic from Debian's archive, and it is not installed`);
  }
  mkdirSync(cacheDir(o.root), { recursive: true });
  await withCacheLock(`${dir}.lock`, async () => {
    if (existsSync(binary)) return;
    const mirror = o.mirror ?? process.env.HIGHWATER_DEBIAN_MIRROR ?? systemDebianMirror();
    o.onProgress?.(`fetching restic ${short} (${suite}, ${o.debArch}) from ${mirror} with apt-get download`);
    const apt = aptOptions(o.root, suite, o.debArch, mirror);
    run('apt-get', [...apt, '-q', 'update'], `cannot read ${suite}'s package list for ${o.debArch} from ${mirror}: apt-get update`);
    const lists = join(cacheDir(o.root), 'apt', `${suite}-${o.debArch}`, 'lists');
    const hasList = existsSync(lists) && readdirSync(lists).some((f) => f.includes(`_binary-${o.debArch}_Packages`));
    if (!hasList) {
      throw new HarnessError('ARCHIVE_UNREACHABLE', `cannot read ${suite}'s package list for ${o.debArch} from ${mirror}: ${lastAptError}`);
    }
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    try {
      run('apt-get', [...apt, '-q', 'download', 'restic'], `apt-get download restic (${o.debArch}) from ${suite}`, tmp, 'UNKNOWN_VERSION');
      const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'));
      if (deb === undefined) throw new HarnessError('UNKNOWN_VERSION', `${suite} at ${mirror} serves no restic for ${o.debArch}`);
      const debVersion = /^restic_([^_]+)_/.exec(deb)?.[1] ?? 'unknown';
      if (!debVersion.startsWith(`${short}.`)) {
        throw new HarnessError('UNKNOWN_VERSION', `restic ${short} is not in the archive any more: ${suite} serves restic ${debVersion} (use --engine-binary for another build)`);
      }
      run('dpkg-deb', ['-x', join(tmp, deb), tmp], `dpkg-deb -x ${deb}`);
      rmSync(join(tmp, deb));
      writeFileSync(join(tmp, 'debian-version'), `${debVersion}\n`);
      if (!existsSync(join(tmp, 'usr', 'bin', 'restic'))) throw new HarnessError('UNKNOWN_VERSION', `the package ${deb} holds no usr/bin/restic`);
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    o.onProgress?.(`fetched restic ${readDebVersion(dir)} (${o.debArch}) into ${dir}`);
  }, { onWait: (pid) => o.onProgress?.(`waiting for process ${pid}, which is fetching restic ${short} (${o.debArch})`), ...(o.signal ? { signal: o.signal } : {}) });
  return result();
}

let lastAptError = '';

/** apt-get options that point every piece of state at a private folder per suite and architecture. */
function aptOptions(root: string, suite: string, debArch: DebArch, mirror: string): string[] {
  const base = join(cacheDir(root), 'apt', `${suite}-${debArch}`);
  for (const d of ['lists/partial', 'cache/archives/partial']) mkdirSync(join(base, d), { recursive: true });
  const trust = mirror.startsWith('file:') ? '[trusted=yes]' : existsSync(KEYRING) ? `[signed-by=${KEYRING}]` : '';
  writeFileSync(join(base, 'sources.list'), `deb ${trust} ${mirror} ${suite} main\n`);
  writeFileSync(join(base, 'status'), '');
  return [
    '-o', `Dir::Etc::SourceList=${join(base, 'sources.list')}`,
    '-o', 'Dir::Etc::SourceParts=/dev/null',
    '-o', `Dir::State::Lists=${join(base, 'lists')}`,
    '-o', `Dir::State::status=${join(base, 'status')}`,
    '-o', `Dir::Cache=${join(base, 'cache')}`,
    '-o', 'Dir::Etc::Preferences=/dev/null',
    '-o', 'Dir::Etc::PreferencesParts=/dev/null',
    '-o', `APT::Architecture=${debArch}`,
    '-o', `APT::Architectures::=${debArch}`,
    '-o', 'Acquire::Languages=none',
    '-o', 'APT::Sandbox::User=root',
  ];
}

function run(cmd: string, args: string[], what: string, cwd?: string, code: 'UNKNOWN_VERSION' | 'ARCHIVE_UNREACHABLE' = 'ARCHIVE_UNREACHABLE'): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').map((l) => l.trim());
  // apt-get update exits 0 when a source is unreachable: its "Err:" line is followed by the reason.
  const err = lines.findIndex((l) => l.startsWith('Err:'));
  lastAptError = err >= 0 && lines[err + 1] ? lines[err + 1]! : (lines.find((l) => /^[WE]: /.test(l))?.slice(3) ?? 'apt-get fetched no package list');
  if (r.error !== undefined || r.status !== 0) {
    const why = lines.find((l) => l.startsWith('E: '))?.slice(3) ?? r.error?.message ?? `exit code ${r.status}`;
    throw new HarnessError(code, `${what} failed: ${why}`, { cause: r.error });
  }
}

function readDebVersion(dir: string): string {
  try {
    return readFileSync(join(dir, 'debian-version'), 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d !== '' && existsSync(join(d, cmd)));
}
