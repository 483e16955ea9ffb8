import type { RunResult, Sample } from '@highwater/harness/result';
import type { PhasePeakTable } from './phase-peaks.js';
import type { RunGroup } from './run-groups.js';
import { groupLabel } from './run-groups.js';
import type { ScaleChart } from './scale-curves.js';
import { formatBytes } from './size.js';

/**
 * Serialisable Chart.js configurations. Everything here is plain JSON (no functions), so it can be
 * embedded in the page as data and turned into charts by client-script.ts. Memory figures are in
 * MiB on the axes; every chart carries a `source` note naming where its figures came from.
 */
export interface ChartSpec {
  readonly id: string;
  readonly kind: 'timeline' | 'phase-peaks' | 'scale';
  readonly title: string;
  /** Which source the figures come from (vmhwm, sampled, ...) and whether they are emulated. */
  readonly source: string;
  readonly config: Record<string, unknown>;
  /** Phase bands drawn behind a timeline (seconds). */
  readonly bands?: readonly { readonly label: string; readonly start: number; readonly end: number; readonly oom?: boolean }[];
}

const MiB = 1024 * 1024;
const mib = (b: number): number => Math.round((b / MiB) * 100) / 100;

const COLORS: Record<string, string> = {
  naive: '#d1495b',
  packed: '#00798c',
  paged: '#66a182',
  restic: '#edae49',
};
const EXTRA = ['#30638e', '#8d6a9f', '#2e4057', '#c06c84'];

export function seriesColor(label: string, i: number): string {
  const last = label.split('/').pop()!;
  return COLORS[last] ?? COLORS[label] ?? EXTRA[i % EXTRA.length]!;
}

function axis(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: { display: true, text: title }, ...extra };
}

/** Points per timeline: a 15-minute run sampled every 50 ms has 18,000 samples. */
const MAX_POINTS = 1500;

/**
 * At most `max` samples: consecutive samples are bucketed and each bucket keeps its largest RSS
 * sample (and the largest heap figure in it), so thinning never hides a peak.
 */
export function downsample(samples: readonly Sample[], max: number): Sample[] {
  if (samples.length <= max) return [...samples];
  const size = Math.ceil(samples.length / max);
  const out: Sample[] = [];
  for (let i = 0; i < samples.length; i += size) {
    let best = samples[i]!;
    let heap: number | undefined;
    for (let j = i; j < Math.min(i + size, samples.length); j++) {
      const s = samples[j]!;
      if (s.rssBytes > best.rssBytes) best = s;
      if (typeof s.heapUsedBytes === 'number' && (heap === undefined || s.heapUsedBytes > heap)) heap = s.heapUsedBytes;
    }
    out.push(heap === undefined ? { t: best.t, rssBytes: best.rssBytes } : { t: best.t, rssBytes: best.rssBytes, heapUsedBytes: heap });
  }
  return out;
}

/** RSS and heap timeline of a group's representative repeat, with the phases as bands. */
export function timelineSpec(g: RunGroup, id: string): ChartSpec {
  const r: RunResult = g.representative;
  const emu = r.env.emulated ? `, emulated (${r.env.emulator ?? 'qemu-user'}): raw host RSS, includes the emulator` : '';
  const samples = downsample(r.samples, MAX_POINTS);
  const thinned = samples.length < r.samples.length ? `; drawn as ${samples.length} points, each the largest of ${Math.ceil(r.samples.length / MAX_POINTS)} samples` : '';
  const datasets: Record<string, unknown>[] = [
    {
      label: `RSS (sampled every ${r.sampleIntervalMs} ms${r.env.emulated ? ', emulated raw' : ''})`,
      data: samples.map((s) => ({ x: s.t / 1000, y: mib(s.rssBytes) })),
      borderColor: '#2e4057',
      backgroundColor: '#2e4057',
      pointRadius: 0,
      borderWidth: 1.5,
    },
  ];
  const heap = samples.filter((s) => typeof s.heapUsedBytes === 'number');
  if (heap.length > 0) {
    datasets.push({
      label: 'V8 heap used (reported by the child)',
      data: heap.map((s) => ({ x: s.t / 1000, y: mib(s.heapUsedBytes!) })),
      borderColor: '#d1495b',
      backgroundColor: '#d1495b',
      pointRadius: 0,
      borderWidth: 1.5,
    });
  }
  const end = Math.max(r.samples.length > 0 ? r.samples[r.samples.length - 1]!.t / 1000 : 0, r.wallMs / 1000);
  if (r.budgetBytes !== null) {
    datasets.push({
      label: `budget ${formatBytes(r.budgetBytes)}`,
      data: [{ x: 0, y: mib(r.budgetBytes) }, { x: end, y: mib(r.budgetBytes) }],
      borderColor: '#999999',
      borderDash: [6, 4],
      pointRadius: 0,
      borderWidth: 1,
    });
  }
  const bands = timelineBands(r);
  return {
    id,
    kind: 'timeline',
    title: `${groupLabel(g)}: RSS and heap over time`,
    source: `RSS sampled (misses spikes shorter than ${r.sampleIntervalMs} ms)${emu}${thinned}; repeat ${r.repeat.index + 1} of ${r.repeat.of}${g.runs.length > 1 ? ' (the one nearest the median peak)' : ''}`,
    config: {
      type: 'line',
      data: { datasets },
      options: { parsing: false, scales: { x: axis('seconds', { type: 'linear', min: 0, max: Math.ceil(end * 10) / 10 }), y: axis('MiB', { beginAtZero: true }) } },
    },
    bands,
  };
}

type Band = { label: string; start: number; end: number; oom?: boolean };

/**
 * The top-level phases as bands (seconds). An oom run's band is the phase it was stopped in, from
 * that phase's start to the kill (the later of the phase's end, the last sample and the child's
 * wall time); when the run was stopped before that phase was recorded, the band starts where the
 * last recorded phase ended. Either way it has a positive width whenever the kill came after it began.
 */
export function timelineBands(r: RunResult): Band[] {
  const bands: Band[] = r.phases.filter((p) => p.depth === 0).map((p) => ({ label: p.name, start: p.startMs / 1000, end: p.endMs / 1000 }));
  if (r.status !== 'oom') return bands;
  const lastSample = r.samples.length > 0 ? r.samples[r.samples.length - 1]!.t / 1000 : 0;
  const kill = Math.max(lastSample, r.wallMs / 1000);
  const name = r.oomPhase;
  let i = -1;
  for (let k = bands.length - 1; k >= 0 && name !== null; k--) if (bands[k]!.label === name) { i = k; break; }
  if (i >= 0) {
    const b = bands[i]!;
    bands[i] = { label: `${b.label} (oom)`, start: b.start, end: Math.max(b.end, kill), oom: true };
  } else {
    const start = bands.length > 0 ? Math.min(bands[bands.length - 1]!.end, kill) : 0;
    bands.push({ label: name !== null ? `${name} (oom)` : 'oom (the run records no phases)', start, end: kill, oom: true });
  }
  return bands;
}

export function phasePeakSpec(t: PhasePeakTable, id: string): ChartSpec {
  const datasets: Record<string, unknown>[] = t.series.map((s, i) => {
    const color = seriesColor(s.label, i);
    const oom = s.status === 'oom';
    return {
      type: 'bar',
      label: oom ? `${s.label}: oom, drawn up to the kill` : s.label,
      data: s.values.map((v) => (v === null ? null : mib(v))),
      backgroundColor: oom ? hatchColor(color) : color,
      borderColor: oom ? '#9b1c2e' : color,
      borderWidth: oom ? 2 : 0,
      hwOom: oom,
    };
  });
  // one dashed line per distinct budget (a scaled device gives each engine its own)
  const budgets = new Map<number, string[]>();
  for (const s of t.series) if (s.budgetBytes !== null) budgets.set(s.budgetBytes, [...(budgets.get(s.budgetBytes) ?? []), s.label]);
  for (const [b, who] of budgets) {
    datasets.push({
      type: 'line',
      label: `budget ${formatBytes(b)}${budgets.size > 1 ? ` (${who.join(', ')})` : ''}`,
      data: t.phases.map(() => mib(b)),
      borderColor: '#555555',
      borderDash: [6, 4],
      borderWidth: 1.5,
      pointRadius: 0,
      fill: false,
      hwBudget: true,
    });
  }
  const oom = t.series.some((s) => s.status === 'oom');
  return {
    id,
    kind: 'phase-peaks',
    title: t.title,
    source: `exact peaks: ${t.sources.join(', ') || 'none'} (median of the repeats)${oom ? '; an oom run is drawn up to the kill (the phase it was stopped in at the RSS of the kill, sampled), outlined in red' : ''}${t.emulated ? '; emulated: raw host RSS, includes the emulator' : ''}`,
    config: {
      type: 'bar',
      data: { labels: t.phases, datasets },
      options: { scales: { x: axis('phase'), y: axis('peak RSS, MiB', { beginAtZero: true }) } },
    },
  };
}

/** The series colour, lighter: an oom bar stands out without a pattern (specs are plain JSON). */
function hatchColor(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},0.45)`;
}

export function scaleSpec(c: ScaleChart, id: string): ChartSpec {
  const datasets: Record<string, unknown>[] = [];
  c.curves.forEach((curve, i) => {
    const color = seriesColor(curve.label, i);
    datasets.push({
      label: `${curve.label} (measured)`,
      data: curve.points.map((p) => ({ x: p.blobs, y: mib(p.peakRss) })),
      borderColor: color,
      backgroundColor: color,
      showLine: false,
      pointRadius: 4,
    });
    if (curve.fit !== null && curve.model !== null) {
      const lo = curve.points[0]!.blobs;
      const hi = curve.extrapolated?.blobs ?? curve.points[curve.points.length - 1]!.blobs;
      const line = [];
      for (let k = 0; k <= 48; k++) {
        const x = lo * (hi / lo) ** (k / 48);
        line.push({ x: Math.round(x), y: mib(curve.model.predict(x)) });
      }
      datasets.push({
        label: `${curve.label} fit: ${curve.fit.slope.toFixed(1)} bytes/blob${curve.fitPhase ? ` (${curve.fitPhase})` : ''}`,
        data: line,
        borderColor: color,
        borderDash: [6, 4],
        borderWidth: 1,
        pointRadius: 0,
        showLine: true,
        fill: false,
      });
    }
    if (curve.extrapolated !== null) {
      datasets.push({
        label: `${curve.label} EXTRAPOLATED at ${curve.extrapolated.blobs.toLocaleString('en-US')} blobs (fit, not measured)`,
        data: [{ x: curve.extrapolated.blobs, y: mib(curve.extrapolated.peakRss) }],
        borderColor: color,
        backgroundColor: 'rgba(255,255,255,0)',
        pointStyle: 'rectRot',
        pointRadius: 8,
        borderWidth: 2,
        showLine: false,
      });
    }
  });
  const sources = [...new Set(c.curves.map((x) => x.source ?? 'unknown'))].join(', ');
  const emulated = c.curves.some((x) => x.emulated);
  return {
    id,
    kind: 'scale',
    title: `scale curve: peak RSS against blob count, ${c.title}`,
    source: `exact whole-run peaks (${sources}), median of the repeats; dashed lines are least-squares fits (per phase; the peak is the largest phase line); hollow diamonds are extrapolations, not measurements${emulated ? '; emulated: raw host RSS, includes the emulator' : ''}`,
    config: {
      type: 'scatter',
      data: { datasets },
      options: { scales: { x: axis('blobs (log scale)', { type: 'logarithmic' }), y: axis('peak RSS, MiB (log scale)', { type: 'logarithmic' }) } },
    },
  };
}
