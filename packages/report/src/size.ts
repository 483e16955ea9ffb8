/**
 * Byte sizes as users write them in budgets: `300MiB`, `1.5GiB`, `512kB`, `2GB`, `1024B`.
 * Binary units (KiB/MiB/GiB/TiB) are powers of 1024, decimal units (kB/MB/GB/TB) powers of 1000,
 * as restic and the kernel print them. Parsing is strict: case matters (`mb`, `Mb`, `MIB` are
 * rejected, since a bit/byte or binary/decimal mix-up is exactly the mistake a budget must not hide),
 * a unit is required (`512` could mean bytes or MiB), no signs, no exponent, at most one space
 * between number and unit. The harness's `--budget` parser (packages/harness/src/size.ts) takes the same grammar.
 */
const UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  kB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  TB: 1000 ** 4,
};

const SIZE_RE = /^(\d+(?:\.\d+)?) ?([A-Za-z]+)$/;

/** Parses a size; returns null when `text` is not one (the caller names the file and field). */
export function parseSize(text: string): number | null {
  const m = SIZE_RE.exec(text.trim());
  if (m === null) return null;
  const unit = UNITS[m[2]!];
  if (unit === undefined) return null;
  const value = Number(m[1]) * unit;
  if (!Number.isFinite(value)) return null;
  const bytes = Math.round(value);
  if (!Number.isSafeInteger(bytes)) return null;
  return bytes;
}

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
