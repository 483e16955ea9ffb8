import type { Arch, Engine, Op } from './result.js';

/** What `runReplay` / `planReplay` take (only `op` is required). */
export interface ReplayOptions {
  readonly op: Op;
  /** `highwater` (default), `restic` (PATH), `restic@0.14` / `@0.18` / `@0.19` (Debian builds, fetched and cached). */
  readonly engine?: Engine | string;
  /** Any restic-compatible binary instead (engine `restic`; its `version` output and hash are recorded). */
  readonly engineBinary?: string;
  /** Debian mirror for restic@VERSION (default: this machine's apt mirror; tests use a file: folder). */
  readonly debianMirror?: string;
  /** highwater's --strategy (default packed); ignored (null) for restic. */
  readonly strategy?: string | null;
  /**
   * highwater's single choices over the strategy's defaults, passed on as flags, e.g.
   * `{ 'blob-set': 'bits' }`. The result's strategy then reads `packed,blob-set=bits`.
   */
  readonly choices?: Readonly<Record<string, string | number>>;
  /** Default: the device's, else native. */
  readonly arch?: Arch;
  readonly device?: string | null;
  /** Default: the device's memory; null for none. */
  readonly budgetBytes?: number | null;
  /** Default 1. */
  readonly repeat?: number;
  /** A repository directory, or `shape` (generated and cached under .cache/shapes/). */
  readonly repo?: string;
  readonly shape?: string;
  readonly scale?: number;
  readonly seed?: number;
  /** Password file for `repo` (a generated shape has its own). Default: RESTIC_PASSWORD_FILE. */
  readonly passwordFile?: string;
  /** Or the password itself (RESTIC_PASSWORD), or a command printing it (--password-command): written to a private file for the child. */
  readonly password?: string;
  readonly passwordCommand?: string;
  /** Default 50 ms. */
  readonly sampleIntervalMs?: number;
  /** The project root (holds .cache/, fixtures/devices/, packages/cli/bin/). */
  readonly root?: string;
  /** Arguments for the child's Node (e.g. --max-old-space-size=256). */
  readonly nodeArgs?: readonly string[];
  /** Extra arguments appended to the operation's command line. */
  readonly extraArgs?: readonly string[];
  /** Runs this Node script (with a recorder) instead of the CLI: tests and benchmarks. */
  readonly child?: { readonly script: string; readonly args: readonly string[] };
  /**
   * prune: the small-pack threshold (prune-threshold.ts). `unscaled` (default): the engine's own
   * (4% of the pack size); `scaled`: that threshold times the shape's content scale, passed as
   * --repack-smaller-than where the engine has it (highwater; restic >= 0.17).
   */
  readonly smallPacks?: 'scaled' | 'unscaled';
  /** backup: files in the source tree (default 1000). */
  readonly sourceFiles?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (line: string) => void;
  /** While a shape is generated: packs written so far (every 2 s). */
  readonly onGenerate?: (p: { readonly packs: number; readonly packsTotal: number; readonly elapsedMs: number }) => void;
  /** After each sample of the measured child: the live line (phase, RSS, elapsed). */
  readonly onLive?: (s: { readonly op: Op; readonly engine: string; readonly repeat: number; readonly of: number; readonly t: number; readonly rssBytes: number; readonly phase: string | null }) => void;
}
