// Peak RSS while saving 256 MiB of incompressible 1 MiB blobs (LocalBackend in /tmp, v2, no fsync).
// Run after `npm run build`: node [--expose-gc] packages/repo/src/bench/save-memory.bench.mjs <packSize MiB> [spool]
// (`spool`: packs fill temporary files in os.tmpdir(), the default of WriteOptions.spoolDir; without: in memory)
import { initRepository } from '../../dist/index.js';
import { LocalBackend } from '../../../backend/dist/index.js';
import { randomPolynomial } from '../../../chunker/dist/index.js';
import { randomFillSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
const packSize = Number(process.argv[2]) * 2 ** 20;
const dir = mkdtempSync('/tmp/hw-mem-');
const r = await (await initRepository({ backend: new LocalBackend({ path: dir, sync: false }), password: 'x', version: 2, polynomial: randomPolynomial(), kdf: { N: 1024, r: 8, p: 1 }, packSize, spoolDir: process.argv[3] === 'spool' ? tmpdir() : null, // default: tmpdir() choices: { cacheDir: null } })).loadIndex();
const base = process.resourceUsage().maxRSS;
const buf = new Uint8Array(1 << 20);
let peak = 0; for (let i = 0; i < 256; i++) { randomFillSync(buf); await r.saveBlob("data", buf.slice()); if (globalThis.gc && i % 8 === 0) { gc(); peak = Math.max(peak, process.memoryUsage().rss); } }
if (globalThis.gc) console.log("rss after gc, peak sampled:", (peak / 2 ** 20).toFixed(0), "MiB", "external", (process.memoryUsage().external / 2 ** 20).toFixed(0));
await r.flush();
console.log(`packSize ${process.argv[2]} MiB${process.argv[3] === 'spool' ? ' spooled' : ''}: maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (before saving ${(base / 1024).toFixed(0)} MiB)`);
rmSync(dir, { recursive: true });
