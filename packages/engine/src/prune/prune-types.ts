/** The prune operation's options, plan, events and result (restic cmd_prune.go's pruneStats/prunePlan). */
import type { OpenRepository } from '@highwater/repo';
import type { PackList } from './pack-ids.js';

export type { PackList } from './pack-ids.js';

/** --max-unused: what may stay unused after prune (restic default 5%). */
export type MaxUnused = { readonly kind: 'unlimited' } | { readonly kind: 'percent'; readonly percent: number } | { readonly kind: 'bytes'; readonly bytes: number };

export const DEFAULT_MAX_UNUSED: MaxUnused = Object.freeze({ kind: 'percent', percent: 5 });

export interface PruneOptions {
  readonly repo: OpenRepository;
  readonly maxUnused?: MaxUnused;
  /** Stop choosing packs to repack once this many bytes are chosen (default: no limit). */
  readonly maxRepackBytes?: number;
  /** Repack packs below 80% of the target pack size (default: below 4%, and only 10 or more of them). */
  readonly repackSmall?: boolean;
  /**
   * Packs below this many bytes count as small (restic >= 0.17 --repack-smaller-than; it replaces
   * the 4% / 80% threshold). Small packs are still repacked only when there are 10 or more.
   */
  readonly repackSmallerThan?: number;
  /** Only repack packs that hold trees (restic --repack-cacheable-only). */
  readonly repackCacheableOnly?: boolean;
  /** Repack every pack with uncompressed blobs (version 2 only). */
  readonly repackUncompressed?: boolean;
  /** Target pack size in bytes for the small-pack rule (default: the repository's write pack size, 16 MiB unless opened with another). */
  readonly packSize?: number;
  /** Plan and report; change nothing. */
  readonly dryRun?: boolean;
  /** The caller holds the exclusive lock (forget --prune). */
  readonly lockHeld?: boolean;
  /** Snapshots (hex ids) whose trees do not count as used (forget --prune --dry-run). */
  readonly ignoreSnapshots?: ReadonlySet<string>;
  readonly onEvent?: (e: PruneEvent) => void;
  readonly signal?: AbortSignal;
}

export interface PruneStats {
  readonly blobs: { used: number; duplicate: number; unused: number; remove: number; repack: number; repackrm: number };
  readonly size: { used: number; duplicate: number; unused: number; remove: number; repack: number; repackrm: number; unref: number };
  readonly packs: { used: number; unused: number; partlyUsed: number; unref: number; keep: number; repack: number; remove: number };
}

export interface PrunePlan {
  readonly stats: PruneStats;
  readonly snapshots: number;
  // Each list: its length, and hex ids in sorted order when iterated (made one at a time).
  /** Packs no index references (deleted last). */
  readonly removePacksFirst: PackList;
  /** Partly used (or small, or uncompressed tree) packs whose used blobs are copied into new packs. */
  readonly repackPacks: PackList;
  /** Packs with no used blob. */
  readonly removePacks: PackList;
  /** Packs the index names that are missing and not needed: dropped from the index. */
  readonly ignorePacks: PackList;
  /** Packs below this many bytes counted as small. */
  readonly smallPackBytes: number;
}

/** What the plan will do, in packs and bytes (for --json and the replay harness). */
export interface PlanSummary {
  readonly repack: { readonly packs: number; readonly bytes: number; readonly blobs: number };
  /** Bytes the repack leaves behind (the unused blobs of repacked packs). */
  readonly repackRemoves: { readonly blobs: number; readonly bytes: number };
  /** Packs deleted whole: unused ones and unreferenced ones. */
  readonly delete: { readonly packs: number; readonly bytes: number; readonly blobs: number };
  readonly keep: { readonly packs: number };
  /** The small-pack threshold the plan used, in bytes. */
  readonly smallPackBytes: number;
}

export type PruneStep = 'load-index' | 'load-snapshots' | 'walk-trees' | 'plan' | 'repack' | 'rewrite-index' | 'delete';

export type PruneEvent =
  /** `count`: snapshots for walk-trees, files for delete. */
  | { readonly type: 'step'; readonly step: PruneStep; readonly count?: number }
  /** The plan, before anything is changed (what --dry-run prints). */
  | { readonly type: 'plan'; readonly plan: PrunePlan }
  | { readonly type: 'progress'; readonly step: 'walk-trees' | 'repack' | 'rewrite-index' | 'delete'; readonly done: number; readonly total: number }
  | { readonly type: 'warning'; readonly message: string };

export interface PruneResult {
  readonly plan: PrunePlan;
  readonly dryRun: boolean;
  /** Index files written (hex ids) and removed, packs removed; 0 with dryRun. */
  readonly indexFilesWritten: number;
  readonly indexFilesRemoved: number;
  readonly packsRemoved: number;
  /** Blobs copied into new packs. */
  readonly blobsRepacked: number;
}
