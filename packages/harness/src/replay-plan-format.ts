import type { ReplayPlan } from './replay-plan.js';
import { formatSize } from './size.js';

/** The plan as `replay --dry-run --json` prints it: JSON-safe, no password, the launcher as its command line. */
export function replayPlanJson(p: ReplayPlan): Record<string, unknown> {
  return {
    op: p.op,
    engine: p.engineSpec,
    engineBinary: p.engineBinary,
    restic: p.restic,
    strategy: p.strategyLabel,
    arch: p.arch,
    emulator: p.emulator,
    device: p.device?.name ?? null,
    budgetBytes: p.budgetBytes,
    budgetFrom: p.budgetFrom,
    repeat: p.repeat,
    sampleIntervalMs: p.sampleIntervalMs,
    source: p.source,
    password: p.password,
    backupBase: p.backupBase,
    copyRepo: p.copyRepo,
    measuresBaseline: p.measuresBaseline,
    smallPacks: p.smallPacks,
    commandLine: p.commandLine,
  };
}

const quote = (a: string): string => (/^[\w@%+=:,./<>-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);

/** The plan as `replay --dry-run` prints it: one fact a line. */
export function formatReplayPlan(p: ReplayPlan): string[] {
  const out: string[] = [];
  const engine = p.isRestic
    ? `${p.engineSpec}${p.engineBinary !== null ? ` (${p.engineBinary})` : ''}${p.restic?.cached === true ? `, cached in ${p.restic.buildDir}` : p.restic?.cached === false ? `, fetched into ${p.restic.buildDir} on first use` : ''}`
    : `highwater, strategy ${p.strategyLabel ?? '-'}`;
  out.push(`operation: ${p.op}`);
  out.push(`engine: ${engine}`);
  out.push(`arch: ${p.arch}${p.emulator ? ` (under ${p.emulator})` : ''}${p.device ? `, device ${p.device.name}` : ''}`);
  out.push(`budget: ${p.budgetBytes === null ? 'none' : `${formatSize(p.budgetBytes)} (${p.budgetFrom === 'device' ? `the device's` : 'given'})`}`);
  const s = p.source;
  if (s.kind === 'shape') {
    out.push(`repository: shape ${s.name} at scale ${s.scale}, seed ${s.seed}: ${s.counts.blobs} blobs, ${s.counts.packs} packs, ${s.counts.indexFiles} index files, ${s.counts.snapshots} snapshots; content scale ${s.contentScale.toPrecision(3)}`);
    out.push(`  ${s.cached ? 'reused from' : 'generated into'} ${s.dir}`);
  } else if (s.kind === 'repo') out.push(`repository: ${s.path} (password: ${p.password})`);
  else out.push('repository: none (a child script runs)');
  if (p.backupBase) out.push(`backup parent: ${p.backupBase.kind === 'shape' ? "a snapshot of the shape's source tree (cached)" : `a snapshot of ${p.backupBase.files} files, per repeat`}`);
  if (p.copyRepo) out.push('each repeat works on a hard-linked copy of the repository');
  if (p.smallPacks) {
    const sp = p.smallPacks;
    const what = sp.threshold === 'scaled' ? `scaled, --repack-smaller-than ${sp.scaledBytes} B (${formatSize(sp.defaultBytes)} x content scale)` : sp.threshold === 'by-version' ? `scaled to ${sp.scaledBytes} B if restic >= 0.17` : `unscaled (the engine's ${formatSize(sp.defaultBytes)})`;
    out.push(`prune small packs: ${what}${sp.note ? `; ${sp.note}` : ''}`);
  }
  out.push(`repeats: ${p.repeat}, sampling every ${p.sampleIntervalMs} ms${p.measuresBaseline ? ', after measuring the idle emulator baseline once' : ''}`);
  out.push(`command: ${p.commandLine.map(quote).join(' ')}`);
  return out;
}
