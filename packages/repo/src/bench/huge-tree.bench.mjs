// Peak RSS of reading one huge directory tree whole (JSON.parse) or streamed (treeNodes), the
// restic #3650 case. Run after `npm run build`:
//   node packages/repo/src/bench/huge-tree.bench.mjs make <dir> <nodes>   (writes a v1 repository with one tree)
//   node packages/repo/src/bench/huge-tree.bench.mjs read <dir> whole|stream
import { initRepository, openRepository, idToHex, idFromHex } from '../../dist/index.js';
import { LocalBackend } from '../../../backend/dist/index.js';
import { randomPolynomial } from '../../../chunker/dist/index.js';
import { readFileSync, writeFileSync } from 'node:fs';

const [mode, dir, arg] = process.argv.slice(2);
const choices = { cacheDir: null, index: 'packed' };
if (mode === 'make') {
  const r = await (await initRepository({ backend: new LocalBackend({ path: dir, sync: false }), password: 'x', version: 1, polynomial: randomPolynomial(), kdf: { N: 1024, r: 8, p: 1 }, choices })).loadIndex();
  const n = Number(arg);
  const nodes = [];
  for (let i = 0; i < n; i++) nodes.push({ name: `file-${String(i).padStart(9, '0')}.dat`, type: 'file', mode: 420, mtime: '2024-01-02T03:04:05.123456789Z', atime: '2024-01-02T03:04:05.123456789Z', ctime: '2024-01-02T03:04:05.123456789Z', uid: 1000, gid: 1000, user: 'user', group: 'group', inode: 1000 + i, device_id: 2049, size: 4096, links: 1, content: ['ab'.repeat(32)] });
  const id = await r.saveTree({ nodes });
  await r.flush();
  writeFileSync(`${dir}/tree-id`, idToHex(id));
  const loc = r.index.lookup('tree', id);
  console.log(`tree of ${n} nodes stored in ${(loc.length / 2 ** 20).toFixed(1)} MiB`);
} else {
  const r = await (await openRepository({ backend: new LocalBackend({ path: dir }), password: 'x', choices: { ...choices, treeDecode: arg } })).loadIndex();
  const id = idFromHex(readFileSync(`${dir}/tree-id`, 'utf8'));
  const before = process.resourceUsage().maxRSS;
  let count = 0;
  if (arg === 'whole') count = (await r.loadTree(id)).nodes.length;
  else for await (const _ of r.treeNodes(id)) count++;
  console.log(`${arg}: ${count} nodes, maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (before ${(before / 1024).toFixed(0)} MiB)`);
}
