/**
 * restic's snapshot table (snapshots, forget): each column padded to its widest cell (at least
 * `min[c]`), the last column unpadded, a rule under the head and after the rows, then `footer`.
 */
export function renderSnapshotTable(head: readonly string[], rows: readonly (readonly string[])[], footer: string, min: readonly number[] = []): string[] {
  const widths = head.map((h, c) => Math.max(h.length, min[c] ?? 0, ...rows.map((r) => r[c]!.length)));
  const fmt = (r: readonly string[]): string => r.map((v, c) => (c === r.length - 1 ? v : v.padEnd(widths[c]!))).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1));
  return [fmt(head), rule, ...rows.map(fmt), rule, footer];
}
