import { groupRuns, type RunGroup } from './run-groups.js';
import { scaleModel, type PhaseFit, type ScaleModel } from './scale-model.js';
import type { LinearFit } from './stats.js';
import type { RunResult } from '@highwater/harness/result';

/**
 * Scale curves: peak RSS against blob count for one engine/strategy across scales of one shape,
 * with a least-squares model (scale-model.ts: one line per phase, the peak is the largest) whose
 * slope is the resident bytes per blob (architecture.md: naive hundreds, packed <= 48, paged <= 4,
 * restic ~62 in the index alone).
 *
 * When the runs are at scales below 1, the curve carries one extrapolated point at the shape's full
 * count (blobs / scale of the largest run). That point is a prediction of the fit, never a
 * measurement: it is drawn differently and labelled as such (measurement.md, "Scale").
 */
export interface ScalePoint {
  readonly blobs: number;
  readonly peakRss: number;
  readonly scale: number | null;
  readonly repeats: number;
}

export interface ScaleCurve {
  readonly key: string;
  readonly label: string;
  readonly op: string;
  readonly engine: string;
  readonly strategy: string | null;
  readonly arch: string;
  readonly shape: string | null;
  readonly emulated: boolean;
  readonly source: string | null;
  readonly points: readonly ScalePoint[];
  /** The line that sets the modelled peak at the largest count drawn: its slope is bytes per blob. */
  readonly fit: LinearFit | null;
  /** The phase that line belongs to (null: a line through whole-run peaks, e.g. restic). */
  readonly fitPhase: string | null;
  /** Every phase line; the model's peak at a count is the largest of them. */
  readonly phaseFits: readonly PhaseFit[];
  readonly model: ScaleModel | null;
  /** The fit's prediction at the full count; absent when every run is at full scale or there is no fit. */
  readonly extrapolated: { readonly blobs: number; readonly peakRss: number } | null;
  /** Why there is no extrapolation although the runs are below scale 1. */
  readonly notExtrapolated: string | null;
}

/** One chart's worth of curves: same op, arch and shape. */
export interface ScaleChart {
  readonly title: string;
  readonly op: string;
  readonly arch: string;
  readonly shape: string | null;
  readonly curves: readonly ScaleCurve[];
}

export function scaleCurves(results: readonly RunResult[]): ScaleChart[] {
  const byCurve = new Map<string, RunGroup[]>();
  for (const g of groupRuns(results)) {
    if (g.status !== 'ok' || g.peakRss === null || g.blobs === null) continue;
    const k = [g.op, g.engine, g.strategy ?? '-', g.arch, g.shape ?? '-', g.device ?? '-'].join('|');
    const list = byCurve.get(k);
    if (list === undefined) byCurve.set(k, [g]);
    else list.push(g);
  }
  const charts = new Map<string, { title: string; op: string; arch: string; shape: string | null; curves: ScaleCurve[] }>();
  for (const [key, groups] of byCurve) {
    const points = groups
      .map((g) => ({ blobs: g.blobs!, peakRss: g.peakRss!, scale: g.scale, repeats: g.runs.length }))
      .sort((a, b) => a.blobs - b.blobs);
    if (new Set(points.map((p) => p.blobs)).size < 2) continue;
    const model = scaleModel(groups, (g) => g.peakRss!);
    const top = points[points.length - 1]!;
    let extrapolated: ScaleCurve['extrapolated'] = null;
    let notExtrapolated: string | null = null;
    if (model !== null && top.scale !== null && top.scale > 0 && top.scale < 1) {
      const blobs = Math.round(top.blobs / top.scale);
      // a line that does not grow says nothing about larger counts: no prediction from it
      if (model.dominant(blobs).fit.slope > 0) extrapolated = { blobs, peakRss: model.predict(blobs) };
      else notExtrapolated = 'not extrapolated: the measured peaks do not grow with the blob count at these scales';
    }
    const dominant = model?.dominant(extrapolated?.blobs ?? top.blobs) ?? null;
    const g0 = groups[0]!;
    const chartKey = [g0.op, g0.arch, g0.shape ?? '-'].join('|');
    let chart = charts.get(chartKey);
    if (chart === undefined) {
      chart = { title: `${g0.op} on ${g0.shape ?? 'a given repository'}, ${g0.arch}`, op: g0.op, arch: g0.arch, shape: g0.shape, curves: [] };
      charts.set(chartKey, chart);
    }
    chart.curves.push({
      key,
      label: g0.strategy === null ? g0.engine : `${g0.engine}/${g0.strategy}`,
      op: g0.op,
      engine: g0.engine,
      strategy: g0.strategy,
      arch: g0.arch,
      shape: g0.shape,
      emulated: g0.emulated,
      source: g0.peakSource,
      points,
      fit: dominant?.fit ?? null,
      fitPhase: dominant?.phase ?? null,
      phaseFits: model?.fits ?? [],
      model,
      extrapolated,
      notExtrapolated,
    });
  }
  return [...charts.values()];
}
