import type { GateCheck, GateReport } from './gate.js';
import { formatBytes } from './size.js';

/**
 * Text renderings of a gate verdict: a fixed-width table for terminals and CI logs, Markdown for a
 * pull-request comment, JSON for machines. Failures first; each failure names the budget, the
 * measured value (median of N, source) and the phase with the highest peak.
 */
const METRIC: Record<GateCheck['metric'], string> = {
  status: 'run status',
  peakRss: 'peak RSS',
  heapUsed: 'heap used',
  regression: 'regression',
  selection: 'selection',
};

interface Row {
  verdict: string;
  budget: string;
  run: string;
  metric: string;
  limit: string;
  measured: string;
  phase: string;
}

function rows(report: GateReport): Row[] {
  const ordered = [...report.failures, ...report.checks.filter((c) => c.pass)];
  return ordered.map((c) => ({
    verdict: c.pass ? 'ok' : 'FAIL',
    budget: c.budget,
    run: c.run,
    metric: METRIC[c.metric],
    limit: c.limit === null ? '-' : c.metric === 'regression' && c.baseline !== null ? `${formatBytes(c.limit)} (base ${formatBytes(c.baseline)})` : formatBytes(c.limit),
    measured: measuredText(c),
    phase: c.phase === null ? '-' : c.phasePeak === null ? c.phase : `${c.phase} (${formatBytes(c.phasePeak)})`,
  }));
}

function measuredText(c: GateCheck): string {
  if (c.metric === 'status' || c.metric === 'selection') return c.detail;
  if (c.measured === null) return c.detail;
  const src = [c.source ?? 'unknown source', c.emulated ? 'emulated' : null].filter(Boolean).join(', ');
  return `${formatBytes(c.measured)} (median of ${c.repeats}, ${src})`;
}

const HEAD: Row = { verdict: 'verdict', budget: 'budget', run: 'run', metric: 'metric', limit: 'limit', measured: 'measured', phase: 'highest phase' };
const COLS = Object.keys(HEAD) as (keyof Row)[];

export function renderGateText(report: GateReport): string {
  const all = [HEAD, ...rows(report)];
  const width = Object.fromEntries(COLS.map((k) => [k, Math.max(...all.map((r) => r[k].length))])) as Record<keyof Row, number>;
  const lines = all.map((r) => COLS.map((k) => r[k].padEnd(width[k])).join('  ').trimEnd());
  lines.splice(1, 0, COLS.map((k) => '-'.repeat(width[k])).join('  '));
  lines.push('', summaryLine(report));
  for (const u of report.unmatched) lines.push(`warning: optional budget "${u}" checked nothing: it selects no result it applies to (a regression-only budget needs --baseline)`);
  for (const n of report.noBaseline) lines.push(`warning: no baseline to compare for ${n}`);
  return lines.join('\n') + '\n';
}

export function summaryLine(report: GateReport): string {
  const n = report.checks.length;
  return report.pass
    ? `gate: all ${n} checks hold`
    : `gate: ${report.failures.length} of ${n} checks fail: ${[...new Set(report.failures.map((f) => f.budget))].join(', ')}`;
}

function mdCell(s: string): string {
  return s.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export function renderGateMarkdown(report: GateReport): string {
  const out = [`### Memory gate: ${report.pass ? 'pass' : 'FAIL'}`, '', mdCell(summaryLine(report)), ''];
  out.push(`| ${COLS.map((k) => HEAD[k]).join(' | ')} |`, `|${COLS.map(() => '---').join('|')}|`);
  for (const r of rows(report)) out.push(`| ${COLS.map((k) => (k === 'verdict' && r.verdict === 'FAIL' ? '**FAIL**' : mdCell(r[k]))).join(' | ')} |`);
  for (const u of report.unmatched) out.push('', `> optional budget "${mdCell(u)}" checked nothing: it selects no result it applies to`);
  for (const n of report.noBaseline) out.push('', `> no baseline to compare for ${mdCell(n)}`);
  return out.join('\n') + '\n';
}

export function gateJson(report: GateReport): string {
  return JSON.stringify({ pass: report.pass, failures: report.failures.length, checks: report.checks, unmatched: report.unmatched, noBaseline: report.noBaseline }, null, 2) + '\n';
}
