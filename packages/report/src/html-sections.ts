import type { RunResult } from '@highwater/harness/result';
import { escapeHtml as h, safeHref } from './escape-html.js';
import type { ProfileLink } from './profile-manifest.js';
import type { RunGroup } from './run-groups.js';
import type { ScaleChart } from './scale-curves.js';
import { formatBytes, formatBytesPair } from './size.js';
import { peakText, verdictText } from './verdict.js';

/** HTML fragments of the report page. Every value from a result file passes through `h`. */

/** "count-faithful, content-scaled" with the factor, per shape and scale. */
export function scaleNote(r: Pick<RunResult, 'shape' | 'scale' | 'contentScale'>): string {
  if (r.shape === null && r.scale === null && r.contentScale === null) return 'real counts and contents (given with --repo)';
  const counts = r.scale === null ? 'counts as captured' : r.scale === 1 ? 'count-faithful (every count at full scale)' : `counts at scale ${r.scale}`;
  const cs = r.contentScale;
  const content = cs === null ? 'content scale unknown' : cs === 1 ? 'full-size contents' : `content-scaled: blob contents ÷${formatFactor(cs >= 1 ? cs : 1 / cs)}`;
  return `${counts}, ${content}`;
}

function formatFactor(f: number): string {
  return Number.isInteger(Math.round(f * 1000) / 1000) ? String(Math.round(f)) : f.toFixed(2);
}

export function shapesSection(results: readonly RunResult[]): string {
  const seen = new Map<string, RunResult>();
  for (const r of results) seen.set(`${r.shape}|${r.scale}|${r.contentScale}`, r);
  const items = [...seen.values()].map((r) => `<li><b>${h(r.shape ?? 'a given repository')}</b>${r.scale !== null ? ` at scale ${h(r.scale)}` : ''}: ${h(scaleNote(r))}${r.repoCounts ? `; ${h(r.repoCounts.blobs.toLocaleString('en-US'))} blobs, ${h(r.repoCounts.packs.toLocaleString('en-US'))} packs, ${h(r.repoCounts.indexFiles)} index files, ${h(r.repoCounts.snapshots)} snapshots` : ''}</li>`);
  return `<ul class="shapes">${items.join('')}</ul>`;
}

/** Engine × strategy (rows) × arch (columns) with the verdict, one table per op and shape; scaled verdicts that disagree with the full count say so. */
export function matrixSection(groups: readonly RunGroup[], disagreeing: ReadonlySet<string> = new Set()): string {
  const tables = new Map<string, RunGroup[]>();
  for (const g of groups) {
    const k = `${g.op}|${g.shape}|${g.scale}`;
    const list = tables.get(k);
    if (list === undefined) tables.set(k, [g]);
    else list.push(g);
  }
  const out: string[] = [];
  for (const gs of tables.values()) {
    const g0 = gs[0]!;
    const colKey = (g: RunGroup): string => (g.device ? `${g.arch} (${g.device})` : g.arch);
    const cols = [...new Set(gs.map(colKey))];
    // a run under an explicit budget (not a device's) is its own row beside the unlimited one
    const rowKey = (g: RunGroup): string => `${g.strategy === null ? g.engine : `${g.engine}/${g.strategy}`}${!g.device && g.budgetBytes !== null ? ` (budget ${formatBytes(g.budgetBytes)})` : ''}`;
    const rows = [...new Set(gs.map(rowKey))].sort((a, b) => Number(a.startsWith('restic')) - Number(b.startsWith('restic')));
    const head = `<tr><th>engine / strategy</th>${cols.map((c) => `<th>${h(c)}${gs.some((g) => colKey(g) === c && g.emulated) ? ' <span class="emu">emulated</span>' : ''}</th>`).join('')}</tr>`;
    const body = rows.map((row) => {
      const cells = cols.map((c) => {
        const g = gs.find((x) => rowKey(x) === row && colKey(x) === c);
        if (g === undefined) return '<td class="none">not run</td>';
        const v = verdictText(g);
        const peak = g.status === 'ok' ? `<br><span class="fig">${h(peakText(g))}</span>` : g.status === 'oom' && g.budgetBytes !== null ? `<br><span class="fig">budget ${h(formatBytesPair(g.representative.oomRssBytes ?? g.budgetBytes, g.budgetBytes)[1])}</span>` : '';
        const differs = disagreeing.has(g.key) ? '<br><span class="fig">disagrees with the full count: does not count</span>' : '';
        return `<td class="${h(g.status)}"><b>${h(v)}</b>${peak}${differs}</td>`;
      });
      return `<tr${row.startsWith('restic') ? ' class="peer"' : ''}><th>${h(row)}</th>${cells.join('')}</tr>`;
    });
    out.push(`<h3>${h(g0.op)} on ${h(g0.shape ?? 'a given repository')}${g0.scale !== null ? ` at scale ${h(g0.scale)}` : ''}</h3><table class="matrix"><thead>${head}</thead><tbody>${body.join('')}</tbody></table>`);
  }
  return out.join('\n');
}

export function slopeTable(charts: readonly ScaleChart[]): string {
  const rows: string[] = [];
  for (const c of charts) {
    for (const curve of c.curves) {
      const f = curve.fit;
      const ex = curve.extrapolated;
      rows.push(`<tr><td>${h(c.title)}</td><td>${h(curve.label)}</td><td>${h(curve.points.length)}</td><td>${f ? `${h(f.slope.toFixed(1))}${curve.fitPhase ? ` <span class="fig">(${h(curve.fitPhase)})</span>` : ''}` : '-'}</td><td>${f ? h(formatBytes(f.intercept)) : '-'}</td><td>${f && !Number.isNaN(f.r2) ? h(f.r2.toFixed(4)) : '-'}</td><td class="extrapolated">${ex ? `${h(formatBytes(ex.peakRss))} at ${h(ex.blobs.toLocaleString('en-US'))} blobs <i>(extrapolated, not measured)</i>` : curve.notExtrapolated ? `<i>${h(curve.notExtrapolated)}</i>` : '-'}</td></tr>`);
    }
  }
  if (rows.length === 0) return '<p class="note">No scale curves: they need runs of one configuration at two or more blob counts.</p>';
  return `<table class="slopes"><thead><tr><th>curve</th><th>series</th><th>points</th><th>bytes per blob (least squares)</th><th>intercept</th><th>R²</th><th>at full count</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function profilesSection(profiles: readonly ProfileLink[]): string {
  if (profiles.length === 0) return '<p class="note">No profiles next to this report (make one with <code>highwater profile OP --out DIR</code> in this directory).</p>';
  return profiles
    .map((p) => {
      const m = p.manifest;
      const links = p.files.map((f) => {
        const href = safeHref(f.href);
        return href === null ? `<li>${h(f.label)}: ${h(f.href)}</li>` : `<li><a href="${h(href)}">${h(f.label)}</a></li>`;
      });
      const top = m.topAllocations.slice(0, 10).map((a) => `<tr><td>${h(a.functionName)}</td><td>${h(a.url ? `${a.url}:${a.line}` : '(native)')}</td><td>${h(formatBytes(a.selfBytes))}</td></tr>`);
      const notes = m.notes.map((n) => `<li>${h(n)}</li>`).join('');
      return `<div class="profile"><h3>highwater ${h(m.command.join(' '))}</h3><p>${h(m.tool)} on Node ${h(m.nodeVersion)}, ${h(m.createdAt)}, exit code ${h(m.exitCode ?? 'none')}${m.heapSnapshotAt ? `, heap snapshot at the end of ${h(m.heapSnapshotAt)}` : ''}</p><ul>${links.join('')}</ul>${notes ? `<ul class="note">${notes}</ul>` : ''}${top.length ? `<p class="note">Top allocation sites in highwater and its dependencies (Node's own frames are in the full profile).</p><table><thead><tr><th>function</th><th>where</th><th>${m.includesCollected ? 'allocated during the run (sampled, collected included)' : 'live at exit (sampled)'}</th></tr></thead><tbody>${top.join('')}</tbody></table>` : ''}</div>`;
    })
    .join('\n');
}

export const SOURCES_LEGEND = `<dl class="legend">
<dt>vmhwm</dt><dd>the kernel's peak resident set of the process (<code>VmHWM</code> in /proc/PID/status): exact.</dd>
<dt>vmhwm-phase</dt><dd>the same, reset at each phase start (<code>clear_refs</code>) and read at its end: the exact peak of that phase.</dd>
<dt>maxrss</dt><dd>the process's own lifetime peak (<code>getrusage</code>): exact, whole process.</dd>
<dt>cgroup</dt><dd>cgroup v2 <code>memory.peak</code>: exact, whole process tree, includes page cache.</dd>
<dt>sampled</dt><dd>point samples of RSS: draw timelines with them, never gate on them; spikes shorter than the interval are missed.</dd>
<dt>emulated</dt><dd>arm runs under qemu-user: RSS is read on the host and includes the emulator; "less baseline" subtracts an idle Node under the same emulator. V8 heap figures from the guest are exact.</dd>
</dl>`;
