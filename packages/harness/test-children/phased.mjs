// A child for the harness's tests and benchmark: runs phases described in argv[2] (JSON) under a
// recorder from the environment, allocating known amounts in each. Run with --expose-gc so memory
// is given back between phases.
//   { phase, mib?, heapMib?, ms?, growMib?, tickMs?, untilMib?, heapForever?, cpuMs?, children? }
// mib: a Buffer of that size, every page written; heapMib: about that much V8 heap in arrays;
// growMib/tickMs: allocate growMib more every tickMs until untilMib (forever when absent);
// heapForever: grow the V8 heap until Node dies of it; cpuMs: busy-loop that long.
import { recorderFromEnv } from '@highwater/probe';

const MiB = 1024 * 1024;
const probe = recorderFromEnv(process.env);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function run(p) {
  probe.begin(p.phase);
  const rss0 = process.memoryUsage.rss();
  let held = [];
  if (p.mib) held.push(Buffer.alloc(p.mib * MiB, 1));
  if (p.heapMib) {
    // ~8 bytes per double element in a packed double array (64-bit), 4 per smi on 32-bit.
    for (let i = 0; i < p.heapMib; i++) held.push(new Array(MiB / 8).fill(1.5));
  }
  if (p.growMib) {
    let total = 0;
    while (p.untilMib === undefined || total < p.untilMib) {
      held.push(Buffer.alloc(p.growMib * MiB, 1));
      total += p.growMib;
      await sleep(p.tickMs ?? 20);
    }
  }
  if (p.heapForever) {
    for (;;) held.push(new Array(MiB / 8).fill(2.5));
  }
  if (p.cpuMs) {
    const end = performance.now() + p.cpuMs;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + 1);
    held.push(x);
  }
  if (p.ms) await sleep(p.ms);
  for (const c of p.children ?? []) await run(c);
  held = null;
  // V8 frees array buffer memory on a background thread after a GC: wait (up to 2 s) until the
  // RSS is back near where the phase started, so the next phase starts from there.
  for (let i = 0; globalThis.gc && i < 80; i++) {
    globalThis.gc();
    if (process.memoryUsage.rss() < rss0 + 8 * MiB) break;
    await sleep(25);
  }
  probe.end(p.phase);
}

for (const p of JSON.parse(process.argv[2] ?? '[]')) await run(p);
