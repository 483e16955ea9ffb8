/**
 * Byte counts as restic prints them (ui.FormatBytes): 1024-based, three decimals from 1 KiB up to
 * TiB, whole bytes below ("512 B", "1.500 KiB", "2.000 GiB"). The one copy: prune's report and
 * the cli's progress and summary lines both use it, so highwater's output reads like restic's.
 */
export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 40) return `${(bytes / 2 ** 40).toFixed(3)} TiB`;
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(3)} GiB`;
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(3)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(3)} KiB`;
  return `${bytes} B`;
}
