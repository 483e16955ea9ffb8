;; Rabin fingerprint scan for @highwater/chunker (restic/chunker's NextSplitPoint inner loop).
;; The digest is one i64; the byte leaving the 64-byte window is always mem[p - 64], because the
;; caller puts the window's bytes (oldest first) right before the data.
;;
;; Memory layout (a scratch pad: the caller writes state in and reads it back per call):
;;   [0, 8)            digest (i64, little-endian)
;;   [64, 2112)        mod table, 256 × i64   (mod[b] = b·x^k mod pol | b·x^k)
;;   [2112, 4160)      slide-out table, 256 × i64 (update(out[b], 0), see src/tables.ts)
;;   [4160, 4224)      the window, oldest byte first
;;   [4224, 4224 + len) the bytes to scan (len <= 1 MiB)
;;
;; scan(len, minIndex, shift, bits) -> n: hashes bytes from 4224 on; returns n = bytes consumed up
;; to and including the first byte after which (digest & (2^bits - 1)) == 0 with n >= minIndex,
;; or 0 when there is no such byte in len. The digest after the last byte hashed is stored back.
(module
  (memory (export "memory") 18)
  (func (export "scan") (param $len i32) (param $minIndex i32) (param $shift32 i32) (param $bits i32) (result i32)
    (local $p i32) (local $end i32) (local $d i64) (local $mask i64) (local $shift i64)
    (local.set $shift (i64.extend_i32_u (local.get $shift32)))
    (local.set $mask (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (local.get $bits))) (i64.const 1)))
    (local.set $d (i64.load (i32.const 0)))
    (local.set $p (i32.const 4224))
    (local.set $end (i32.add (i32.const 4224) (local.get $len)))
    (block $done
      (loop $top
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $d
          (i64.xor
            (i64.xor
              (i64.or (i64.shl (local.get $d) (i64.const 8)) (i64.load8_u (local.get $p)))
              (i64.load offset=64
                (i32.shl (i32.wrap_i64 (i64.shr_u (local.get $d) (local.get $shift))) (i32.const 3))))
            (i64.load offset=2112
              (i32.shl (i32.load8_u offset=0 (i32.sub (local.get $p) (i32.const 64))) (i32.const 3)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $top (i64.ne (i64.and (local.get $d) (local.get $mask)) (i64.const 0)))
        (br_if $top (i32.lt_s (i32.sub (local.get $p) (i32.const 4224)) (local.get $minIndex)))
        (i64.store (i32.const 0) (local.get $d))
        (return (i32.sub (local.get $p) (i32.const 4224)))))
    (i64.store (i32.const 0) (local.get $d))
    (i32.const 0)))
