/**
 * backup --stdin: the bytes of a stream stored as one file `/<filename>` (restic 0.14's fs.Reader):
 * mode 0644, mtime = atime = ctime = `time`, the process' uid and gid. Memory: one chunk at a time.
 */
import { idToHex, type TreeNode } from '@highwater/repo';
import type { ArchiverContext } from './archiver.js';
import { chunkFile } from './chunk-file.js';
import { EngineError } from './errors.js';

/** Checks a --stdin-filename: one file name (no folders), as the snapshot's only entry. */
export function checkStdinFilename(name: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new EngineError('NO_SOURCE', `--stdin-filename: expected a file name without "/", got ${JSON.stringify(name)}`);
  }
}

export async function archiveStdin(ctx: ArchiverContext, o: { stream: AsyncIterable<Uint8Array>; filename: string; time: string }): Promise<TreeNode> {
  const content: string[] = [];
  let size = 0;
  ctx.current.add(o.filename);
  try {
    for await (const chunk of chunkFile({ source: o.stream, polynomial: ctx.polynomial })) {
      const r = await ctx.sink.saveBlob('data', chunk);
      content.push(idToHex(r.id));
      size += chunk.length;
      ctx.stats.bytesDone += chunk.length;
      if (!r.known) {
        ctx.stats.dataBlobs++;
        ctx.stats.dataAdded += chunk.length;
        ctx.stats.dataAddedStored += r.storedLength;
      }
    }
  } finally {
    ctx.current.delete(o.filename);
  }
  ctx.stats.filesNew++;
  ctx.stats.filesDone++;
  const node: TreeNode = {
    name: o.filename,
    type: 'file',
    mode: 0o644,
    mtime: o.time,
    atime: o.time,
    ctime: o.time,
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
  };
  if (size > 0) node.size = size;
  node.content = content;
  return node;
}
