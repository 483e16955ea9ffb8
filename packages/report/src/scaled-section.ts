import { escapeHtml as h } from './escape-html.js';
import { groupLabel } from './run-groups.js';
import type { ScaledVerdict } from './scaled-verdicts.js';
import { formatBytes } from './size.js';
import { verdictText } from './verdict.js';

/** The rule of scaled devices, in one paragraph (HTML and Markdown share it). */
export const SCALED_RULE =
  'A scaled device gives a run at scale s (the shape\'s counts times s) the budget F + s × (M − F): M is the real device\'s memory, ' +
  'F the idle baseline of the engine on the arch it runs on (the same operation on a repository with no entries: the runtime, its code, the emulator), measured and recorded in the device file. ' +
  'What does not grow with the counts is not scaled; what does gets s of the room it has on the real device. The rule is exact where memory grows linearly with the counts; where it does not, ' +
  'a scaled verdict can differ from the full count, so each is checked against the verdict recorded at full count (scale 1) for the same operation, shape, engine and arch on the real device, and counts only where they agree.';

/** HTML: the rule, then one row per scaled configuration with both verdicts. */
export function scaledSection(verdicts: readonly ScaledVerdict[]): string {
  const rows = verdicts.map((v) => {
    const g = v.group;
    const f = v.idleBaselineBytes;
    const budget = g.budgetBytes === null ? '-' : formatBytes(g.budgetBytes);
    const rule = f === null || v.ruleBudgetBytes === null ? 'no idle baseline in the device file' : `${formatBytes(f)} + ${g.scale} × (${formatBytes(v.device.memoryBytes)} − ${formatBytes(f)}) = ${formatBytes(v.ruleBudgetBytes)}${v.ruleBudgetBytes !== g.budgetBytes ? ' (differs from the run\'s budget!)' : ''}`;
    const split = v.agrees !== null && v.runsAgreeing > 0 && v.runsAgreeing < g.runs.length ? ` (${v.runsAgreeing} of ${g.runs.length} runs)` : '';
    const agree = v.agrees === null ? '<td class="none">no full-count record: does not count</td>' : v.agrees ? `<td class="agree">agrees${h(split)}: counts</td>` : `<td class="disagree">disagrees${h(split)}: does not count</td>`;
    return `<tr><th>${h(groupLabel(g))}</th><td>${h(rule)}</td><td class="${h(g.status)}"><b>${h(verdictText(g))}</b>${g.peakRss !== null && g.status === 'ok' ? ` <span class="fig">peak ${h(formatBytes(g.peakRss))} of ${h(budget)}</span>` : ''}</td><td>${v.fullCount ? `<b>${h(v.fullCount.status)}</b> <span class="fig">${h(v.fullCount.how)}</span>` : '-'}</td>${agree}</tr>`;
  });
  const measured = new Map<string, string>();
  for (const v of verdicts) for (const b of v.device.idleBaselines) measured.set(`${v.device.name}, ${b.engine} on ${b.arch}`, b.measured);
  const list = [...measured].map(([k, m]) => `<li>${h(k)}: ${h(m)}</li>`).join('');
  return `<p>${h(SCALED_RULE)}</p><table class="scaled"><thead><tr><th>configuration</th><th>budget = F + s × (M − F)</th><th>verdict at this scale</th><th>full-count verdict (scale 1, real device)</th><th>agreement</th></tr></thead><tbody>${rows.join('')}</tbody></table><p class="note">Idle baselines (F), as measured:</p><ul class="note">${list}</ul>`;
}
