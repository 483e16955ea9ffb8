/**
 * Streaming decode of one index file (packed and paged): the plaintext arrives in chunks
 * (`IndexSource.plaintext`), IndexDocumentSplitter cuts out one blob entry of a `packs` element at
 * a time, and each entry is parsed from its bytes (blob-entry-parser.ts; unusual or bad entries go
 * through JSON.parse and readBlobFields) and validated on its own. Neither the document nor a pack
 * element ever exists as one string or object (old restic wrote pack elements of 100,000+ blobs:
 * restic #979). A pack's `id` may come before or after its `blobs`: its local slot is reserved
 * when the element starts and its id checked when the element ends.
 *
 * Contract: the returned batch is complete and the file's MAC verified; on any failure nothing is
 * returned. When the JSON is broken the stream is still drained, so that a damaged file reports
 * the source's MAC_MISMATCH (the real cause) rather than a JSON error.
 * Memory: one blob entry (≤ 64 KiB, ~150 bytes in practice) plus one chunk, plus the batch
 * (~49 bytes per entry); no string or object per ordinary entry.
 */
import { JsonSyntaxError } from '../json/array-items.js';
import { IndexDocumentSplitter, IndexShapeError } from '../json/index-document-splitter.js';
import type { IndexSource } from '../index-store.js';
import { type BlobEntry, parseBlobEntry } from './blob-entry-parser.js';
import { type BlobFields, FileBatch, TYPE_DATA, readBlobFields } from './file-batch.js';
import { badIndex } from './index-store-error.js';

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** What the decoder held, for memory checks: the largest blob entry and its reused buffer's size. */
export interface DecodeStats {
  largestItem: number;
  bufferedCapacity: number;
}

/** A splitter feeding `batch`; errors name `file`. */
function batchSplitter(batch: FileBatch, file: string): IndexDocumentSplitter {
  let local = -1;
  let hasId = false;
  let idText = '';
  const f: BlobFields = { type: TYPE_DATA, offset: 0, length: 0, uncompressed: 0 };
  const e: BlobEntry = { type: TYPE_DATA, idAt: 0, offset: 0, length: 0, uncompressed: 0 };
  const packLabel = (): string => (hasId ? idText : '(id not read yet)');
  return new IndexDocumentSplitter({
    onPackStart() {
      local = batch.reservePack();
      hasId = false;
      idText = '';
    },
    onPackId(id) {
      const text = id === undefined ? '(not a string)' : Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString('latin1');
      if (id === undefined || !batch.setPackId(local, id)) {
        throw badIndex(file, `pack id ${JSON.stringify(text.slice(0, 80))} is not a 64-digit hex id`);
      }
      hasId = true;
      idText = text;
    },
    onBlob(buf, start, end) {
      // The byte parser takes ordinary entries; anything else (errors included) goes through
      // JSON.parse + readBlobFields below, exactly as before.
      if (parseBlobEntry(buf, e, start, end) && batch.addBlobAscii(e.type, buf, e.idAt, local, e.offset, e.length, e.uncompressed)) return;
      let b: unknown;
      try {
        b = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8'));
      } catch (cause) {
        throw badIndex(file, `a blob entry of pack ${packLabel()} is not valid JSON`, cause);
      }
      readBlobFields(b, packLabel(), file, f);
      const id = (b as { id?: unknown }).id;
      if (!batch.addBlob(f.type, id as string, local, f.offset, f.length, f.uncompressed)) {
        throw badIndex(file, `blob id ${JSON.stringify(String(id).slice(0, 80))} is not a 64-digit hex id`);
      }
    },
    onPackEnd() {
      if (!hasId) throw badIndex(file, 'a "packs" element has no "id"');
    },
  });
}

/**
 * `batch` (optional) is reset and reused: loaders keep one per concurrent file to avoid re-growing
 * arrays. `stats` (optional) receives what the splitter held.
 */
export async function decodeIndexFile(source: IndexSource, name: string, batch: FileBatch = new FileBatch(), stats?: DecodeStats): Promise<FileBatch> {
  batch.reset();
  const splitter = batchSplitter(batch, name);
  let firstByte = -1;
  let failure: unknown;
  for await (const chunk of source.plaintext(name)) {
    if (failure !== undefined) continue; // drain: the MAC check at the end may name the real cause
    try {
      if (firstByte < 0) {
        for (let i = 0; i < chunk.length; i++) {
          if (!isSpace(chunk[i]!)) {
            firstByte = chunk[i]!;
            break;
          }
        }
      }
      splitter.push(chunk);
    } catch (e) {
      failure = e;
    }
  }
  if (failure === undefined) {
    try {
      splitter.end();
      if (firstByte !== 0x7b) throw new JsonSyntaxError('expected a JSON object at the top level');
      // `{"supersedes":[...]}` or `"packs": null`: a balanced object without a packs array is empty.
      if (splitter.targetValue === 'other') throw badIndex(name, '"packs" is not an array');
    } catch (e) {
      failure = e;
    }
  }
  if (stats) {
    stats.largestItem = splitter.largestItem;
    stats.bufferedCapacity = splitter.bufferedCapacity;
  }
  if (failure !== undefined) {
    batch.reset();
    if (failure instanceof JsonSyntaxError) throw badIndex(name, `not a valid index document (${failure.message})`, failure);
    if (failure instanceof IndexShapeError) throw badIndex(name, failure.message, failure);
    throw failure;
  }
  return batch;
}
