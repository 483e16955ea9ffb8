/**
 * The plan as restic 0.14 prints it (cmd_prune.go printPruneStats; ui.FormatBytes/FormatPercent).
 * `detailed` adds the lines restic prints only with --verbose (used/unused/total and pack counts).
 */
import { formatBytes } from '../restic-format.js';
import type { PlanSummary, PrunePlan, PruneStats } from './prune-types.js';

/** restic's ui.FormatPercent: "%3.2f%%", capped at 100, '' for a zero denominator. */
export function formatPercent(num: number, den: number): string {
  if (den === 0) return '';
  return `${Math.min(100, (100 * num) / den).toFixed(2)}%`;
}

const n10 = (n: number): string => String(n).padStart(10);

export function pruneStatsLines(s: PruneStats, o: { detailed: boolean }): string[] {
  const out: string[] = [];
  const totalBlobs = s.blobs.used + s.blobs.unused + s.blobs.duplicate;
  const totalSize = s.size.used + s.size.duplicate + s.size.unused + s.size.unref;
  const unusedSize = s.size.duplicate + s.size.unused;
  if (o.detailed) {
    out.push('', `used:         ${n10(s.blobs.used)} blobs / ${formatBytes(s.size.used)}`);
    if (s.blobs.duplicate > 0) out.push(`duplicates:   ${n10(s.blobs.duplicate)} blobs / ${formatBytes(s.size.duplicate)}`);
    out.push(`unused:       ${n10(s.blobs.unused)} blobs / ${formatBytes(s.size.unused)}`);
    if (s.size.unref > 0) out.push(`unreferenced:                    ${formatBytes(s.size.unref)}`);
    out.push(`total:        ${n10(totalBlobs)} blobs / ${formatBytes(totalSize)}`);
    out.push(`unused size: ${formatPercent(unusedSize, totalSize)} of total size`);
  }
  const totalPrune = s.size.remove + s.size.repackrm + s.size.unref;
  const unusedAfter = unusedSize - s.size.remove - s.size.repackrm;
  out.push(
    '',
    `to repack:    ${n10(s.blobs.repack)} blobs / ${formatBytes(s.size.repack)}`,
    `this removes: ${n10(s.blobs.repackrm)} blobs / ${formatBytes(s.size.repackrm)}`,
    `to delete:    ${n10(s.blobs.remove)} blobs / ${formatBytes(s.size.remove + s.size.unref)}`,
    `total prune:  ${n10(s.blobs.remove + s.blobs.repackrm)} blobs / ${formatBytes(totalPrune)}`,
    `remaining:    ${n10(totalBlobs - (s.blobs.remove + s.blobs.repackrm))} blobs / ${formatBytes(totalSize - totalPrune)}`,
    `unused size after prune: ${formatBytes(unusedAfter)} (${formatPercent(unusedAfter, totalSize - totalPrune)} of remaining size)`,
    '',
  );
  if (o.detailed) {
    out.push(
      `totally used packs: ${n10(s.packs.used)}`,
      `partly used packs:  ${n10(s.packs.partlyUsed)}`,
      `unused packs:       ${n10(s.packs.unused)}`,
      '',
      `to keep:      ${n10(s.packs.keep)} packs`,
      `to repack:    ${n10(s.packs.repack)} packs`,
      `to delete:    ${n10(s.packs.remove)} packs`,
    );
    if (s.packs.unref > 0) out.push(`to delete:    ${n10(s.packs.unref)} unreferenced packs`);
  }
  return out;
}

/** The plan in packs and bytes (what `prune --json` prints as `plan`, and the replay harness records). */
export function planSummary(p: PrunePlan): PlanSummary {
  const s = p.stats;
  return {
    repack: { packs: p.repackPacks.length, bytes: s.size.repack, blobs: s.blobs.repack },
    repackRemoves: { blobs: s.blobs.repackrm, bytes: s.size.repackrm },
    delete: { packs: p.removePacks.length + p.removePacksFirst.length, bytes: s.size.remove + s.size.unref, blobs: s.blobs.remove },
    keep: { packs: s.packs.keep },
    smallPackBytes: p.smallPackBytes,
  };
}
