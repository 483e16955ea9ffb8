import { describe, expect, it } from 'vitest';
import { opArgs } from './op-args.js';

const ws = { repo: '/r', passwordFile: '/pw', cacheDir: '/c', sourceDir: '/s', restoreDir: '/t' };

describe('opArgs', () => {
  it("restic's load-index is `cat blob` of a tree (loads the whole index), never `list blobs`", () => {
    const a = opArgs('restic', 'load-index', { ...ws, blobId: 'ab'.repeat(32) }, null);
    expect(a.slice(0, 3)).toEqual(['cat', 'blob', 'ab'.repeat(32)]);
    expect(a).not.toContain('list');
    expect(() => opArgs('restic', 'load-index', ws, null)).toThrow(TypeError);
  });

  it("highwater's load-index is `debug load-index` with the strategy", () => {
    expect(opArgs('highwater', 'load-index', ws, 'paged')).toEqual(['debug', 'load-index', '-r', '/r', '--password-file', '/pw', '--cache-dir', '/c', '--strategy', 'paged', '--quiet']);
  });
});
