import type { Backend } from '@highwater/backend';
import type { MasterKey } from '@highwater/crypto';
import { InternalError } from './errors.js';
import { idToHex, type PackId } from './ids.js';
import { IndexFileWriter, type IndexFileBlob } from './index-file-writer.js';
import { SealedStream } from './sealed-stream.js';

const CHUNK = 1 << 20;
const enc = new TextEncoder();

/**
 * The streaming index-file writer: one index file of any size written pack by pack, each pack
 * rendered by IndexFileWriter (restic's field order and omitempty rules) and its JSON appended to
 * `{"packs":[...]}`, sealed as it goes (no INDEX_MAX_BLOBS split: the caller decides the files). Stored uncompressed in both repository versions (a version-2 reader accepts JSON that
 * starts with `{`, restic `decompressUnpacked`).
 * Memory: one 1 MiB plaintext buffer and at most 32 MiB of sealed bytes (more waits in a temporary file).
 */
export class IndexFileStream {
  readonly #sealed: SealedStream;
  readonly #buf = new Uint8Array(CHUNK);
  #pos = 0;
  #packs = 0;
  #entries = 0;

  /** `tmpDir`: where a large index file waits for its name (default: the OS's temporary folder). */
  constructor(key: MasterKey, tmpDir?: string) {
    this.#sealed = new SealedStream(key, { tmpDir });
    this.#write(enc.encode('{"packs":['));
  }

  get entryCount(): number {
    return this.#entries;
  }

  get packCount(): number {
    return this.#packs;
  }

  addPack(packId: PackId, entries: readonly IndexFileBlob[]): void {
    const one = new IndexFileWriter();
    one.addPack(packId, entries);
    const doc = one.finish();
    // `{"packs":[` ... `]}`: keep the pack object between them.
    if (doc[0] !== 0x7b || doc[doc.length - 1] !== 0x7d || doc[doc.length - 2] !== 0x5d) {
      throw new InternalError(`unexpected index JSON framing for pack ${idToHex(packId)}`);
    }
    const start = doc.indexOf(0x5b) + 1;
    if (this.#packs > 0) this.#write(enc.encode(','));
    this.#write(doc.subarray(start, doc.length - 2));
    this.#packs++;
    this.#entries += entries.length;
  }

  #write(b: Uint8Array): void {
    let off = 0;
    while (off < b.length) {
      const n = Math.min(b.length - off, CHUNK - this.#pos);
      this.#buf.set(b.subarray(off, off + n), this.#pos);
      this.#pos += n;
      off += n;
      if (this.#pos === CHUNK) this.#flush();
    }
  }

  #flush(): void {
    this.#sealed.push(this.#buf.subarray(0, this.#pos));
    this.#pos = 0;
  }

  /** Closes the JSON, seals, and stores the file under its id. Returns the id (hex). */
  async save(backend: Backend): Promise<string> {
    this.#write(enc.encode(']}'));
    this.#flush();
    const sealed = this.#sealed.end();
    const name = idToHex(sealed.id);
    try {
      await backend.save({ type: 'index', name }, sealed.body);
    } finally {
      sealed.dispose();
    }
    return name;
  }

  /** Drops an index file that will not be saved (after an error). */
  abandon(): void {
    this.#sealed.abandon();
  }
}
