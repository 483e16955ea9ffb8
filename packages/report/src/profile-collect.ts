import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { topAllocations, type AllocationSite } from './heap-profile-summary.js';
import { heapSnapshotFile, PHASES_FILE, SAMPLING_PROFILE_FILE } from './profile-env.js';
import { PROFILE_KIND, PROFILE_MANIFEST, type ProfileManifest } from './profile-manifest.js';

export interface CollectProfileOptions {
  readonly dir: string;
  readonly tool: ProfileManifest['tool'];
  readonly command: readonly string[];
  readonly exitCode: number | null;
  readonly samplingIntervalBytes: number | null;
  readonly heapSnapshotAt: string | null;
  readonly includesCollected: boolean;
  readonly createdAt?: string;
  /** Epoch ms when the profiled run started: files older than this are leftovers and are ignored. */
  readonly since?: number;
}

/**
 * After a profiled run: finds what the child left in `dir` (sampling profile, phase events, heap
 * snapshot, Clinic.js output), summarises the sampling profile, and writes `profile.json` beside
 * them. Says in `notes` what was asked for and is missing, and why it may be.
 */
export function collectProfile(opts: CollectProfileOptions): ProfileManifest {
  const files: { label: string; path: string }[] = [];
  const notes: string[] = [];
  const since = opts.since ?? 0;
  const has = (f: string): boolean => {
    try {
      const st = statSync(join(opts.dir, f));
      // mtime has coarse resolution on some filesystems: allow one second
      return st.isFile() && st.mtimeMs >= since - 1000;
    } catch {
      return false;
    }
  };
  let top: AllocationSite[] = [];
  if (opts.tool === 'sampling') {
    if (has(SAMPLING_PROFILE_FILE)) {
      const what = opts.includesCollected ? 'allocations during the run, including collected ones' : 'memory still live at exit';
      files.push({ label: `sampling heap profile (${what}; open in Chrome DevTools > Memory)`, path: SAMPLING_PROFILE_FILE });
      try {
        top = topAllocations(JSON.parse(readFileSync(join(opts.dir, SAMPLING_PROFILE_FILE), 'utf8')));
      } catch (err) {
        notes.push(`the sampling profile could not be summarised: ${(err as Error).message}`);
      }
    } else {
      notes.push('no sampling heap profile: the process did not exit normally (killed by a signal or out of memory)');
    }
  }
  if (has(PHASES_FILE)) {
    const phases = readFileSync(join(opts.dir, PHASES_FILE), 'utf8').split('\n').filter((l) => l.includes('"type":"end"')).length;
    if (phases > 0) files.push({ label: `probe events (${phases} phase ends, JSON lines)`, path: PHASES_FILE });
    else notes.push('the operation reported no phases (no probe attached in that command)');
  }
  if (opts.heapSnapshotAt !== null) {
    const snap = heapSnapshotFile(opts.heapSnapshotAt);
    if (has(snap)) files.push({ label: `heap snapshot at the end of ${opts.heapSnapshotAt} (open in Chrome DevTools > Memory)`, path: snap });
    else notes.push(`no heap snapshot: phase "${opts.heapSnapshotAt}" never ended in this run (check the phase name, and that the operation marks phases)`);
  }
  if (opts.tool !== 'sampling') {
    for (const name of listDir(opts.dir)) {
      if (name.endsWith('.html') && has(name)) files.push({ label: `Clinic.js ${opts.tool.slice('clinic-'.length)} report`, path: name });
    }
    if (!files.some((f) => f.path.endsWith('.html'))) notes.push('Clinic.js wrote no HTML report (it is known to fail on some Node versions; see highwater profile --help)');
  }
  const manifest: ProfileManifest = {
    kind: PROFILE_KIND,
    version: 1,
    createdAt: opts.createdAt ?? new Date().toISOString(),
    tool: opts.tool,
    command: [...opts.command],
    exitCode: opts.exitCode,
    nodeVersion: process.version,
    samplingIntervalBytes: opts.samplingIntervalBytes,
    includesCollected: opts.includesCollected,
    heapSnapshotAt: opts.heapSnapshotAt,
    files,
    topAllocations: top,
    notes,
  };
  writeFileSync(join(opts.dir, PROFILE_MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
