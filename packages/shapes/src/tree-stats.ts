import { idFromHex, type IndexedRepository, type TreeId } from '@highwater/repo';

export interface TreeStats {
  readonly files: number;
  readonly directories: number;
  /** File counts of every directory that holds at least one file. */
  readonly filesPerDir: number[];
  /** Deepest level (root = 0) of a directory that holds files. */
  readonly depth: number;
}

/**
 * Walks one snapshot's tree and counts (no names kept). Memory: the subtree ids of the directories
 * on the current path and one number per directory that holds files.
 */
export async function treeStats(repo: IndexedRepository, root: string): Promise<TreeStats> {
  let files = 0;
  let directories = 0;
  let depth = 0;
  const filesPerDir: number[] = [];
  const stack: Array<{ id: string; level: number }> = [{ id: root, level: 0 }];
  while (stack.length > 0) {
    const { id, level } = stack.pop()!;
    directories++;
    let here = 0;
    for await (const node of repo.treeNodes(idFromHex(id) as TreeId)) {
      if (node.type === 'dir' && node.subtree) stack.push({ id: node.subtree, level: level + 1 });
      else if (node.type === 'file') here++;
    }
    if (here > 0) {
      files += here;
      filesPerDir.push(here);
      if (level > depth) depth = level;
    }
  }
  return { files, directories, filesPerDir, depth };
}

/**
 * Files whose content differs between two snapshots' trees (new files count as changed), walking
 * only the directories whose tree ids differ. Memory: one directory's names and content keys.
 */
export async function changedFiles(repo: IndexedRepository, before: string | null, after: string): Promise<number> {
  if (before === after) return 0;
  const old = new Map<string, string>();
  if (before !== null) {
    for await (const n of repo.treeNodes(idFromHex(before) as TreeId)) {
      old.set(n.name, n.type === 'dir' ? `d:${n.subtree ?? ''}` : n.type === 'file' ? `f:${(n.content ?? []).join(',')}` : 'o');
    }
  }
  let changed = 0;
  const subdirs: Array<[string | null, string]> = [];
  for await (const n of repo.treeNodes(idFromHex(after) as TreeId)) {
    const prev = old.get(n.name);
    if (n.type === 'file') {
      if (prev !== `f:${(n.content ?? []).join(',')}`) changed++;
    } else if (n.type === 'dir' && n.subtree) {
      subdirs.push([prev?.startsWith('d:') ? prev.slice(2) : null, n.subtree]);
    }
  }
  old.clear();
  for (const [a, b] of subdirs) changed += await changedFiles(repo, a, b);
  return changed;
}
