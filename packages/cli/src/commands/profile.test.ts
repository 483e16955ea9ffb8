import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findProfiles, renderHtml, readResultFile, type ProfileManifest } from '@highwater/report';
import { requirePeer } from '../../../../scripts/peers.js';
import type { Io } from '../io.js';
import { run } from '../run.js';
import { profileCommand } from './profile.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const hasRestic = requirePeer('restic');
/** Clinic.js is optional for users (unmaintained; never a dependency), a peer for the tests. */
const hasClinic = requirePeer('clinic');

function io(env: NodeJS.ProcessEnv = {}): Io & { err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let e = '';
  stdout.resume();
  stderr.on('data', (d) => (e += d));
  return { stdout, stderr, stdin: new PassThrough(), env: { PATH: process.env.PATH, ...env }, cwd: ROOT, err: () => e };
}

describe('highwater profile: bad input', () => {
  it('says how to install clinic when it is missing, exit 2', async () => {
    const i = io({ PATH: '/nonexistent' });
    const code = await run(['profile', 'check', '--tool', 'clinic-doctor', '--out', mkdtempSync(join(tmpdir(), 'hw-prof-'))], i, [profileCommand]);
    expect(code).toBe(2);
    expect(i.err()).toMatch(/clinic is not installed: npm install -g clinic/);
  });
  it('rejects --heap-snapshot-at with clinic, exit 2', async () => {
    const i = io();
    const code = await run(['profile', 'check', '--tool', 'clinic-heapprofiler', '--heap-snapshot-at', 'load-index'], i, [profileCommand]);
    expect(code).toBe(2);
    expect(i.err()).toMatch(/--heap-snapshot-at works with --tool sampling only/);
  });
});

// Spawns the built CLI (packages/cli/dist, report/dist): `npm test` builds first.
describe.skipIf(!hasRestic)('highwater profile: a real operation', () => {
  it('writes a sampling heap profile, the phase events and a heap snapshot at the end of a phase, linked from a report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-prof-'));
    const src = join(dir, 'src');
    mkdirSync(src);
    for (let k = 0; k < 50; k++) writeFileSync(join(src, `f${k}`), `file ${k}\n`);
    const repo = join(dir, 'repo');
    const env = { ...process.env, RESTIC_PASSWORD: 'pw' };
    execFileSync('restic', ['init', '-q', '-r', repo], { env });
    execFileSync('restic', ['backup', '-q', '-r', repo, src], { env });
    const out = join(dir, 'report', 'profiles', 'check');
    const i = io({ RESTIC_PASSWORD: 'pw' });
    const code = await run(['profile', 'check', '--out', out, '--heap-snapshot-at', 'load-index', '--', '-r', repo], i, [profileCommand]);
    expect(i.err()).toContain('profile.json');
    expect(code).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8')) as ProfileManifest;
    expect(m.command).toEqual(['check', '-r', repo]);
    expect(m.exitCode).toBe(0);
    expect(m.files.map((f) => f.path).sort()).toEqual(['load-index.heapsnapshot', 'phases.jsonl', 'sampling.heapprofile']);
    expect(m.notes).toEqual([]);
    expect(m.topAllocations.length).toBeGreaterThan(0);
    const snap = JSON.parse(readFileSync(join(out, 'load-index.heapsnapshot'), 'utf8')) as { snapshot: { node_count: number } };
    expect(snap.snapshot.node_count).toBeGreaterThan(1000);
    const phases = readFileSync(join(out, 'phases.jsonl'), 'utf8');
    expect(phases).toMatch(/"type":"end"[^\n]*"phase":"load-index"/);
    // a report beside it links the files
    const html = renderHtml(readResultFile(join(ROOT, 'fixtures/results/prune-packed-0.01.json')), { chartJs: '', profiles: findProfiles(join(dir, 'report')) });
    expect(html).toContain('href="profiles/check/load-index.heapsnapshot"');
    expect(html).toContain('href="profiles/check/sampling.heapprofile"');
    expect(existsSync(join(out, 'sampling.heapprofile'))).toBe(true);
  });

  it('notes a phase that never ended and passes the child\'s exit code through', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hw-prof-'));
    // a leftover of an earlier run must not pass for this run's snapshot
    writeFileSync(join(out, 'no-such-phase.heapsnapshot'), '{}');
    const i = io({ RESTIC_PASSWORD: 'pw' });
    const code = await run(['profile', 'check', '--out', out, '--heap-snapshot-at', 'no-such-phase', '--', '-r', join(out, 'missing-repo')], i, [profileCommand]);
    expect(code).not.toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8')) as ProfileManifest;
    expect(m.exitCode).toBe(code);
    expect(m.notes.join('\n')).toMatch(/no heap snapshot: phase "no-such-phase" never ended/);
    expect(m.files.map((f) => f.path)).not.toContain('no-such-phase.heapsnapshot');
  });
});

describe.skipIf(!hasRestic || !hasClinic)('highwater profile --tool clinic-*', () => {
  it('runs Clinic.js with stdin closed and links its HTML report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-prof-'));
    const repo = join(dir, 'repo');
    const env = { ...process.env, RESTIC_PASSWORD: 'pw' };
    execFileSync('restic', ['init', '-q', '-r', repo], { env });
    execFileSync('restic', ['backup', '-q', '-r', repo, fileURLToPath(new URL('.', import.meta.url))], { env });
    const out = join(dir, 'clinic');
    const i = io({ RESTIC_PASSWORD: 'pw' });
    const code = await run(['profile', 'check', '--tool', 'clinic-heapprofiler', '--out', out, '--', '-r', repo], i, [profileCommand]);
    expect(code).toBe(0);
    const m = JSON.parse(readFileSync(join(out, 'profile.json'), 'utf8')) as ProfileManifest;
    expect(m.notes).toEqual([]);
    expect(m.files).toHaveLength(1);
    expect(m.files[0]!.path).toMatch(/^\d+\.clinic-heapprofiler\.html$/);
  });
});

describe('profile manifests', () => {
  it('never record a password command', async () => {
    const { redact } = await import('./profile.js');
    expect(redact(['check', '-r', 'x', '--password-command', 'echo secret', '--password-command=pass show x'])).toEqual(['check', '-r', 'x', '--password-command', '(redacted)', '--password-command=(redacted)']);
  });
});
