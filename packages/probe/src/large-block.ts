/**
 * Large blocks: ArrayBuffers big enough that glibc's malloc always serves each one with its own
 * mmap, never from the main arena. The repository's index stores keep their long-lived columns (and
 * the load's growable scratch) in such blocks, so that what the load frees around them can be
 * trimmed, and freeing a block (munmap) leaves nothing resident; crypto's scrypt keeps its array V in
 * one, so that freeing it does not raise glibc's thresholds.
 *
 * Why: glibc's mmap threshold starts at 128 KiB and rises to the size of any mmapped chunk freed
 * that is at most DEFAULT_MMAP_THRESHOLD_MAX (man mallopt(3), M_MMAP_THRESHOLD). Once it rose,
 * buffers below it come from the arena, which cannot shrink below its highest live chunk: a column
 * chunk allocated among freed decode buffers pins them all resident. A request of at least
 * DEFAULT_MMAP_THRESHOLD_MAX is mmapped whatever the threshold, and freeing it (a chunk above the
 * max) never raises the threshold. (A raised threshold also raises the trim threshold to twice
 * its value: up to that much freed at the top of an arena, threads' arenas included, stays
 * resident.) DEFAULT_MMAP_THRESHOLD_MAX is 4 MiB x sizeof(long) = 32 MiB on
 * 64-bit, and 512 KiB on 32-bit (armv7, ia32: glibc's malloc.c keeps it low there to save address
 * space), hence the two sizes below.
 *
 * RSS: `new ArrayBuffer(n)` is calloc(n, 1) in Node; calloc of a fresh mmap skips the memset, so
 * pages never written cost no RSS. A block may therefore be sized for the largest case: only the
 * pages written are resident (but V8 counts the whole block in `external`/`arrayBuffers`).
 * Address space: on armv7 (3 GiB per process) the smallest block costs 576 KiB of it, a column chunk of the
 * packed store 46 MiB per 1,048,576 entries; both are small next to the 3 GiB.
 * Other allocators (musl, macOS, Windows) work the same way as far as correctness goes.
 */

const WORD32_ARCHES: ReadonlySet<string> = new Set(['arm', 'ia32', 'mips', 'mipsel', 'ppc', 's390']);

/** glibc's DEFAULT_MMAP_THRESHOLD_MAX for this process's word size. */
export const MMAP_THRESHOLD_MAX = WORD32_ARCHES.has(process.arch) ? 512 * 1024 : 32 * 1024 * 1024;

/** The smallest block this module hands out: above the threshold max by a margin (64 KiB). */
export const LARGE_BLOCK_BYTES = MMAP_THRESHOLD_MAX + 64 * 1024;

/**
 * A zero-filled block of at least `minBytes` (at least LARGE_BLOCK_BYTES unless `exact`: tests use
 * small exact blocks to exercise growth).
 */
export function largeBlock(minBytes: number, exact = false): ArrayBuffer {
  if (!Number.isInteger(minBytes) || minBytes < 0) throw new RangeError(`expected a byte count, got ${minBytes}`);
  return new ArrayBuffer(exact ? minBytes : Math.max(minBytes, LARGE_BLOCK_BYTES));
}
