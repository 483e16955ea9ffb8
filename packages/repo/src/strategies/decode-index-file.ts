/**
 * Streaming decode of one index file (packed and paged): the plaintext arrives in chunks
 * (`IndexSource.plaintext`), ArrayItemSplitter cuts out one `packs` element at a time, and each
 * element is JSON.parsed and validated on its own. The document never exists as one string.
 *
 * Contract: the returned batch is complete and the file's MAC verified; on any failure nothing is
 * returned. When the JSON is broken the stream is still drained, so that a damaged file reports
 * the source's MAC_MISMATCH (the real cause) rather than a JSON error.
 * Memory: one pack element plus one chunk, plus the batch (~48 bytes per entry).
 */
import { ArrayItemSplitter, JsonSyntaxError } from '../json/array-items.js';
import type { IndexSource } from '../index-store.js';
import { FileBatch, addPackElement } from './file-batch.js';
import { badIndex } from './index-store-error.js';

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** `batch` (optional) is reset and reused: loaders keep one per concurrent file to avoid re-growing arrays. */
export async function decodeIndexFile(source: IndexSource, name: string, batch: FileBatch = new FileBatch()): Promise<FileBatch> {
  batch.reset();
  const splitter = new ArrayItemSplitter('packs', (item) => {
    let element: unknown;
    try {
      element = JSON.parse(Buffer.from(item.buffer, item.byteOffset, item.byteLength).toString('utf8'));
    } catch (cause) {
      throw badIndex(name, 'a "packs" element is not valid JSON', cause);
    }
    addPackElement(batch, element, name);
  });
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
    } catch (e) {
      // `{"supersedes":[...]}` or `"packs": null`: a balanced object without a packs array is empty.
      const empty = splitter.targetValue === 'absent' || splitter.targetValue === 'null';
      if (!(e instanceof JsonSyntaxError && !splitter.sawArray && /no array/.test(e.message) && firstByte === 0x7b && empty)) {
        failure = splitter.targetValue === 'other' ? badIndex(name, '"packs" is not an array') : e;
      }
    }
  }
  if (failure !== undefined) {
    if (failure instanceof JsonSyntaxError) throw badIndex(name, `not a valid index document (${failure.message})`, failure);
    throw failure;
  }
  return batch;
}
