import { TreeBuilder, idOf, idToHex } from '@highwater/repo';
import { fillBlobContent } from './blob-content.js';
import { leafRangeIntersects } from './dir-layout.js';
import type { PackSink } from './pack-sink.js';
import { versionBlobs, type GenerationPlan } from './plan.js';
import { dirNode, fileNode } from './tree-nodes.js';

/**
 * Writes the trees (and the new data blobs) of each snapshot in turn, depth first, so that a
 * directory's tree is encoded as soon as its children are. A directory untouched since the last
 * snapshot keeps its tree id (restic's dedup gives the same), so later snapshots write only the
 * changed leaves and their ancestors.
 *
 * State, all sized by the plan (nothing per blob): per file the snapshot of its last content
 * change and of its last metadata change (2 x Uint16: 4 bytes per file), per directory its current
 * tree id (32 bytes). The ids of unchanged files in a rewritten directory are recomputed from
 * their deterministic contents (one SHA-256 per blob) instead of being stored.
 * Trees larger than `treeSpillBytes` (8 MiB) are built in temporary files under `tmpDir` and added
 * to their pack in 1 MiB pieces (TreeBuilder, PackSink.addTree): at most one such file per open
 * directory level, each removed as soon as its tree is in the pack, or when the visit fails.
 */
export class SnapshotTrees {
  readonly #plan: GenerationPlan;
  readonly #sink: PackSink;
  readonly #blob: Uint8Array;
  readonly #lastContent: Uint16Array;
  readonly #lastModified: Uint16Array;
  readonly #treeIds: Uint8Array[];
  readonly #inodeBase: number[];
  readonly #onBlob: () => void;
  readonly #spillBytes: number | undefined;
  readonly #tmpDir: string | undefined;
  #j = 0;

  constructor(o: { plan: GenerationPlan; sink: PackSink; blobBytes: number; onBlob: () => void; treeSpillBytes?: number; tmpDir?: string }) {
    this.#plan = o.plan;
    this.#spillBytes = o.treeSpillBytes;
    this.#tmpDir = o.tmpDir;
    this.#sink = o.sink;
    this.#blob = new Uint8Array(o.blobBytes);
    this.#onBlob = o.onBlob;
    const { layout } = o.plan;
    this.#lastContent = new Uint16Array(layout.files);
    this.#lastModified = new Uint16Array(layout.files);
    this.#treeIds = layout.levelCount.map((n) => new Uint8Array(n * 32));
    let base = 100;
    this.#inodeBase = layout.levelCount.map((n) => ((base += n), base - n));
  }

  /** Writes snapshot j's new blobs and returns its root tree id (hex). Snapshots MUST come in order 0, 1, ... */
  async write(j: number): Promise<string> {
    if (j !== this.#j) throw new RangeError(`expected snapshot ${this.#j}, got ${j}`);
    this.#j++;
    await this.#visit(j, 0, 0);
    return idToHex(this.#treeIds[0]!.subarray(0, 32));
  }

  #dirty(j: number, level: number, group: number): boolean {
    if (j === 0) return true;
    const { layout } = this.#plan;
    const { lo, hi } = layout.leafRange(level, group);
    return leafRangeIntersects(this.#plan.steps[j - 1]!.dirty, layout.leaves, lo, hi);
  }

  async #visit(j: number, level: number, group: number): Promise<void> {
    if (!this.#dirty(j, level, group)) return;
    const { layout } = this.#plan;
    const tree = new TreeBuilder({
      estimate: this.#estimate(level, group),
      ...(this.#spillBytes !== undefined ? { spillBytes: this.#spillBytes } : {}),
      ...(this.#tmpDir !== undefined ? { tmpDir: this.#tmpDir } : {}),
    });
    let closing: Promise<void> | undefined;
    try {
      if (level === layout.depth) {
        await this.#leaf(j, group, tree);
      } else {
        const { first, end } = layout.children(level, group);
        for (let c = first; c < end; c++) {
          await this.#visit(j, level + 1, c);
          const subtree = idToHex(this.#treeIds[level + 1]!.subarray(c * 32, c * 32 + 32));
          tree.add(dirNode({ position: c - first, inode: this.#inodeBase[level + 1]! + c, subtree }));
        }
      }
      const built = tree.finish();
      this.#treeIds[level]!.set(built.id, group * 32);
      this.#onBlob();
      closing = this.#sink.addTree(built.id, built.bytes ?? { length: built.length, pieces: tree.pieces() });
    } finally {
      // The tree is in its pack (or the visit failed): its temporary file, if any, can go.
      tree.dispose();
    }
    if (closing) await closing;
  }

  async #leaf(j: number, leaf: number, tree: TreeBuilder): Promise<void> {
    const plan = this.#plan;
    const { layout } = plan;
    const F = layout.files;
    const step = j > 0 ? plan.steps[j - 1]! : undefined;
    const changedCount = plan.changedPerSnapshot;
    const posInRange = step ? (leaf - step.dirty.start + layout.leaves) % layout.leaves : 0;
    const touchedLeaf = step !== undefined && posInRange >= step.dirty.length - step.touched;
    const start = layout.leafStart(leaf);
    const end = start + layout.leafFiles(leaf);
    const blob = this.#blob;
    for (let f = start; f < end; f++) {
      let isNew = j === 0;
      if (step && (f - step.changeStart + F) % F < changedCount) {
        this.#lastContent[f] = j;
        this.#lastModified[f] = j;
        isNew = true;
      } else if (touchedLeaf && f === start) {
        this.#lastModified[f] = j;
      }
      const { first, count } = versionBlobs(plan, this.#versionOf(f, this.#lastContent[f]!));
      const content: string[] = new Array(count);
      for (let k = 0; k < count; k++) {
        fillBlobContent(blob, plan.seed, first + k);
        const id = idOf<'blob'>(blob);
        content[k] = idToHex(id);
        if (isNew) {
          this.#onBlob();
          const p = this.#sink.addData(id, blob);
          if (p) await p;
        }
      }
      tree.add(fileNode({ file: f, modified: this.#lastModified[f]!, size: count * blob.length, content }));
    }
  }

  /** Expected tree bytes: ~331 per file node with one blob (+67 per further blob), ~300 per directory node. */
  #estimate(level: number, group: number): number {
    const { layout } = this.#plan;
    if (level < layout.depth) {
      const { first, end } = layout.children(level, group);
      return 64 + (end - first) * 320;
    }
    const perFile = Math.ceil(this.#plan.dataBlobs / this.#plan.versions);
    return 64 + layout.leafFiles(group) * (340 + 67 * (perFile - 1));
  }

  /** The file version of file f whose content last changed in snapshot j. */
  #versionOf(f: number, j: number): number {
    if (j === 0) return f;
    const F = this.#plan.layout.files;
    const p = (f - this.#plan.steps[j - 1]!.changeStart + F) % F;
    return F + (j - 1) * this.#plan.changedPerSnapshot + p;
  }
}
