import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = join(ROOT, 'packages/cli/bin/highwater.js');
const PROOF = join(ROOT, 'fixtures/matrix/tiny-proof.json');

/** Runs the built CLI in its own process (as a CI runner would). */
function hw(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, maxBuffer: 16 << 20 }, (err, out, errText) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: String(out), err: String(errText) });
    });
  });
}

interface GateJson {
  pass: boolean;
  checks: { budget: string; run: string; metric: string; pass: boolean; repeats: number }[];
  merge?: string[];
}

describe('highwater matrix', () => {
  it('plans a table, GitHub matrix JSON, and refuses bad input with one line and exit 2', async () => {
    const table = await hw(['matrix', 'plan', PROOF, '--shards', '3']);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^shard +est\. cost +from +run$/m);
    expect(table.out).toContain('1/3    360 blobs  count  highwater/naive check native tiny@1 #1/1');
    expect(table.out).toContain('6 runs; the longest shard is 100% of the mean (blob counts: no --costs given)');
    const gh = await hw(['matrix', 'plan', PROOF, '--shards', '3', '--github']);
    expect(JSON.parse(gh.out)).toEqual({ include: [{ shard: '1/3' }, { shard: '2/3' }, { shard: '3/3' }] });
    const dir = mkdtempSync(join(tmpdir(), 'hw-matrix-cli-'));
    const badFile = join(dir, 'bad.json');
    writeFileSync(badFile, JSON.stringify({ name: 'x', runs: [{ shape: 'tiny', ops: ['check'], engines: ['borg'] }] }));
    for (const [args, msg] of [
      [['matrix', 'run', PROOF, '--shard', '4/3', '--out', dir], "bad shard '4/3': i must be from 1 to 3"],
      [['matrix', 'plan', PROOF, '--shards', 'many'], 'bad shard count "many"'],
      [['matrix', 'plan', badFile, '--shards', '2'], `${badFile}: runs[0].engines[0]: got "borg", expected highwater, restic or restic@VERSION`],
      [['matrix', 'plan', PROOF, '--shards', '2', '--costs', join(dir, 'none')], 'cannot read: ENOENT'],
    ] as const) {
      const r = await hw([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toContain(msg);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
    expect(readdirSync(dir)).toEqual(['bad.json']);
  });

  it('3 shards in 3 processes merge into the same runs and verdicts as the unsharded matrix; resumable; a missing run fails the gate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-matrix-proof-'));
    try {
      const budgets = join(dir, 'budgets.json');
      writeFileSync(budgets, JSON.stringify([
        { name: 'roomy', shape: 'tiny', maxPeakRss: '2GiB' },
        { name: 'impossible for naive check', shape: 'tiny', op: 'check', strategy: 'naive', maxPeakRss: '1MiB' },
      ]));
      const whole = join(dir, 'whole');
      const shards = [1, 2, 3].map((i) => join(dir, `shard-${i}`));
      const runs = await Promise.all([
        hw(['matrix', 'run', PROOF, '--shard', '1/1', '--out', whole, '--quiet']),
        ...shards.map((s, i) => hw(['matrix', 'run', PROOF, '--shard', `${i + 1}/3`, '--out', s, '--quiet'])),
      ]);
      for (const r of runs) expect(r.code, r.err).toBe(0);
      expect(runs[0]!.out).toContain('shard 1/1: 6 ran, 0 skipped');
      expect(shards.map((s) => readdirSync(s).length)).toEqual([2, 2, 2]);
      expect(shards.flatMap((s) => readdirSync(s)).sort()).toEqual(readdirSync(whole).sort());

      const gate = async (folders: string[]): Promise<GateJson & { code: number }> => {
        const r = await hw(['gate', '--budgets', budgets, '--matrix', PROOF, ...folders, '--json']);
        return { ...(JSON.parse(r.out) as GateJson), code: r.code };
      };
      const a = await gate([whole]);
      const b = await gate(shards);
      const verdicts = (g: GateJson): string[] => g.checks.map((c) => `${c.budget} | ${c.run} | ${c.metric} | ${c.pass} | ${c.repeats}`).sort();
      expect(verdicts(b)).toEqual(verdicts(a));
      expect(a.checks).toHaveLength(7);
      expect(a.checks.filter((c) => !c.pass).map((c) => c.budget)).toEqual(['impossible for naive check']);
      expect([a.code, b.code]).toEqual([1, 1]);
      expect(a.merge ?? []).toEqual([]);

      // resumable: nothing left to do
      const again = await hw(['matrix', 'run', PROOF, '--shard', '2/3', '--out', shards[1]!, '--quiet']);
      expect(again.out).toContain('shard 2/3: 0 ran, 2 skipped (already there), 0 failed');

      // a shard's result lost and another's copied twice: named, and the loss fails the gate
      const lost = readdirSync(shards[1]!).sort()[0]!;
      rmSync(join(shards[1]!, lost));
      const dup = readdirSync(shards[0]!).sort()[0]!;
      copyFileSync(join(shards[0]!, dup), join(shards[2]!, dup));
      const roomy = join(dir, 'roomy.json');
      writeFileSync(roomy, JSON.stringify([{ name: 'roomy', shape: 'tiny', maxPeakRss: '2GiB' }]));
      const r = await hw(['gate', '--budgets', roomy, '--matrix', PROOF, ...shards]);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/^FAIL: 1 planned run missing$/m);
      expect(r.out).toMatch(/^missing run highwater\/\w+ (check|load-index) native tiny@1 #1\/1 \(planned in .*tiny-proof\.json\)$/m);
      expect(r.out).toMatch(/^duplicate run highwater\/\w+ (check|load-index) native tiny@1 #1\/1: in .*shard-1\/.* and .*shard-3\/.* \(the first is used\)$/m);
      const report = await hw(['report', '--matrix', PROOF, ...shards]);
      expect(report.code).toBe(0);
      expect(report.err).toMatch(/^report: missing run /m);
      // the shard that lost a run does it again, and only it
      const resumed = await hw(['matrix', 'run', PROOF, '--shard', '2/3', '--out', shards[1]!, '--quiet']);
      expect(resumed.out).toContain('shard 2/3: 1 ran, 1 skipped');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
