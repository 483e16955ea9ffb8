import type { PrunePlanFigures } from './result.js';

/**
 * prune's plan (packs and bytes to repack and to delete) as the engine printed it: highwater's
 * `prune --json` summary line (exact bytes), or restic's `--verbose` statistics lines (0.14 to
 * 0.19 print the same ones):
 *
 *   to repack:         20000 blobs / 7.379 MiB
 *   this removes:          0 blobs / 0 B
 *   to delete:             0 blobs / 0 B
 *   to keep:               0 packs
 *   to repack:          1000 packs
 *   to delete:             0 packs
 *   to delete:             3 unreferenced packs      (only when there are some)
 *
 * restic's byte figures are rounded to 3 decimals of their unit (ui.FormatBytes): `from` says so.
 */

const UNITS: Readonly<Record<string, number>> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

/** restic's `7.379 MiB` / `0 B` in bytes (rounded to a whole byte); null when it is not one. */
export function parseResticBytes(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?) (B|KiB|MiB|GiB|TiB)$/.exec(text.trim());
  return m ? Math.round(Number(m[1]) * UNITS[m[2]!]!) : null;
}

/** Collects restic's plan lines one at a time (as they stream from the child); `plan()` once all are in. */
export class ResticPlanReader {
  private blobs: Partial<Record<'repack' | 'removes' | 'delete', { blobs: number; bytes: number }>> = {};
  private packs: Partial<Record<'keep' | 'repack' | 'delete' | 'unref', number>> = {};

  push(line: string): void {
    const text = line.trim();
    const b = /^(to repack|this removes|to delete):\s+(\d+) blobs \/ (.+)$/.exec(text);
    if (b) {
      const bytes = parseResticBytes(b[3]!);
      if (bytes === null) return;
      const key = b[1] === 'to repack' ? 'repack' : b[1] === 'this removes' ? 'removes' : 'delete';
      this.blobs[key] = { blobs: Number(b[2]), bytes };
      return;
    }
    const p = /^to (keep|repack|delete):\s+(\d+) (unreferenced )?packs$/.exec(text);
    if (p) this.packs[p[3] ? 'unref' : (p[1] as 'keep' | 'repack' | 'delete')] = Number(p[2]);
  }

  /** The plan, or null when restic printed no complete one (it failed before planning). */
  plan(): PrunePlanFigures | null {
    const { repack, removes, delete: del } = this.blobs;
    const { keep, repack: repackPacks, delete: deletePacks } = this.packs;
    if (!repack || !removes || !del || keep === undefined || repackPacks === undefined || deletePacks === undefined) return null;
    return {
      repack: { packs: repackPacks, blobs: repack.blobs, bytes: repack.bytes },
      repackRemovesBytes: removes.bytes,
      delete: { packs: deletePacks + (this.packs.unref ?? 0), bytes: del.bytes },
      keepPacks: keep,
      from: 'restic-output',
    };
  }
}

/** restic's plan from its whole recorded output (tests, docs). */
export function resticPrunePlan(output: string): PrunePlanFigures | null {
  const r = new ResticPlanReader();
  for (const line of output.split('\n')) r.push(line);
  return r.plan();
}

/** highwater's plan from a `prune --json` summary line; null when the line is not one. */
export function highwaterPrunePlan(line: string): PrunePlanFigures | null {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const { message_type: type, plan } = doc as { message_type?: unknown; plan?: Record<string, unknown> };
  if (type !== 'summary' || typeof plan !== 'object' || plan === null) return null;
  const n = (k: string): number | null => (typeof plan[k] === 'number' ? (plan[k] as number) : null);
  const fields = ['repack_packs', 'repack_blobs', 'repack_bytes', 'repack_removes_bytes', 'delete_packs', 'delete_bytes', 'keep_packs'].map(n);
  if (fields.some((v) => v === null)) return null;
  const [repackPacks, repackBlobs, repackBytes, removes, deletePacks, deleteBytes, keep] = fields as number[];
  return {
    repack: { packs: repackPacks!, blobs: repackBlobs!, bytes: repackBytes! },
    repackRemovesBytes: removes!,
    delete: { packs: deletePacks!, bytes: deleteBytes! },
    keepPacks: keep!,
    from: 'highwater-json',
  };
}
