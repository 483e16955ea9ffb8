import type { Backend, FileInfo, FileType, Handle, LoadOptions } from './backend.js';
import { BackendError } from './errors.js';
import { checkHandle, checkRange, relativePath } from './names.js';

/**
 * An in-memory backend for tests. Saves are atomic (a streamed save becomes visible only once
 * its source has ended) and copy the caller's bytes; loads return fresh copies.
 * Memory: every file it holds, plus one copy of the file being saved.
 */
export class MemBackend implements Backend {
  readonly location: string;
  private readonly files = new Map<string, Uint8Array>();

  constructor(opts: { readonly location?: string } = {}) {
    this.location = opts.location ?? 'mem:';
  }

  async save(h: Handle, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    checkHandle(h);
    const key = relativePath(h);
    if (this.files.has(key)) throw exists(h);
    let bytes: Uint8Array;
    if (data instanceof Uint8Array) {
      bytes = data.slice();
    } else {
      const parts: Uint8Array[] = [];
      let total = 0;
      for await (const chunk of data) {
        if (!(chunk instanceof Uint8Array)) throw new TypeError(`expected Uint8Array chunks, got ${typeof chunk}`);
        parts.push(chunk.slice());
        total += chunk.byteLength;
      }
      bytes = new Uint8Array(total);
      let off = 0;
      for (const p of parts) {
        bytes.set(p, off);
        off += p.byteLength;
      }
    }
    if (this.files.has(key)) throw exists(h);
    this.files.set(key, bytes);
  }

  async load(h: Handle, opts?: LoadOptions): Promise<Uint8Array> {
    const { data, offset, length } = this.range(h, opts);
    return data.slice(offset, offset + length);
  }

  async *stream(h: Handle, opts?: LoadOptions): AsyncIterable<Uint8Array> {
    const { data, offset, length } = this.range(h, opts);
    const chunk = 1 << 20;
    for (let pos = offset; pos < offset + length; pos += chunk) {
      yield data.slice(pos, Math.min(pos + chunk, offset + length));
    }
  }

  async stat(h: Handle): Promise<FileInfo> {
    return { name: h.name, size: this.get(h).byteLength };
  }

  async *list(type: FileType): AsyncIterable<FileInfo> {
    checkHandle({ type, name: type === 'config' ? '' : '0'.repeat(64) });
    const entries: FileInfo[] = [];
    for (const [key, data] of this.files) {
      if (type === 'config' ? key === 'config' : key.startsWith(relativePath({ type, name: '0'.repeat(64) }).split('/')[0] + '/')) {
        entries.push({ name: type === 'config' ? '' : key.slice(key.lastIndexOf('/') + 1), size: data.byteLength });
      }
    }
    yield* entries;
  }

  async remove(h: Handle): Promise<void> {
    this.get(h);
    this.files.delete(relativePath(h));
  }

  async create(): Promise<void> {}

  async close(): Promise<void> {}

  private get(h: Handle): Uint8Array {
    checkHandle(h);
    const data = this.files.get(relativePath(h));
    if (data === undefined) throw new BackendError('NOT_FOUND', `${relativePath(h)} not found in ${this.location}`);
    return data;
  }

  private range(h: Handle, opts?: LoadOptions): { data: Uint8Array; offset: number; length: number } {
    const data = this.get(h);
    const { offset, length: want } = checkRange(opts);
    const length = want ?? data.byteLength - offset;
    if (offset > data.byteLength || offset + length > data.byteLength) {
      throw new BackendError('SHORT_READ', `${relativePath(h)} is ${data.byteLength} bytes, cannot read up to byte ${offset + length}`);
    }
    return { data, offset, length };
  }
}

function exists(h: Handle): BackendError {
  return new BackendError('ALREADY_EXISTS', `${relativePath(h)} already exists`);
}
