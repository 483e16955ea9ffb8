# Writes wasm/poly1305.wat: Poly1305's block loop in WebAssembly, two blocks at a time in SIMD.
# Usage: python3 packages/crypto/wasm/gen-poly.py packages/crypto/wasm/poly1305.wat, then wasm/build.mjs.
#
# Two accumulators A and B run side by side in the two 64-bit lanes: A takes blocks 1, 3, 5, ...
# and B blocks 2, 4, 6, ..., each multiplied by r^2 per pair; the last pair multiplies A by r^2 and
# B by r, so that A + B is the polynomial of the whole run (the incoming h starts in A). The limb
# products are i64x2.extmul_low_i32x4_u (26-bit limbs in i32 lanes 0 and 1, 64-bit products).
import sys

M26 = "0x3ffffff"

# d_i = sum of h_j * m for each (j, m) of row i: m is r_k or s_k = 5 r_k (the wrap past 2^130).
TERMS = [
    [(0, 'r0'), (1, 's4'), (2, 's3'), (3, 's2'), (4, 's1')],
    [(0, 'r1'), (1, 'r0'), (2, 's4'), (3, 's3'), (4, 's2')],
    [(0, 'r2'), (1, 'r1'), (2, 'r0'), (3, 's4'), (4, 's3')],
    [(0, 'r3'), (1, 'r2'), (2, 'r1'), (3, 'r0'), (4, 's4')],
    [(0, 'r4'), (1, 'r3'), (2, 'r2'), (3, 'r1'), (4, 'r0')],
]

def scalar_mul(h, r, s, out):
    """Scalar: out = h * r mod (2^130 - 5) with the partial carry (h*, r*, s* are i64 locals)."""
    code = ""
    for i, row in enumerate(TERMS):
        prods = [f"(i64.mul (local.get ${h}{j}) (local.get ${(r if k[0] == 'r' else s)}{k[1]}))" for j, k in row]
        e = prods[0]
        for p in prods[1:]:
            e = f"(i64.add {e} {p})"
        code += f"    (local.set $d{i} {e})\n"
    code += carry_scalar(out)
    return code

def carry_scalar(out):
    code = ""
    for i in range(4):
        code += f"    (local.set $c (i64.shr_u (local.get $d{i}) (i64.const 26)))\n"
        code += f"    (local.set ${out}{i} (i64.and (local.get $d{i}) (i64.const {M26})))\n"
        code += f"    (local.set $d{i+1} (i64.add (local.get $d{i+1}) (local.get $c)))\n"
    code += f"    (local.set $c (i64.shr_u (local.get $d4) (i64.const 26)))\n"
    code += f"    (local.set ${out}4 (i64.and (local.get $d4) (i64.const {M26})))\n"
    code += f"    (local.set ${out}0 (i64.add (local.get ${out}0) (i64.mul (local.get $c) (i64.const 5))))\n"
    code += f"    (local.set $c (i64.shr_u (local.get ${out}0) (i64.const 26)))\n"
    code += f"    (local.set ${out}0 (i64.and (local.get ${out}0) (i64.const {M26})))\n"
    code += f"    (local.set ${out}1 (i64.add (local.get ${out}1) (local.get $c)))\n"
    return code

# Shuffles of two loaded blocks a (bytes 0-15) and b (16-31): word k of each into i32 lanes 0 and 1.
def words(k):
    a = [4 * k + i for i in range(4)]
    b = [16 + 4 * k + i for i in range(4)]
    return " ".join(str(x) for x in a + b + a + b)

LOW = "0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11"  # i64x2 -> the low words in i32 lanes 0 and 1

def simd_pair(R, S):
    """One pair of blocks at $p: H += m; D = H * R (R, S: the names of the multiplier vectors)."""
    code = "        (local.set $va (v128.load (local.get $p)))\n"
    code += "        (local.set $vb (v128.load offset=16 (local.get $p)))\n"
    for k in range(4):
        code += f"        (local.set $w{k} (i8x16.shuffle {words(k)} (local.get $va) (local.get $vb)))\n"
    m = [
        f"(v128.and (local.get $w0) (local.get $m26x4))",
        f"(v128.and (v128.or (i32x4.shr_u (local.get $w0) (i32.const 26)) (i32x4.shl (local.get $w1) (i32.const 6))) (local.get $m26x4))",
        f"(v128.and (v128.or (i32x4.shr_u (local.get $w1) (i32.const 20)) (i32x4.shl (local.get $w2) (i32.const 12))) (local.get $m26x4))",
        f"(v128.and (v128.or (i32x4.shr_u (local.get $w2) (i32.const 14)) (i32x4.shl (local.get $w3) (i32.const 18))) (local.get $m26x4))",
        f"(v128.or (i32x4.shr_u (local.get $w3) (i32.const 8)) (local.get $hib4))",
    ]
    for i in range(5):
        code += f"        (local.set $H{i} (i32x4.add (local.get $H{i}) {m[i]}))\n"
    for i, row in enumerate(TERMS):
        prods = []
        for j, k in row:
            name = (R if k[0] == 'r' else S) + k[1]
            prods.append(f"(i64x2.extmul_low_i32x4_u (local.get $H{j}) (local.get ${name}))")
        e = prods[0]
        for p in prods[1:]:
            e = f"(i64x2.add {e} {p})"
        code += f"        (local.set $D{i} {e})\n"
    # Partial carry in both lanes, then the limbs back into i32 lanes 0 and 1.
    for i in range(4):
        code += f"        (local.set $C (i64x2.shr_u (local.get $D{i}) (i32.const 26)))\n"
        code += f"        (local.set $D{i} (v128.and (local.get $D{i}) (local.get $m26x2)))\n"
        code += f"        (local.set $D{i+1} (i64x2.add (local.get $D{i+1}) (local.get $C)))\n"
    code += "        (local.set $C (i64x2.shr_u (local.get $D4) (i32.const 26)))\n"
    code += "        (local.set $D4 (v128.and (local.get $D4) (local.get $m26x2)))\n"
    code += "        (local.set $D0 (i64x2.add (local.get $D0) (i64x2.add (i64x2.shl (local.get $C) (i32.const 2)) (local.get $C))))\n"
    code += "        (local.set $C (i64x2.shr_u (local.get $D0) (i32.const 26)))\n"
    code += "        (local.set $D0 (v128.and (local.get $D0) (local.get $m26x2)))\n"
    code += "        (local.set $D1 (i64x2.add (local.get $D1) (local.get $C)))\n"
    for i in range(5):
        code += f"        (local.set $H{i} (i8x16.shuffle {LOW} (local.get $D{i}) (local.get $D{i})))\n"
    return code

scalar_block = """        (local.set $t0 (i64.load32_u (local.get $p)))
        (local.set $t1 (i64.load32_u offset=4 (local.get $p)))
        (local.set $t2 (i64.load32_u offset=8 (local.get $p)))
        (local.set $t3 (i64.load32_u offset=12 (local.get $p)))
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
"""

def indent(code, n):
    return "".join((" " * n + line.lstrip(" ") if line.strip() else line) + "\n" for line in code.rstrip("\n").split("\n"))

v128_locals = " ".join(f"(local ${n} v128)" for n in
    ["H0", "H1", "H2", "H3", "H4", "D0", "D1", "D2", "D3", "D4", "C", "va", "vb", "w0", "w1", "w2", "w3",
     "R0", "R1", "R2", "R3", "R4", "S1", "S2", "S3", "S4", "L0", "L1", "L2", "L3", "L4", "T1", "T2", "T3", "T4",
     "m26x4", "m26x2", "hib4"])

def splat(name, src):
    return f"      (local.set ${name} (i32x4.splat (i32.wrap_i64 (local.get ${src}))))\n"

# The last pair's multipliers: lane 0 r^2 (from R/S), lane 1 r.
def last_lane(name, base, src):
    return f"      (local.set ${name} (i32x4.replace_lane 1 (local.get ${base}) (i32.wrap_i64 (local.get ${src}))))\n"

wat = f""";; Poly1305 block function for @highwater/crypto (poly1305-donna-32 style: five 26-bit limbs,
;; 64-bit products), two blocks at a time in WebAssembly SIMD where a call has at least four blocks.
;; Generated by wasm/gen-poly.py; build with wasm/build.mjs. Only the block loop is here; key
;; clamping, the partial last block and the final reduction and "+ s" are done in TypeScript
;; (src/poly1305-wasm.ts).
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
    (call $run (i32.const 64) (local.get $len) (local.get $hibit32)))
  (func $run (param $at i32) (param $len i32) (param $hibit32 i32)
    (local $p i32) (local $end i32) (local $pairsEnd i32) (local $hibit i64)
    (local $h0 i64) (local $h1 i64) (local $h2 i64) (local $h3 i64) (local $h4 i64)
    (local $r0 i64) (local $r1 i64) (local $r2 i64) (local $r3 i64) (local $r4 i64)
    (local $s1 i64) (local $s2 i64) (local $s3 i64) (local $s4 i64)
    (local $q0 i64) (local $q1 i64) (local $q2 i64) (local $q3 i64) (local $q4 i64)
    (local $qs1 i64) (local $qs2 i64) (local $qs3 i64) (local $qs4 i64)
    (local $t0 i64) (local $t1 i64) (local $t2 i64) (local $t3 i64)
    (local $d0 i64) (local $d1 i64) (local $d2 i64) (local $d3 i64) (local $d4 i64)
    (local $c i64)
    {v128_locals}
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
    (local.set $p (local.get $at))
    (local.set $end (i32.add (local.get $at) (local.get $len)))
    (if (i32.ge_u (local.get $len) (i32.const 64))
      (then
        ;; r^2 (q), and the multiplier vectors: R/S = r^2 in both lanes, L/T = r^2 in lane 0, r in lane 1.
{indent(scalar_mul('r', 'r', 's', 'q'), 8)}        (local.set $qs1 (i64.mul (local.get $q1) (i64.const 5)))
        (local.set $qs2 (i64.mul (local.get $q2) (i64.const 5)))
        (local.set $qs3 (i64.mul (local.get $q3) (i64.const 5)))
        (local.set $qs4 (i64.mul (local.get $q4) (i64.const 5)))
{indent(''.join(splat(f'R{i}', f'q{i}') for i in range(5)) + ''.join(splat(f'S{i}', f'qs{i}') for i in range(1, 5)), 8)}{indent(''.join(last_lane(f'L{i}', f'R{i}', f'r{i}') for i in range(5)) + ''.join(last_lane(f'T{i}', f'S{i}', f's{i}') for i in range(1, 5)), 8)}        (local.set $m26x4 (i32x4.splat (i32.const {M26})))
        (local.set $m26x2 (i64x2.splat (i64.const {M26})))
        (local.set $hib4 (i32x4.splat (local.get $hibit32)))
        ;; A starts as h, B as 0.
        (local.set $H0 (i32x4.replace_lane 0 (v128.const i64x2 0 0) (i32.wrap_i64 (local.get $h0))))
        (local.set $H1 (i32x4.replace_lane 0 (v128.const i64x2 0 0) (i32.wrap_i64 (local.get $h1))))
        (local.set $H2 (i32x4.replace_lane 0 (v128.const i64x2 0 0) (i32.wrap_i64 (local.get $h2))))
        (local.set $H3 (i32x4.replace_lane 0 (v128.const i64x2 0 0) (i32.wrap_i64 (local.get $h3))))
        (local.set $H4 (i32x4.replace_lane 0 (v128.const i64x2 0 0) (i32.wrap_i64 (local.get $h4))))
        ;; Every pair but the last, times r^2 in both lanes.
        (local.set $pairsEnd (i32.add (local.get $at) (i32.and (local.get $len) (i32.const -32))))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_u (i32.add (local.get $p) (i32.const 32)) (local.get $pairsEnd)))
{indent(simd_pair('R', 'S'), 12)}            (local.set $p (i32.add (local.get $p) (i32.const 32)))
            (br $pairs)))
        ;; The last pair: A times r^2, B times r.
{indent(simd_pair('L', 'T'), 8)}        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        ;; h = A + B, partially carried.
{indent(''.join(f"(local.set $d{i} (i64.add (i64.extend_i32_u (i32x4.extract_lane 0 (local.get $H{i}))) (i64.extend_i32_u (i32x4.extract_lane 1 (local.get $H{i})))))" + chr(10) for i in range(5)), 8)}{indent(carry_scalar('h'), 8)}))
    ;; One block at a time: all of a short run, the odd block of a long one.
    (block $done
      (loop $top
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
{scalar_block}        ;; d = h * r mod (2^130 - 5), limb products, partial carry
{indent(scalar_mul('h', 'r', 's', 'h'), 8)}        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $top)))
    (i64.store32 (i32.const 0) (local.get $h0))
    (i64.store32 (i32.const 4) (local.get $h1))
    (i64.store32 (i32.const 8) (local.get $h2))
    (i64.store32 (i32.const 12) (local.get $h3))
    (i64.store32 (i32.const 16) (local.get $h4))))
"""

with open(sys.argv[1], "w") as f:
    f.write(wat)
