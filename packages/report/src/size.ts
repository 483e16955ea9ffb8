/**
 * Sizes in budgets files use the one size grammar of highwater (harness/src/size.ts: `300MiB`,
 * `1.5GiB`, `512kB`, case-sensitive, a unit required); `parseSize` here is that grammar, returning
 * null when the text is not a size (budgets.ts names the file and field, and refuses a zero limit).
 */
export { parseSizeText as parseSize } from '@highwater/harness/size';

/** Binary units, three significant digits: `412 MiB`, `1.02 GiB`, `980 B`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const sign = bytes < 0 ? '-' : '';
  let v = Math.abs(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 ? 0 : v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${sign}${v.toFixed(digits)} ${units[i]}`;
}

/**
 * Two sizes that must not read alike when they differ (the RSS at a kill and the budget it
 * crossed): binary units with up to two more decimals than `formatBytes` until they differ.
 */
export function formatBytesPair(a: number, b: number): [string, string] {
  let x = formatBytes(a);
  let y = formatBytes(b);
  if (x === y && a !== b && x.endsWith(' GiB')) {
    // near a GiB budget, whole MiB read better than GiB with three decimals: 1029 MiB, budget 1024 MiB
    x = `${(a / 1024 ** 2).toFixed(0)} MiB`;
    y = `${(b / 1024 ** 2).toFixed(0)} MiB`;
  }
  for (let extra = 1; x === y && a !== b && extra <= 2; extra++) {
    const unit = x.split(' ')[1]!;
    const div = 1024 ** ['B', 'KiB', 'MiB', 'GiB', 'TiB'].indexOf(unit);
    const digits = (x.split(' ')[0]!.split('.')[1]?.length ?? 0) + extra;
    x = `${(a / div).toFixed(digits)} ${unit}`;
    y = `${(b / div).toFixed(digits)} ${unit}`;
  }
  return [x, y];
}

/** `10%` or `2.5%` to a fraction (0.1, 0.025); null when malformed. */
export function parsePercent(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  if (m === null) return null;
  return Number(m[1]) / 100;
}
