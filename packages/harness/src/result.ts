/**
 * The result document: one JSON file per run. Reports and gates read only this.
 * Every memory figure names its source (see ../../docs/measurement.md).
 * Bump SCHEMA_VERSION on any incompatible change, and keep readers of older versions working.
 */
export const SCHEMA_VERSION = 1;

export type RunStatus = 'ok' | 'oom' | 'error';
/**
 * `highwater`, `restic` (the one on PATH, or --engine-binary) or `restic@0.14` (a build fetched
 * from Debian's archive: restic-fetch.ts). Readers treat it as a string.
 */
export type Engine = 'highwater' | 'restic' | `restic@${string}`;
export type Arch = 'native' | 'arm64' | 'armv7';
export type Op = 'backup' | 'prune' | 'check' | 'restore' | 'load-index';

/** Where a peak came from. `vmhwm` and `maxrss` are exact; `sampled` may miss spikes. */
export type PeakSource = 'vmhwm' | 'vmhwm-phase' | 'maxrss' | 'cgroup' | 'sampled';

export interface HeapFigures {
  readonly usedHeapSize: number;
  readonly totalHeapSize: number;
  readonly heapSizeLimit: number;
  readonly externalMemory: number;
  readonly mallocedMemory: number;
}

export interface PhaseResult {
  readonly name: string;
  /** Depth in the phase tree: 0 for top-level phases. */
  readonly depth: number;
  /** Milliseconds since the child started. */
  readonly startMs: number;
  readonly endMs: number;
  /** Exact peak RSS of this phase (VmHWM reset at start, read at end), or null if not available. */
  readonly peakRssBytes: number | null;
  readonly peakRssSource: PeakSource | null;
  /** The same figure less the emulator's idle baseline (emulated runs only). */
  readonly peakRssLessBaselineBytes?: number | null;
  /** null for restic's phases (no V8; phases read from its output). */
  readonly heapStart: HeapFigures | null;
  readonly heapEnd: HeapFigures | null;
  /** Largest used-heap figure seen in the phase (at its ends and at GC events); null for restic. */
  readonly heapUsedPeakBytes: number | null;
  readonly gcCount: number | null;
  readonly gcPauseMs: number | null;
}

export interface Sample {
  /** Milliseconds since the child started. */
  readonly t: number;
  readonly rssBytes: number;
  readonly cpuPercent?: number;
  /** V8 used heap reported by the child at about that time, when known. */
  readonly heapUsedBytes?: number;
}

export interface EnvBlock {
  /** `process.arch` as the child reports it: x64, arm64, arm. */
  readonly arch: string;
  readonly emulated: boolean;
  readonly emulator?: string;
  readonly nodeVersion: string;
  readonly v8Version: string;
  readonly heapLimitBytes: number;
  readonly cpuModel: string;
  readonly cpuCount: number;
  readonly totalMemBytes: number;
  readonly kernel: string;
  readonly engine: Engine;
  readonly engineVersion: string;
  readonly gitCommit: string | null;
  readonly hostname?: string;
  /** restic runs: which build ran (every restic result has it). */
  readonly restic?: ResticEnv;
}

export interface ResticEnv {
  /** From the binary's `version` output, e.g. `0.14.0`. */
  readonly version: string;
  /** `restic version`'s first line as printed. */
  readonly versionOutput: string;
  /** The Debian suite it came from (restic@VERSION), or null (PATH, --engine-binary). */
  readonly suite: string | null;
  /** Debian package version (`0.14.0-1+b5`), or null. */
  readonly debVersion: string | null;
  /** The binary's architecture: amd64, armhf, arm64 (from its `version` output: linux/arm is armhf). */
  readonly arch: string;
  readonly binary: string;
  readonly sha256: string;
}

export interface RunResult {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly id: string;
  readonly createdAt: string;
  readonly op: Op;
  readonly engine: Engine;
  /** Index strategy, or null for restic. */
  readonly strategy: string | null;
  readonly arch: Arch;
  readonly device: string | null;
  /** Shape name, or null for a repository given with --repo. */
  readonly shape: string | null;
  readonly scale: number | null;
  /** Factor by which blob contents were scaled down when the repository was generated. */
  readonly contentScale: number | null;
  readonly repoCounts: { readonly blobs: number; readonly packs: number; readonly indexFiles: number; readonly snapshots: number } | null;
  readonly budgetBytes: number | null;
  readonly status: RunStatus;
  /** The phase in which the budget was crossed (status `oom`). */
  readonly oomPhase: string | null;
  /** RSS when the run was stopped for crossing the budget. */
  readonly oomRssBytes: number | null;
  readonly error: string | null;
  readonly exitCode: number | null;
  readonly wallMs: number;
  readonly cpuMs: number | null;
  /** Whole-process exact peak. */
  readonly peakRssBytes: number | null;
  readonly peakRssSource: PeakSource | null;
  /** Emulated runs: the idle emulator+Node RSS measured the same way, and the peak less it. */
  readonly baselineRssBytes: number | null;
  readonly peakRssLessBaselineBytes: number | null;
  readonly heapUsedPeakBytes: number | null;
  /** Which repeat this is (0-based) and of how many. */
  readonly repeat: { readonly index: number; readonly of: number };
  readonly phases: readonly PhaseResult[];
  readonly samples: readonly Sample[];
  readonly sampleIntervalMs: number;
  readonly env: EnvBlock;
  readonly command: readonly string[];
  /** prune runs (absent in older results and other operations): the small-pack threshold and the plan. */
  readonly prune?: PruneRecord;
}

/** prune's plan in packs and bytes, as the engine printed it (prune-plan.ts). */
export interface PrunePlanFigures {
  readonly repack: { readonly packs: number; readonly blobs: number; readonly bytes: number };
  /** Bytes the repack leaves behind (unused blobs of repacked packs). */
  readonly repackRemovesBytes: number;
  /** Packs deleted whole (unused and unreferenced) and their bytes. */
  readonly delete: { readonly packs: number; readonly bytes: number };
  readonly keepPacks: number;
  /** `highwater-json`: exact bytes; `restic-output`: restic's figures, rounded to 3 decimals of their unit. */
  readonly from: 'highwater-json' | 'restic-output';
}

export interface PruneRecord {
  /**
   * `scaled`: the small-pack threshold was restic's default (4% of 16 MiB) times the repository's
   * content scale, passed as --repack-smaller-than; `unscaled`: the engine's own default.
   */
  readonly smallPacks: 'scaled' | 'unscaled';
  /** What the run asked for (replay --small-packs): `scaled` with smallPacks `unscaled` is an engine without the flag (note). */
  readonly requested: 'scaled' | 'unscaled';
  /** The threshold passed (scaled), else null (the engine's default). */
  readonly smallPackBytes: number | null;
  /** Why a scaled threshold was asked for but not used (restic 0.14), else null. */
  readonly note: string | null;
  /** null: the run ended before the engine printed its plan. */
  readonly plan: PrunePlanFigures | null;
}
