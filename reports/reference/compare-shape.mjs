#!/usr/bin/env node
/**
 * node reports/reference/compare-shape.mjs --shape NAME --scale S [--seed N] --captured FILE
 *   [--generated FILE] [--check-log FILE] [--check-exit N] [--generate-exit N] [--capture-exit N]
 *   [--walls GEN,CHECK,CAPTURE]
 *
 * Compares a shape captured from a generated repository (`highwater shape capture`) with what the
 * generator planned for (shape, scale, seed) (`planGeneration` of @highwater/shapes) and prints one
 * JSON verdict: every count side by side, exact where the generator is exact (blobs by type, packs,
 * index files, total index entries, snapshots, keys, files), index entries per file compared sorted
 * (an index file holds whole packs, so each may differ from the plan by at most the largest pack's
 * blob count: "within rounding"), churn and tree figures within 5 %. Exit 0 when everything holds
 * and restic check passed, 1 otherwise, 2 on bad arguments.
 */
import { readFileSync } from 'node:fs';
import { loadShape, planGeneration } from '@highwater/shapes';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const shapeName = opt('--shape');
const scale = Number(opt('--scale'));
const seed = Number(opt('--seed') ?? '1');
const capturedFile = opt('--captured');
if (!shapeName || !(scale > 0) || !capturedFile) {
  console.error('compare-shape.mjs: --shape NAME --scale S --captured FILE are required');
  process.exit(2);
}
const readJson = (f) => {
  try {
    return JSON.parse(readFileSync(f, 'utf8'));
  } catch (err) {
    console.error(`compare-shape.mjs: ${f}: ${err.message}`);
    process.exit(2);
  }
};
const captured = readJson(capturedFile);
const { shape } = loadShape(shapeName);
const plan = planGeneration({ shape, scale, seed });

const planned = {
  dataBlobs: plan.dataBlobs,
  treeBlobs: plan.treeBlobs,
  packs: plan.dataPackBlobs.length + plan.treePacks,
  indexFiles: plan.indexFileEntries.length,
  indexEntries: plan.indexFileEntries.reduce((a, b) => a + b, 0),
  snapshots: plan.snapshots,
  keys: plan.keys,
  files: Math.round(shape.trees.files * scale),
};
const capEntries = captured.indexFiles.entries.values ?? [];
const got = {
  dataBlobs: captured.blobs.data,
  treeBlobs: captured.blobs.tree,
  packs: captured.packs.count,
  indexFiles: captured.indexFiles.count,
  indexEntries: capEntries.reduce((a, b) => a + b, 0),
  snapshots: captured.snapshots.count,
  keys: captured.repository.keys,
  files: captured.trees.files,
};
const exact = Object.keys(planned).map((k) => ({ count: k, planned: planned[k], captured: got[k], holds: planned[k] === got[k] }));

const maxPackBlobs = Math.max(...plan.dataPackBlobs);
const a = [...plan.indexFileEntries].sort((x, y) => y - x);
const b = [...capEntries].sort((x, y) => y - x);
const maxDiff = a.length === b.length ? Math.max(...a.map((v, i) => Math.abs(v - b[i]))) : null;
const perFile = { plannedLargest: a[0], capturedLargest: b[0], maxAbsDiffSorted: maxDiff, largestPackBlobs: maxPackBlobs, holds: maxDiff !== null && maxDiff <= maxPackBlobs };

const rel = (p, c) => (p === 0 ? (c === 0 ? 0 : 1) : Math.abs(c - p) / p);
const near = [
  ['snapshots.churn', shape.snapshots.churn, captured.snapshots.churn],
  ['trees.filesPerDirectory', shape.trees.filesPerDirectory, captured.trees.filesPerDirectory],
  ['trees.depth', shape.trees.depth, captured.trees.depth],
  ['trees.largestDirectory', Math.max(1, Math.round(shape.trees.largestDirectory * scale)), captured.trees.largestDirectory],
].map(([name, p, c]) => ({ figure: name, shape: p, captured: c, relDiff: Number(rel(p, c).toFixed(4)), holds: rel(p, c) <= 0.05 }));

const ex = (n) => (opt(n) === undefined ? null : Number(opt(n)));
const checkLog = opt('--check-log') ? readFileSync(opt('--check-log'), 'utf8') : null;
const walls = (opt('--walls') ?? '').split(',').filter(Boolean).map(Number);
const checkOk = ex('--check-exit') === 0 && checkLog !== null && /no errors were found/.test(checkLog);
const countsHold = exact.every((e) => e.holds) && perFile.holds && near.every((n) => n.holds);
const verdict = {
  shape: shapeName,
  scale,
  seed,
  generator: opt('--generated') ? readJson(opt('--generated')) : null,
  generateExit: ex('--generate-exit'),
  resticCheckReadData: { exit: ex('--check-exit'), noErrorsFound: checkLog !== null && /no errors were found/.test(checkLog), tail: checkLog?.trim().split('\n').slice(-3) ?? null },
  captureExit: ex('--capture-exit'),
  wallSeconds: walls.length === 3 ? { generate: walls[0], resticCheckReadData: walls[1], capture: walls[2] } : null,
  exactCounts: exact,
  indexEntriesPerFile: perFile,
  nearFigures: near,
  holds: checkOk && countsHold,
};
console.log(JSON.stringify(verdict, null, 2));
process.exit(verdict.holds ? 0 : 1);
