import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchRestic, resticShortVersion, systemDebianMirror } from './restic-fetch.js';
import { runReplay } from './replay.js';

const onPath = (cmd: string): boolean => (process.env.PATH ?? '').split(':').some((d) => d !== '' && existsSync(join(d, cmd)));
const realRestic = (process.env.PATH ?? '').split(':').map((d) => join(d, 'restic')).find((f) => existsSync(f));

/**
 * A local Debian archive (a file: apt source) of .deb files built here with dpkg-deb -b:
 * bookworm serves restic 0.14.0 (the real binary on PATH when there is one, else a script that
 * answers `version` like it), trixie serves 0.17.0 (not the 0.18 the harness asks trixie for).
 */
function buildArchive(dir: string): void {
  const pkg = (suite: string, debVersion: string, content: (bin: string) => void): void => {
    const tree = join(dir, 'build', `${suite}-${debVersion}`);
    mkdirSync(join(tree, 'DEBIAN'), { recursive: true });
    mkdirSync(join(tree, 'usr', 'bin'), { recursive: true });
    content(join(tree, 'usr', 'bin', 'restic'));
    const control = `Package: restic\nVersion: ${debVersion}\nArchitecture: amd64\nMaintainer: highwater tests <tests@highwater.invalid>\nDescription: restic for the fetch test\n`;
    writeFileSync(join(tree, 'DEBIAN', 'control'), control);
    const rel = `pool/restic_${debVersion}_amd64.deb`;
    mkdirSync(join(dir, 'pool'), { recursive: true });
    execFileSync('dpkg-deb', ['-Znone', '--root-owner-group', '-b', tree, join(dir, rel)], { stdio: 'ignore' });
    const deb = readFileSync(join(dir, rel));
    const lists = join(dir, 'dists', suite, 'main', 'binary-amd64');
    mkdirSync(lists, { recursive: true });
    writeFileSync(join(lists, 'Packages'), `${control.replace(/Description:.*\n/, '')}Filename: ${rel}\nSize: ${statSync(join(dir, rel)).size}\nSHA256: ${createHash('sha256').update(deb).digest('hex')}\nDescription: restic for the fetch test\n\n`);
  };
  const script = (version: string) => (bin: string): void => {
    writeFileSync(bin, `#!/bin/sh\necho "restic ${version} compiled with go1.19.8 on linux/amd64"\n`);
    chmodSync(bin, 0o755);
  };
  pkg('bookworm', '0.14.0-1+test', realRestic ? (bin) => copyFileSync(realRestic, bin) : script('0.14.0'));
  pkg('trixie', '0.17.0-1', script('0.17.0'));
}

const canFetch = onPath('apt-get') && onPath('dpkg-deb') && process.arch === 'x64';
if (!canFetch && process.env.CI) throw new Error('the fetch tests need apt-get and dpkg-deb on an x64 Debian host (CI is set, so they fail instead of skipping)');

describe.skipIf(!canFetch)('fetching restic from a Debian archive (a local file: archive)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hw-fetch-'));
  const archive = join(tmp, 'archive');
  const mirror = `file:${archive}`;
  beforeAll(() => buildArchive(archive), 60_000);

  it('downloads, unpacks into .cache/restic/<version>-<arch>/ and then uses the cache', async () => {
    const root = join(tmp, 'root1');
    const lines: string[] = [];
    const f = await fetchRestic({ root, version: '0.14', debArch: 'amd64', mirror, onProgress: (l) => lines.push(l) });
    expect(f.binary).toBe(join(root, '.cache', 'restic', '0.14-amd64', 'usr', 'bin', 'restic'));
    expect(f.debVersion).toBe('0.14.0-1+test');
    expect(f.suite).toBe('bookworm');
    expect(execFileSync(f.binary, ['version'], { encoding: 'utf8' })).toMatch(/^restic 0\.14\.0/);
    expect(lines.join('\n')).toMatch(/apt-get download/);
    // No .deb, temporary folder or system apt state left: only the build and the private apt folders.
    expect(readdirSync(join(root, '.cache', 'restic')).sort()).toEqual(['0.14-amd64', 'apt']);
    const again: string[] = [];
    await fetchRestic({ root, version: '0.14.0', debArch: 'amd64', mirror: 'file:/nonexistent', onProgress: (l) => again.push(l) });
    expect(again).toEqual([]);
  }, 60_000);

  it('an unknown version names the known ones', async () => {
    expect(() => resticShortVersion('0.16')).toThrow(/unknown restic version '0\.16': expected 0\.14 \(bookworm\), 0\.18 \(trixie\), 0\.19 \(sid\)/);
    await expect(fetchRestic({ root: join(tmp, 'root2'), version: 'latest', debArch: 'amd64', mirror })).rejects.toMatchObject({ code: 'UNKNOWN_VERSION' });
  });

  it('a version the archive does not serve (trixie serves another)', async () => {
    const root = join(tmp, 'root3');
    await expect(fetchRestic({ root, version: '0.18', debArch: 'amd64', mirror })).rejects.toMatchObject({ code: 'UNKNOWN_VERSION', message: expect.stringMatching(/trixie serves restic 0\.17\.0-1/) });
    expect(existsSync(join(root, '.cache', 'restic', '0.18-amd64'))).toBe(false);
  }, 60_000);

  it('an unreachable archive', async () => {
    const root = join(tmp, 'root4');
    await expect(fetchRestic({ root, version: '0.14', debArch: 'amd64', mirror: `file:${join(tmp, 'no-archive-here')}` })).rejects.toMatchObject({ code: 'ARCHIVE_UNREACHABLE', message: expect.stringMatching(/cannot read bookworm's package list for amd64/) });
    await expect(fetchRestic({ root, version: '0.14', debArch: 'amd64', mirror: 'http://archive.highwater.invalid/debian' })).rejects.toMatchObject({ code: 'ARCHIVE_UNREACHABLE' });
    expect(existsSync(join(root, '.cache', 'restic', '0.14-amd64'))).toBe(false);
  }, 60_000);

  it('replays with the fetched build and records version, suite, arch and the SHA-256', async () => {
    if (!realRestic) return; // the archive serves a script, not restic: nothing to replay
    const root = join(tmp, 'root1'); // fetched above
    const repo = join(tmp, 'repo');
    const pw = join(tmp, 'pw');
    writeFileSync(pw, 'fetch-test\n');
    execFileSync(realRestic, ['init', '-r', repo, '--password-file', pw, '-q'], { stdio: 'ignore' });
    const [r] = await runReplay({ op: 'check', engine: 'restic@0.14', repo, passwordFile: pw, root, debianMirror: mirror });
    expect(r!.status).toBe('ok');
    expect(r!.engine).toBe('restic@0.14');
    const bin = join(root, '.cache', 'restic', '0.14-amd64', 'usr', 'bin', 'restic');
    expect(r!.env.restic).toEqual({
      version: '0.14.0',
      versionOutput: expect.stringMatching(/^restic 0\.14\.0 compiled with/),
      suite: 'bookworm',
      debVersion: '0.14.0-1+test',
      arch: 'amd64',
      binary: bin,
      sha256: createHash('sha256').update(readFileSync(bin)).digest('hex'),
    });
    expect(r!.phases.map((p) => p.name)).toEqual(['open', 'load-index', 'check-packs', 'walk-trees']);
  }, 60_000);
});

describe('the Debian mirror this machine uses', () => {
  it('reads deb822 and one-line sources, skipping security and other archives', () => {
    const etc = mkdtempSync(join(tmpdir(), 'hw-apt-'));
    mkdirSync(join(etc, 'sources.list.d'));
    writeFileSync(join(etc, 'sources.list.d', 'a.list'), 'deb https://packages.example.com/apt stable main\n');
    writeFileSync(join(etc, 'sources.list.d', 'debian.sources'), 'Types: deb\nURIs: http://mirror.example.org/debian-security\n\nTypes: deb\nURIs: http://mirror.example.org/debian/\nSuites: bookworm\n');
    expect(systemDebianMirror(etc)).toBe('http://mirror.example.org/debian');
    expect(systemDebianMirror(join(etc, 'none'))).toBe('http://deb.debian.org/debian');
  });
});
