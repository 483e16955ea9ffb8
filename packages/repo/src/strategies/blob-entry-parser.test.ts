/**
 * parseBlobEntry against the reference it replaces (JSON.parse + readBlobFields + isLowerHex64):
 * it accepts only what the reference accepts, with the same values, takes every ordinary entry
 * (any key order, any JSON white space, unknown scalar keys), and leaves the unusual and the bad
 * to the reference. Then the same through the stores: packed (byte parser) and naive (whole
 * document JSON.parse) give the same answers and the same BAD_INDEX messages.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NO_PROBE } from '@highwater/probe';
import { idToHex } from '../ids.js';
import { seeded } from '../repo.test-util.js';
import { type BlobEntry, parseBlobEntry } from './blob-entry-parser.js';
import { type BlobFields, TYPE_DATA, isLowerHex64, readBlobFields } from './file-batch.js';
import { STRATEGY_DEFAULTS, loadIndexStore } from './index.js';
import { MemoryIndexSource } from './strategies.test-util.js';

const hexOf = (s: string): string => createHash('sha256').update(s).digest('hex');
const ID = hexOf('blob');
const PACK = hexOf('pack');

type Outcome = { ok: true; type: number; id: string; offset: number; length: number; uncompressed: number } | { ok: false };

/** What the JSON.parse path makes of one entry (ok: false for any error). */
function reference(text: string): Outcome {
  try {
    const b = JSON.parse(text) as { id?: unknown };
    const f: BlobFields = { type: TYPE_DATA, offset: 0, length: 0, uncompressed: 0 };
    readBlobFields(b, PACK, 'f', f);
    if (!isLowerHex64(b.id)) return { ok: false };
    return { ok: true, type: f.type, id: b.id, offset: f.offset, length: f.length, uncompressed: f.uncompressed };
  } catch {
    return { ok: false };
  }
}

/**
 * The parser as the splitter calls it: on a range of a larger chunk. The bytes around the entry
 * would complete a truncated one (`}`) or extend it (`,`): reading past the range would show.
 */
const BEFORE = '[{"x":"}"},';
const AFTER = '}, "y": 1}],"id":"0"}';

function fast(text: string): Outcome & { taken: boolean } {
  const bytes = Buffer.from(BEFORE + text + AFTER, 'utf8');
  const start = BEFORE.length;
  const end = start + Buffer.byteLength(text, 'utf8');
  const e: BlobEntry = { type: 0, idAt: -1, offset: -1, length: -1, uncompressed: -1 };
  if (!parseBlobEntry(bytes, e, start, end)) return { ok: false, taken: false };
  const id = bytes.subarray(e.idAt, e.idAt + 64).toString('latin1');
  // The FileBatch rejects a 64-byte id that is not lower-case hex; the caller then falls back.
  if (!isLowerHex64(id)) return { ok: false, taken: false };
  return { ok: true, taken: true, type: e.type, id, offset: e.offset, length: e.length, uncompressed: e.uncompressed };
}

/** The parser never accepts what the reference rejects, and agrees on every value it accepts. */
function expectSound(text: string): void {
  const got = fast(text);
  if (!got.taken) return;
  const { taken: _taken, ...values } = got;
  expect(values, text).toEqual(reference(text));
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe('parseBlobEntry', () => {
  it('takes every order of the five keys, with and without white space, and reads the same values', () => {
    const fields = [`"id":"${ID}"`, '"type":"tree"', '"offset":4294967295', '"length":0', '"uncompressed_length":12345'];
    const orders = permutations(fields);
    expect(orders.length).toBe(120);
    for (const order of orders) {
      for (const text of [`{${order.join(',')}}`, `{ \n\t${order.map((f) => f.replace(':', ' :\r\n ')).join(' ,\t')} \n}`]) {
        const got = fast(text);
        expect(got.taken, text).toBe(true);
        expect(got).toMatchObject({ ok: true, type: 1, id: ID, offset: 4294967295, length: 0, uncompressed: 12345 });
        expectSound(text);
      }
    }
  });

  it('takes ordinary entries with unknown scalar keys, null or absent uncompressed_length', () => {
    const ordinary = [
      `{"id":"${ID}","type":"data","offset":0,"length":1}`,
      `{"id":"${ID}","type":"data","offset":10,"length":20,"uncompressed_length":null}`,
      `{"x":"é ü \u007f","id":"${ID}","n":-1.5e+3,"t":true,"f":false,"z":null,"type":"data","offset":7,"length":8,"zero":0}`,
      `{"id":"${ID}","type":"data","offset":1,"length":2,"id2":"${ID}","uncompressed_length":0}`,
    ];
    for (const text of ordinary) {
      expect(fast(text).taken, text).toBe(true);
      expectSound(text);
    }
    expect(fast(ordinary[1]!)).toMatchObject({ uncompressed: 0 });
  });

  it('leaves escapes, fractions, exponents, signs, leading zeros, duplicates, nesting and errors to JSON.parse', () => {
    const base = { id: `"${ID}"`, type: '"data"', offset: '5', length: '6' };
    const entry = (o: Record<string, string>, extra = ''): string => `{${Object.entries(o).map(([k, v]) => `"${k}":${v}`).join(',')}${extra}}`;
    const unusual = [
      entry({ ...base, type: '"d\\u0061ta"' }), // escape in a value
      `{"\\u0069d":"${ID}","type":"data","offset":5,"length":6}`, // escape in a key
      entry({ ...base, offset: '5.0' }),
      entry({ ...base, offset: '5e0' }),
      entry({ ...base, offset: '5E+1' }),
      entry({ ...base, offset: '-0' }),
      entry({ ...base, offset: '-1' }),
      entry({ ...base, offset: '05' }),
      entry({ ...base, offset: '4294967296' }),
      entry({ ...base, offset: '99999999999' }),
      entry({ ...base, length: 'null' }),
      entry({ ...base, length: '"6"' }),
      entry({ ...base, uncompressed_length: 'true' }),
      entry({ ...base, uncompressed_length: '-5' }),
      entry(base, ',"offset":9'), // duplicate: JSON.parse keeps the last
      entry(base, ',"meta":{"a":1}'),
      entry(base, ',"list":[1,2]'),
      entry(base, ',"bad":"a\tb"'), // a control byte in a string
      entry({ ...base, type: '"blob"' }),
      entry({ ...base, type: '"Data"' }),
      entry({ ...base, type: '1' }),
      entry({ ...base, id: `"${ID.toUpperCase()}"` }),
      entry({ ...base, id: `"${ID.slice(1)}"` }),
      entry({ ...base, id: '1' }),
      entry({ type: '"data"', offset: '5', length: '6' }), // no id
      entry({ id: `"${ID}"`, offset: '5', length: '6' }), // no type
      entry({ id: `"${ID}"`, type: '"data"', length: '6' }), // no offset
      entry(base, ','), // trailing comma
      `{"id":"${ID}","type":"data","offset":5,"length":6}}`,
      `{"id":"${ID}","type":"data","offset":5,"length":6]`,
      `{"id":"${ID}","type":"data","offset":5 "length":6}`,
      `{"id":"${ID}","type":"data","offset":5,"length":6,"x":tru}`,
      `{"id":"${ID}","type":"data","offset":5,"length":6,"x":1.}`,
      `{"id":"${ID}","type":"data","offset":5,"length":6,"x":-}`,
      '{}',
      '[]',
      '',
    ];
    for (const text of unusual) {
      expect(fast(text).taken, text).toBe(false);
      expectSound(text);
    }
  });

  it('stops at the end of its range: a truncated entry followed by `}` in the chunk is not taken', () => {
    const whole = `{"id":"${ID}","type":"data","offset":1,"length":2}`;
    expect(fast(whole).taken).toBe(true);
    for (const cut of [whole.length - 1, whole.length - 2, whole.length - 5]) expect(fast(whole.slice(0, cut)).taken).toBe(false);
    // Without a range the whole buffer is the entry, as before.
    const e: BlobEntry = { type: 0, idAt: -1, offset: -1, length: -1, uncompressed: -1 };
    expect(parseBlobEntry(Buffer.from(whole), e)).toBe(true);
    expect(e.idAt).toBe(7);
  });

  it('never accepts what JSON.parse + readBlobFields reject (random mutations of entries)', () => {
    const rand = seeded(0x5eed);
    const alphabet = '{}[]",:0123456789-+.eE \t\n\\abcdeflnrstuy_idtypeoffsetlengthuncompressed_length';
    const seeds = [
      `{"id":"${ID}","type":"tree","offset":123,"length":4294967295,"uncompressed_length":77}`,
      `{ "length" : 9 , "x" : [1] , "type" : "data" , "offset" : 0 , "id" : "${ID}" }`,
    ];
    let taken = 0;
    for (let round = 0; round < 20_000; round++) {
      let text = seeds[round % seeds.length]!;
      const edits = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(rand() * (text.length + 1));
        const c = alphabet[Math.floor(rand() * alphabet.length)]!;
        const op = rand();
        if (op < 0.4) text = text.slice(0, at) + c + text.slice(at);
        else if (op < 0.7) text = text.slice(0, at) + text.slice(at + 1);
        else text = text.slice(0, at) + c + text.slice(at + 1);
      }
      const got = fast(text);
      if (got.taken) taken++;
      expectSound(text);
    }
    // Many mutations hit hex digits or white space and stay valid: the fast path was exercised.
    expect(taken).toBeGreaterThan(1000);
  });
});

describe('blob entries through the stores (packed: byte parser; naive: JSON.parse of the document)', () => {
  async function outcome(strategy: 'naive' | 'packed', entries: string[]): Promise<string> {
    const src = new MemoryIndexSource({ chunkSize: 61 });
    src.put(`{"packs":[{"id":"${PACK}","blobs":[${entries.join(',')}]}]}`, hexOf('file'));
    try {
      const store = await loadIndexStore(src, { ...STRATEGY_DEFAULTS[strategy], cacheDir: null }, NO_PROBE);
      return [...store.entries()].map((e) => `${e.type} ${idToHex(e.id)} ${idToHex(e.packId)} ${e.offset} ${e.length} ${e.uncompressedLength}`).sort().join('\n');
    } catch (e) {
      return `${(e as { code?: string }).code}: ${(e as Error).message}`;
    }
  }

  const ok = (i: number, rest: string): string => `{"id":"${hexOf(`b${i}`)}",${rest}}`;
  const cases: [string, string[]][] = [
    ['ordinary entries, offsets up to 2^32-1', [ok(1, '"type":"data","offset":4294967295,"length":1'), ok(2, '"length":5,"type":"tree","offset":0,"uncompressed_length":9')]],
    ['an escaped type (fallback)', [ok(1, '"type":"tr\\u0065e","offset":1,"length":2')]],
    ['a fractional offset that is an integer (fallback)', [ok(1, '"type":"data","offset":1.0,"length":2e1')]],
    ['an offset of 2^32', [ok(1, '"type":"data","offset":4294967296,"length":1')]],
    ['a negative length', [ok(1, '"type":"data","offset":1,"length":-1')]],
    ['an unknown type', [ok(1, '"type":"blob","offset":1,"length":1')]],
    ['an upper-case id', [`{"id":"${hexOf('x').toUpperCase()}","type":"data","offset":1,"length":1}`]],
    ['a missing id', ['{"type":"data","offset":1,"length":1}']],
    ['a duplicated offset', [ok(1, '"type":"data","offset":1,"length":1,"offset":2')]],
  ];
  for (const [name, entries] of cases) {
    it(`gives the same answer or error: ${name}`, async () => {
      const packed = await outcome('packed', entries);
      expect(packed).toBe(await outcome('naive', entries));
      expect(packed.length).toBeGreaterThan(0);
    });
  }
});
