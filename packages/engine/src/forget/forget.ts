/**
 * forget (restic cmd_forget.go): choose snapshots by policy per group, or by id, and remove their
 * files. Takes the exclusive lock (none with dryRun + noLock). With `prune` it then runs prune under
 * the same lock, ignoring the removed snapshots (so a dry run plans as if they were gone).
 * Memory: the snapshot list (all snapshots' metadata), nothing per blob.
 */
import { acquireLock, idFromHex, idToHex, type OpenRepository, type SnapshotEntry } from '@highwater/repo';
import { listSnapshots } from '../snapshot-list.js';
import { prune } from '../prune/prune.js';
import { applyPolicy } from './apply-policy.js';
import { ForgetError } from './forget-error.js';
import type { ForgetGroupResult, ForgetOptions, ForgetResult } from './forget-types.js';
import { DEFAULT_GROUP_BY, groupSnapshots } from './group-snapshots.js';
import { checkPolicy, isEmptyPolicy } from './policy.js';

async function namedSnapshots(repo: OpenRepository, names: readonly string[], o: ForgetOptions): Promise<SnapshotEntry[]> {
  const out = new Map<string, SnapshotEntry>();
  for (const n of names) {
    const e = await repo.findSnapshot(n, n === 'latest' && o.filter ? { host: o.filter.hosts?.[0], paths: o.filter.paths ? [...o.filter.paths] : undefined, tags: o.filter.tags ? [...o.filter.tags] : undefined } : undefined);
    out.set(idToHex(e.id), e);
  }
  return [...out.values()];
}

export async function forget(o: ForgetOptions): Promise<ForgetResult> {
  const repo = o.repo;
  checkPolicy(o.policy);
  if (o.noLock && !o.dryRun) throw new ForgetError('BAD_OPTION', '--no-lock is only applicable in combination with --dry-run for forget');
  const lock = o.noLock && o.dryRun ? null : await acquireLock(repo, { exclusive: true });
  try {
    const groups: ForgetGroupResult[] = [];
    const removed = new Set<string>();
    const policyEmpty = isEmptyPolicy(o.policy);
    if (o.snapshots && o.snapshots.length > 0) {
      for (const e of await namedSnapshots(repo, o.snapshots, o)) removed.add(idToHex(e.id));
    } else if (!policyEmpty) {
      const all = await listSnapshots({ repo, filter: o.filter });
      for (const g of groupSnapshots(all, o.groupBy ?? DEFAULT_GROUP_BY)) {
        const r = applyPolicy(g.entries, o.policy, { now: o.now ?? new Date() });
        groups.push({ host: g.host, paths: g.paths, tags: g.tags, keep: r.keep, remove: r.remove, reasons: r.reasons });
        for (const e of r.remove) removed.add(idToHex(e.id));
      }
    }
    const ids = [...removed].sort();
    o.onEvent?.({ type: 'decided', groups, removed: ids, policyEmpty });
    if (!o.dryRun) {
      for (const hex of ids) {
        o.signal?.throwIfAborted();
        await repo.removeSnapshot(idFromHex(hex));
        o.onEvent?.({ type: 'removed', id: hex });
      }
    }
    let pruned;
    if (o.prune && ids.length > 0) {
      pruned = await prune({
        ...o.prune,
        repo,
        dryRun: o.dryRun,
        lockHeld: true,
        ignoreSnapshots: new Set(ids),
        onEvent: (event) => o.onEvent?.({ type: 'prune', event }),
        signal: o.signal,
      });
    }
    return { groups, policyEmpty, removed: ids, ...(pruned ? { prune: pruned } : {}) };
  } finally {
    await lock?.release();
  }
}
