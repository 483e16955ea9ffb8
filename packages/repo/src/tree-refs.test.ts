import { describe, expect, it } from 'vitest';
import { decodeTree, encodeTree, REF_DIR, REF_FILE, REF_OTHER, scanTreeRefs, TreeRefs, type TreeNode } from '@highwater/repo';

/** A deterministic generator (tests must not depend on the run). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

const hexId = (r: () => number): string => Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(r() * 16)]).join('');
const NAMES = ['a', 'file.txt', 'dir with space', 'quote"inside', 'back\\slash', 'tab\there', 'ünïcødé', '日本語', 'nl\nx', '\u2028sep', 'emoji😀', ''];

function randomNode(r: () => number, i: number): TreeNode {
  const name = `${NAMES[Math.floor(r() * NAMES.length)]}${i}`;
  const kind = r();
  if (kind < 0.5) {
    const content = Array.from({ length: Math.floor(r() * 4) }, () => hexId(r));
    return { name, type: 'file', mode: 0o644, size: 10 * i, uid: 1000, gid: 1000, user: 'u', group: 'g', inode: i + 1, links: 1, content };
  }
  if (kind < 0.8) return { name, type: 'dir', mode: 2 ** 31 + 0o755, subtree: hexId(r) };
  if (kind < 0.9) return { name, type: 'symlink', linktarget: `../t${i}`, extended_attributes: [{ name: 'user.x', value: 'AAE=' }] };
  return { name, type: 'fifo', error: 'a "quoted" error' };
}

/** What a TreeRefs holds, as plain values. */
function dump(r: TreeRefs): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < r.count; i++) {
    const ids: string[] = [];
    for (let c = r.contentFrom[i]!; c < r.contentFrom[i + 1]!; c++) ids.push(Buffer.from(r.contentIds.subarray(32 * c, 32 * c + 32)).toString('hex'));
    out.push({
      type: r.types[i],
      name: r.name(i),
      subtree: r.hasSubtree[i] === 1 ? Buffer.from(r.subtrees.subarray(32 * i, 32 * i + 32)).toString('hex') : null,
      ids,
    });
  }
  return out;
}

/** decodeTree's verdict as refs, or 'rejected'. */
function reference(b: Uint8Array): unknown[] | 'rejected' {
  let nodes: TreeNode[];
  try {
    nodes = decodeTree(b).nodes;
  } catch {
    return 'rejected';
  }
  const r = new TreeRefs();
  r.fromNodes(nodes);
  return dump(r);
}

/** The contract: when the scan takes a document, decodeTree accepts it and gives the same refs. */
function expectAgrees(b: Uint8Array, r = new TreeRefs()): boolean {
  const took = scanTreeRefs(b, r);
  if (took) expect(dump(r)).toEqual(reference(b));
  return took;
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const ID = 'ab'.repeat(32);

describe('scanTreeRefs', () => {
  it('takes the trees encodeTree writes and gives decodeTree’s refs', () => {
    const r = rng(1);
    const refs = new TreeRefs(); // reused: each scan starts afresh
    for (let t = 0; t < 200; t++) {
      const nodes = Array.from({ length: Math.floor(r() * 40) }, (_, i) => randomNode(r, i));
      const b = encodeTree({ nodes });
      expect(expectAgrees(b, refs)).toBe(true);
      expect(refs.count).toBe(nodes.length);
    }
  });

  it('gives types, names, subtrees and content ids', () => {
    const b = encodeTree({
      nodes: [
        { name: 'f', type: 'file', content: [ID, 'cd'.repeat(32)] },
        { name: 'd "x"', type: 'dir', subtree: 'ef'.repeat(32) },
        { name: 'l', type: 'symlink', linktarget: 'f' },
      ],
    });
    const r = new TreeRefs();
    expect(scanTreeRefs(b, r)).toBe(true);
    expect([r.types[0], r.types[1], r.types[2]]).toEqual([REF_FILE, REF_DIR, REF_OTHER]);
    expect(r.name(1)).toBe('d "x"');
    expect(r.contentFrom[1]! - r.contentFrom[0]!).toBe(2);
    expect(Buffer.from(r.contentIds.subarray(32, 64)).toString('hex')).toBe('cd'.repeat(32));
    expect(Buffer.from(r.subtrees.subarray(32, 64)).toString('hex')).toBe('ef'.repeat(32));
    expect(r.hasSubtree[0]).toBe(0);
  });

  it('never takes a document decodeTree rejects, nor gives other refs: random damage to valid trees', () => {
    const r = rng(7);
    const refs = new TreeRefs();
    const alphabet = bytes('{}[]",:\\ 0123456789abcdefnulltruefalse-+.eE\t\n\u0001x');
    let taken = 0;
    let tried = 0;
    for (let t = 0; t < 300; t++) {
      const nodes = Array.from({ length: 1 + Math.floor(r() * 6) }, (_, i) => randomNode(r, i));
      const valid = encodeTree({ nodes });
      for (let m = 0; m < 40; m++) {
        const b = Array.from(valid);
        const edits = 1 + Math.floor(r() * 3);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(r() * b.length);
          const op = r();
          const ch = alphabet[Math.floor(r() * alphabet.length)]!;
          if (op < 0.4) b[at] = ch;
          else if (op < 0.7) b.splice(at, 1);
          else b.splice(at, 0, ch);
        }
        tried++;
        if (expectAgrees(Uint8Array.from(b), refs)) taken++;
      }
    }
    // Most damage breaks the JSON; some (a changed digit, a name's letter) leaves a valid tree.
    expect(taken).toBeGreaterThan(0);
    expect(taken).toBeLessThan(tried);
  });

  it.each([
    ['an escaped key that spells a field', `{"nodes":[{"n\\u0061me":"a","type":"file","content":null}]}`],
    ['an escaped key that repeats a field', `{"nodes":[{"name":"a","type":"file","t\\u0079pe":"dir","subtree":"${ID}"}]}`],
    ['a repeated field (JSON.parse keeps the last)', `{"nodes":[{"name":"a","type":"file","type":"dir","subtree":"${ID}"}]}`],
    ['a repeated "nodes"', `{"nodes":[],"nodes":[{"name":"a","type":"dir","subtree":"${ID}"}]}`],
    ['"nodes": null', `{"nodes":null}`],
    ['no "nodes"', `{}`],
    ['a byte order mark', `\ufeff{"nodes":[]}`],
    ['an upper-case subtree id', `{"nodes":[{"name":"a","type":"dir","subtree":"${ID.toUpperCase()}"}]}`],
    ['an escaped type', `{"nodes":[{"name":"a","type":"fil\\u0065","content":["${ID}"]}]}`],
  ])('leaves to decodeTree: %s', (_what, doc) => {
    const b = bytes(doc);
    expect(scanTreeRefs(b, new TreeRefs())).toBe(false);
    expectAgrees(b);
  });

  it.each([
    ['a content id that is not hex', `{"nodes":[{"name":"a","type":"file","content":["${ID.slice(1)}g"]}]}`],
    ['a null in content', `{"nodes":[{"name":"a","type":"file","content":[null]}]}`],
    ['a node without a type', `{"nodes":[{"name":"a"}]}`],
    ['a name that is not a string', `{"nodes":[{"name":1,"type":"file"}]}`],
    ['a control byte in a string', `{"nodes":[{"name":"a\u0001","type":"file"}]}`],
    ['a bad escape', `{"nodes":[{"name":"a\\x","type":"file"}]}`],
    ['a leading zero', `{"nodes":[{"name":"a","type":"file","size":01}]}`],
    ['a bare minus', `{"nodes":[{"name":"a","type":"file","size":-}]}`],
    ['a trailing comma', `{"nodes":[{"name":"a","type":"file"},]}`],
    ['bytes after the document', `{"nodes":[]} x`],
    ['a cut document', `{"nodes":[{"name":"a","type":"fi`],
  ])('rejects what decodeTree rejects: %s', (_what, doc) => {
    const b = bytes(doc);
    expect(scanTreeRefs(b, new TreeRefs())).toBe(false);
    expect(reference(b)).toBe('rejected');
  });

  it.each([
    ['other fields of every JSON kind', `{"nodes":[{"x":{"a":[1,-2.5e+3,true,false,null,{},[]]},"name":"a","type":"file","content":[],"size":0}],"extra":"\\u00e9"}`],
    ['white space everywhere', ` \n{ "nodes" : [ { "name" : "a\\"b" , "type" : "dir" , "subtree" : "${ID}" } ] }\r\n\t`],
    ['escaped names', `{"nodes":[{"name":"\\u00e9\\n\\/\\ud83d\\ude00","type":"file","content":["${ID}"]}]}`],
    ['null subtree and content', `{"nodes":[{"name":"a","type":"dir","subtree":null,"content":null}]}`],
    ['nesting deeper than a recursive scanner could go', `{"nodes":[{"name":"a","type":"file","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`],
  ])('takes: %s', (_what, doc) => {
    expect(expectAgrees(bytes(doc))).toBe(true);
  });

  it('names undecodable UTF-8 as decodeTree does (replacement characters)', () => {
    const b = Uint8Array.from([...bytes('{"nodes":[{"name":"a'), 0xe2, 0x82, ...bytes('","type":"file"}]}')]);
    expect(expectAgrees(b)).toBe(true);
  });
});
