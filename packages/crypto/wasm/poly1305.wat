;; Poly1305 block function for @highwater/crypto (poly1305-donna-32 style: five 26-bit limbs,
;; 64-bit products). Only the per-block loop is here; key clamping, the partial last block and
;; the final reduction and "+ s" are done in TypeScript (src/poly1305-wasm.ts).
;;
;; Memory layout (one shared scratch, state is written in and read out by the caller per call):
;;   [0, 20)   h0..h4   u32 little-endian (accumulator limbs)
;;   [32, 52)  r0..r4   u32 (clamped key limbs)
;;   [64, 64 + 65536)   message bytes; len must be a multiple of 16 and at most 65536
;;
;; blocks(len, hibit): hibit is 1 << 24 for full 16-byte blocks, 0 for the padded last block.
(module
  (memory (export "memory") 2)
  (func (export "blocks") (param $len i32) (param $hibit32 i32)
    (local $p i32) (local $end i32) (local $hibit i64)
    (local $h0 i64) (local $h1 i64) (local $h2 i64) (local $h3 i64) (local $h4 i64)
    (local $r0 i64) (local $r1 i64) (local $r2 i64) (local $r3 i64) (local $r4 i64)
    (local $s1 i64) (local $s2 i64) (local $s3 i64) (local $s4 i64)
    (local $t0 i64) (local $t1 i64) (local $t2 i64) (local $t3 i64)
    (local $d0 i64) (local $d1 i64) (local $d2 i64) (local $d3 i64) (local $d4 i64)
    (local $c i64)
    (local.set $hibit (i64.extend_i32_u (local.get $hibit32)))
    (local.set $h0 (i64.load32_u (i32.const 0)))
    (local.set $h1 (i64.load32_u (i32.const 4)))
    (local.set $h2 (i64.load32_u (i32.const 8)))
    (local.set $h3 (i64.load32_u (i32.const 12)))
    (local.set $h4 (i64.load32_u (i32.const 16)))
    (local.set $r0 (i64.load32_u (i32.const 32)))
    (local.set $r1 (i64.load32_u (i32.const 36)))
    (local.set $r2 (i64.load32_u (i32.const 40)))
    (local.set $r3 (i64.load32_u (i32.const 44)))
    (local.set $r4 (i64.load32_u (i32.const 48)))
    (local.set $s1 (i64.mul (local.get $r1) (i64.const 5)))
    (local.set $s2 (i64.mul (local.get $r2) (i64.const 5)))
    (local.set $s3 (i64.mul (local.get $r3) (i64.const 5)))
    (local.set $s4 (i64.mul (local.get $r4) (i64.const 5)))
    (local.set $p (i32.const 64))
    (local.set $end (i32.add (i32.const 64) (local.get $len)))
    (block $done
      (loop $top
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $t0 (i64.load32_u (local.get $p)))
        (local.set $t1 (i64.load32_u offset=4 (local.get $p)))
        (local.set $t2 (i64.load32_u offset=8 (local.get $p)))
        (local.set $t3 (i64.load32_u offset=12 (local.get $p)))
        ;; h += m (split into 26-bit limbs) + hibit
        (local.set $h0 (i64.add (local.get $h0) (i64.and (local.get $t0) (i64.const 0x3ffffff))))
        (local.set $h1 (i64.add (local.get $h1) (i64.and
          (i64.or (i64.shr_u (local.get $t0) (i64.const 26)) (i64.shl (local.get $t1) (i64.const 6)))
          (i64.const 0x3ffffff))))
        (local.set $h2 (i64.add (local.get $h2) (i64.and
          (i64.or (i64.shr_u (local.get $t1) (i64.const 20)) (i64.shl (local.get $t2) (i64.const 12)))
          (i64.const 0x3ffffff))))
        (local.set $h3 (i64.add (local.get $h3) (i64.and
          (i64.or (i64.shr_u (local.get $t2) (i64.const 14)) (i64.shl (local.get $t3) (i64.const 18)))
          (i64.const 0x3ffffff))))
        (local.set $h4 (i64.add (local.get $h4)
          (i64.or (i64.shr_u (local.get $t3) (i64.const 8)) (local.get $hibit))))
        ;; d = h * r mod (2^130 - 5), limb products
        (local.set $d0 (i64.add (i64.add (i64.add (i64.add
          (i64.mul (local.get $h0) (local.get $r0))
          (i64.mul (local.get $h1) (local.get $s4)))
          (i64.mul (local.get $h2) (local.get $s3)))
          (i64.mul (local.get $h3) (local.get $s2)))
          (i64.mul (local.get $h4) (local.get $s1))))
        (local.set $d1 (i64.add (i64.add (i64.add (i64.add
          (i64.mul (local.get $h0) (local.get $r1))
          (i64.mul (local.get $h1) (local.get $r0)))
          (i64.mul (local.get $h2) (local.get $s4)))
          (i64.mul (local.get $h3) (local.get $s3)))
          (i64.mul (local.get $h4) (local.get $s2))))
        (local.set $d2 (i64.add (i64.add (i64.add (i64.add
          (i64.mul (local.get $h0) (local.get $r2))
          (i64.mul (local.get $h1) (local.get $r1)))
          (i64.mul (local.get $h2) (local.get $r0)))
          (i64.mul (local.get $h3) (local.get $s4)))
          (i64.mul (local.get $h4) (local.get $s3))))
        (local.set $d3 (i64.add (i64.add (i64.add (i64.add
          (i64.mul (local.get $h0) (local.get $r3))
          (i64.mul (local.get $h1) (local.get $r2)))
          (i64.mul (local.get $h2) (local.get $r1)))
          (i64.mul (local.get $h3) (local.get $r0)))
          (i64.mul (local.get $h4) (local.get $s4))))
        (local.set $d4 (i64.add (i64.add (i64.add (i64.add
          (i64.mul (local.get $h0) (local.get $r4))
          (i64.mul (local.get $h1) (local.get $r3)))
          (i64.mul (local.get $h2) (local.get $r2)))
          (i64.mul (local.get $h3) (local.get $r1)))
          (i64.mul (local.get $h4) (local.get $r0))))
        ;; partial carry propagation
        (local.set $c (i64.shr_u (local.get $d0) (i64.const 26)))
        (local.set $h0 (i64.and (local.get $d0) (i64.const 0x3ffffff)))
        (local.set $d1 (i64.add (local.get $d1) (local.get $c)))
        (local.set $c (i64.shr_u (local.get $d1) (i64.const 26)))
        (local.set $h1 (i64.and (local.get $d1) (i64.const 0x3ffffff)))
        (local.set $d2 (i64.add (local.get $d2) (local.get $c)))
        (local.set $c (i64.shr_u (local.get $d2) (i64.const 26)))
        (local.set $h2 (i64.and (local.get $d2) (i64.const 0x3ffffff)))
        (local.set $d3 (i64.add (local.get $d3) (local.get $c)))
        (local.set $c (i64.shr_u (local.get $d3) (i64.const 26)))
        (local.set $h3 (i64.and (local.get $d3) (i64.const 0x3ffffff)))
        (local.set $d4 (i64.add (local.get $d4) (local.get $c)))
        (local.set $c (i64.shr_u (local.get $d4) (i64.const 26)))
        (local.set $h4 (i64.and (local.get $d4) (i64.const 0x3ffffff)))
        (local.set $h0 (i64.add (local.get $h0) (i64.mul (local.get $c) (i64.const 5))))
        (local.set $c (i64.shr_u (local.get $h0) (i64.const 26)))
        (local.set $h0 (i64.and (local.get $h0) (i64.const 0x3ffffff)))
        (local.set $h1 (i64.add (local.get $h1) (local.get $c)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $top)))
    (i64.store32 (i32.const 0) (local.get $h0))
    (i64.store32 (i32.const 4) (local.get $h1))
    (i64.store32 (i32.const 8) (local.get $h2))
    (i64.store32 (i32.const 12) (local.get $h3))
    (i64.store32 (i32.const 16) (local.get $h4))))
