/**
 * Trees: one JSON document per directory, stored as a tree blob (design.rst "Trees and Data";
 * restic internal/restic/node.go, tree.go). Encoded exactly as restic 0.14 encodes them: Go's field
 * order and omitempty rules, Go's string escaping, and a trailing newline; so a tree highwater saves
 * for the same directory has the same id as restic's.
 *
 * Memory: `decodeTree` holds the document and all its nodes; `decodeTreeStream` holds one node's
 * bytes at a time (ArrayItemSplitter) and suits directories with millions of entries (restic #3650).
 */
import { ArrayItemSplitter } from './json/array-items.js';
import { RepoError } from './errors.js';
import { goString, goStringArray, goUint } from './go-json.js';

export type NodeType = 'file' | 'dir' | 'symlink' | 'dev' | 'chardev' | 'fifo' | 'socket' | 'irregular';

export interface ExtendedAttribute {
  name: string;
  /** base64, as Go marshals []byte. */
  value: string;
}

export interface TreeNode {
  name: string;
  type: NodeType;
  /** Go os.FileMode bits (type bits included: dir = 1<<31, symlink = 1<<27, ...), not the Unix st_mode. */
  mode?: number;
  /** RFC 3339 with nanoseconds, as Go writes time.Time. Absent means Go's zero time on encoding. */
  mtime?: string;
  atime?: string;
  ctime?: string;
  uid?: number;
  gid?: number;
  user?: string;
  group?: string;
  inode?: number;
  device_id?: number;
  size?: number;
  links?: number;
  linktarget?: string;
  extended_attributes?: unknown;
  device?: number;
  /** Hex blob ids of the file's data blobs; null for everything but files (`[]` for an empty file). */
  content?: string[] | null;
  /** Hex tree id, for directories. */
  subtree?: string;
  error?: string;
}

export interface Tree {
  nodes: TreeNode[];
}

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';
const HEX_ID = /^[0-9a-f]{64}$/;

function encodeNode(n: TreeNode): string {
  if (typeof n.name !== 'string') throw new TypeError(`expected node name to be a string, got ${typeof n.name}`);
  const f: string[] = [`"name":${goString(n.name)}`, `"type":${goString(n.type)}`];
  if (n.mode) f.push(`"mode":${goUint(n.mode, 'mode')}`);
  f.push(`"mtime":${goString(n.mtime ?? GO_ZERO_TIME)}`);
  f.push(`"atime":${goString(n.atime ?? GO_ZERO_TIME)}`);
  f.push(`"ctime":${goString(n.ctime ?? GO_ZERO_TIME)}`);
  f.push(`"uid":${goUint(n.uid ?? 0, 'uid')}`, `"gid":${goUint(n.gid ?? 0, 'gid')}`);
  if (n.user) f.push(`"user":${goString(n.user)}`);
  if (n.group) f.push(`"group":${goString(n.group)}`);
  if (n.inode) f.push(`"inode":${goUint(n.inode, 'inode')}`);
  if (n.device_id) f.push(`"device_id":${goUint(n.device_id, 'device_id')}`);
  if (n.size) f.push(`"size":${goUint(n.size, 'size')}`);
  if (n.links) f.push(`"links":${goUint(n.links, 'links')}`);
  if (n.linktarget) f.push(`"linktarget":${goString(n.linktarget)}`);
  if (Array.isArray(n.extended_attributes) && n.extended_attributes.length > 0) {
    const xs = (n.extended_attributes as ExtendedAttribute[]).map((x) => `{"name":${goString(x.name)},"value":${goString(x.value)}}`);
    f.push(`"extended_attributes":[${xs.join(',')}]`);
  }
  if (n.device) f.push(`"device":${goUint(n.device, 'device')}`);
  if (n.content) {
    for (const c of n.content) if (!HEX_ID.test(c)) throw new TypeError(`expected content ids in hex, got ${JSON.stringify(c)}`);
  }
  f.push(`"content":${goStringArray(n.content)}`);
  if (n.subtree !== undefined) {
    if (!HEX_ID.test(n.subtree)) throw new TypeError(`expected subtree id in hex, got ${JSON.stringify(n.subtree)}`);
    f.push(`"subtree":"${n.subtree}"`);
  }
  if (n.error) f.push(`"error":${goString(n.error)}`);
  return `{${f.join(',')}}`;
}

/** A tree blob's framing around its comma-separated nodes, as restic writes it (newline included). */
export const TREE_PREFIX = '{"nodes":[';
export const TREE_SUFFIX = ']}\n';

/** The tree blob's plaintext: `{"nodes":[...]}` and a newline, as restic writes it. */
export function encodeTree(t: Tree): Uint8Array {
  return new TextEncoder().encode(`${TREE_PREFIX}${encodeTreeNodes(t.nodes)}${TREE_SUFFIX}`);
}

/** Nodes as they appear between the tree's framing, comma-separated (TreeBuilder encodes trees in such batches). */
export function encodeTreeNodes(nodes: readonly TreeNode[]): string {
  return nodes.map(encodeNode).join(',');
}

function checkNode(v: unknown, file: string | undefined): TreeNode {
  const n = v as TreeNode | null;
  if (n === null || typeof n !== 'object' || Array.isArray(n) || typeof n.name !== 'string' || typeof n.type !== 'string') {
    throw new RepoError('BAD_TREE', 'tree node without a name or type', { file });
  }
  if (n.subtree !== undefined && n.subtree !== null && (typeof n.subtree !== 'string' || !HEX_ID.test(n.subtree))) {
    throw new RepoError('BAD_TREE', `tree node ${JSON.stringify(n.name)} has an invalid subtree id`, { file });
  }
  if (n.content != null && (!Array.isArray(n.content) || n.content.some((c) => typeof c !== 'string' || !HEX_ID.test(c)))) {
    throw new RepoError('BAD_TREE', `tree node ${JSON.stringify(n.name)} has an invalid content list`, { file });
  }
  return n;
}

/** Decodes a whole tree blob. `file` names the source (e.g. `tree 742ef5bb...`) in errors. */
export function decodeTree(b: Uint8Array, file?: string): Tree {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(b));
  } catch (err) {
    throw new RepoError('BAD_TREE', `tree is not JSON: ${(err as Error).message}`, { file, cause: err });
  }
  const nodes = (doc as { nodes?: unknown } | null)?.nodes;
  if (doc === null || typeof doc !== 'object' || (nodes !== null && !Array.isArray(nodes))) {
    throw new RepoError('BAD_TREE', 'tree has no "nodes" array', { file });
  }
  return { nodes: (nodes ?? []).map((n: unknown) => checkNode(n, file)) };
}

/**
 * Decodes a tree blob's plaintext arriving in chunks, node by node. Memory: one node's bytes at a time.
 * Errors in the document are thrown when reached, so a consumer may have seen earlier nodes.
 */
export async function* decodeTreeStream(chunks: AsyncIterable<Uint8Array>, file?: string): AsyncGenerator<TreeNode> {
  const ready: TreeNode[] = [];
  const dec = new TextDecoder();
  const splitter = new ArrayItemSplitter('nodes', (item) => {
    let v: unknown;
    try {
      v = JSON.parse(dec.decode(item));
    } catch (err) {
      throw new RepoError('BAD_TREE', `tree node is not JSON: ${(err as Error).message}`, { file, cause: err });
    }
    ready.push(checkNode(v, file));
  });
  const run = (f: () => void): void => {
    try {
      f();
    } catch (err) {
      if (err instanceof RepoError) throw err;
      throw new RepoError('BAD_TREE', `tree is not valid JSON: ${(err as Error).message}`, { file, cause: err });
    }
  };
  for await (const c of chunks) {
    run(() => splitter.push(c));
    while (ready.length) yield ready.shift()!;
  }
  run(() => splitter.end());
  while (ready.length) yield ready.shift()!;
}
