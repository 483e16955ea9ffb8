/** The forget operation's options, events and result. */
import type { OpenRepository, SnapshotEntry } from '@highwater/repo';
import type { SnapshotListFilter } from '../snapshot-list.js';
import type { PruneEvent, PruneOptions, PruneResult } from '../prune/prune-types.js';
import type { KeepReason } from './apply-policy.js';
import type { GroupBy } from './group-snapshots.js';
import type { ExpirePolicy } from './policy.js';

export type ForgetEvent =
  /** What will be removed (before anything is): the groups evaluated and the hex ids, sorted. */
  | { readonly type: 'decided'; readonly groups: readonly ForgetGroupResult[]; readonly removed: readonly string[]; readonly policyEmpty: boolean }
  | { readonly type: 'removed'; readonly id: string }
  | { readonly type: 'prune'; readonly event: PruneEvent };

export interface ForgetOptions {
  readonly repo: OpenRepository;
  readonly policy: ExpirePolicy;
  /** Default host,paths (restic's). */
  readonly groupBy?: GroupBy;
  /** --host / --path / --tag: only these snapshots are considered. */
  readonly filter?: SnapshotListFilter;
  /** Snapshot ids, unique prefixes or `latest` to remove outright; the policy is not applied then. */
  readonly snapshots?: readonly string[];
  readonly dryRun?: boolean;
  /** Only with dryRun (restic refuses --no-lock otherwise). */
  readonly noLock?: boolean;
  /** The clock for "not in the future" of --keep-within* (default: now). */
  readonly now?: Date;
  /** Run prune after removing snapshots (restic --prune), with these options, under forget's lock. */
  readonly prune?: Omit<PruneOptions, 'repo' | 'dryRun' | 'lockHeld' | 'ignoreSnapshots' | 'onEvent' | 'signal'>;
  readonly onEvent?: (e: ForgetEvent) => void;
  readonly signal?: AbortSignal;
}

export interface ForgetGroupResult {
  readonly host: string;
  readonly paths: string[] | null;
  readonly tags: string[] | null;
  /** Newest first. */
  readonly keep: SnapshotEntry[];
  readonly remove: SnapshotEntry[];
  readonly reasons: KeepReason[];
}

export interface ForgetResult {
  /** Empty when snapshots were named explicitly or the policy is empty. */
  readonly groups: ForgetGroupResult[];
  readonly policyEmpty: boolean;
  /** Hex ids removed (or that would be, with dryRun), sorted. */
  readonly removed: string[];
  /** When prune ran. */
  readonly prune?: PruneResult;
}
