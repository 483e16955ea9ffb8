/**
 * unlock: removes stale locks, or every lock with `all` (restic `unlock [--remove-all]`).
 * The stale-lock rules live with the locks in @highwater/repo (older than 30 minutes, or made on
 * this host by a process that is gone).
 */
import { removeLocks, type OpenRepository } from '@highwater/repo';

export async function unlock(o: { repo: OpenRepository; all?: boolean }): Promise<{ removed: string[] }> {
  const r = await removeLocks(o.repo, { all: o.all ?? false });
  return { removed: [...r.removed] };
}
