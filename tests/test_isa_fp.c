/* test_isa_fp.c — F and D against known answers from the spec's F and D
 * chapters and IEEE 754: the canonical NaN, NaN-boxing, signed zeros in
 * fmin/fmax, saturating conversions, every rounding mode (RMM's ties away
 * from zero), tininess after rounding, the fused multiply-add's single
 * rounding, and the accrued flags. */
/* the table leaves xdst/xsrc out where both are false */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include "lib/rvkit.h"
#include "lib/tap.h"

enum { S = 0, D = 1 };
enum { RNE = 0, RTZ = 1, RDN = 2, RUP = 3, RMM = 4, DYN = 7 };
enum { NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16 };

#define BOX(v) (0xffffffff00000000ull | (uint32_t)(v))
#define CANON_S BOX(0x7fc00000)
#define CANON_D 0x7ff8000000000000ull

/* double constants */
#define D_0 0x0000000000000000ull
#define D_N0 0x8000000000000000ull
#define D_1 0x3ff0000000000000ull
#define D_N1 0xbff0000000000000ull
#define D_2 0x4000000000000000ull
#define D_2_5 0x4004000000000000ull
#define D_N2_5 0xc004000000000000ull
#define D_INF 0x7ff0000000000000ull
#define D_NINF 0xfff0000000000000ull
#define D_QNAN_PAY 0x7ff8000000000123ull
#define D_SNAN 0x7ff0000000000001ull
#define D_MAX 0x7fefffffffffffffull
#define D_MINSUB 0x0000000000000001ull
#define D_MAXSUB 0x000fffffffffffffull
#define D_MINNORM 0x0010000000000000ull
#define D_1P 0x3ff0000000000001ull      /* 1 + 2^-52 */
#define D_1M 0x3fefffffffffffffull      /* 1 - 2^-53 */
#define D_2M53 0x3ca0000000000000ull    /* 2^-53 */
#define D_2P63 0x43e0000000000000ull
#define D_2P64 0x43f0000000000000ull
#define D_U32MAX 0x41efffffffe00000ull  /* 4294967295.0 */
#define D_N0_5 0xbfe0000000000000ull
#define D_2_1 0x4000cccccccccccdull
/* single */
#define S_1 0x3f800000u
#define S_2M24 0x33800000u              /* 2^-24 */
#define S_SNAN 0x7f800001u

struct fcase {
    const char *name;
    uint32_t insn;           /* rd 10 (f or x), rs1 11, rs2 12, rs3 13 (f or x) */
    uint64_t a, b, c;        /* f11, f12, f13 (x11 for int sources) */
    unsigned frm;
    uint64_t want;
    unsigned flags;          /* fflags afterwards (they start clear) */
    bool xdst, xsrc;         /* rd / rs1 are integer registers */
};

static const struct fcase cases[] = {
    /* the canonical NaN */
    {"inf - inf is the canonical NaN, NV", FSUB(D, DYN, 10, 11, 12), D_INF, D_INF, 0, 0, CANON_D, NV},
    {"0 * inf", FMUL(D, DYN, 10, 11, 12), D_0, D_INF, 0, 0, CANON_D, NV},
    {"a NaN's payload is not propagated", FADD(D, DYN, 10, 11, 12), D_QNAN_PAY, D_1, 0, 0, CANON_D, 0},
    {"a signalling NaN operand raises NV", FADD(D, DYN, 10, 11, 12), D_SNAN, D_1, 0, 0, CANON_D, NV},
    {"sqrt(-1)", FSQRT(D, DYN, 10, 11), D_N1, 0, 0, 0, CANON_D, NV},
    {"sqrt(-0) is -0", FSQRT(D, DYN, 10, 11), D_N0, 0, 0, 0, D_N0, 0},
    {"0/0", FDIV(D, DYN, 10, 11, 12), D_0, D_0, 0, 0, CANON_D, NV},
    {"1/0 is inf, DZ", FDIV(D, DYN, 10, 11, 12), D_1, D_0, 0, 0, D_INF, DZ},
    {"-1/0 is -inf", FDIV(D, DYN, 10, 11, 12), D_N1, D_0, 0, 0, D_NINF, DZ},
    {"max * 2 overflows to inf", FMUL(D, RNE, 10, 11, 12), D_MAX, D_2, 0, 0, D_INF, OF | NX},
    {"max * 2 rounding toward zero is max", FMUL(D, RTZ, 10, 11, 12), D_MAX, D_2, 0, 0, D_MAX, OF | NX},
    {"-max * 2 rounding up is -max", FMUL(D, RUP, 10, 11, 12), D_MAX | D_N0, D_2, 0, 0, D_MAX | D_N0, OF | NX},
    {"max * 2 RMM overflows to inf", FMUL(D, RMM, 10, 11, 12), D_MAX, D_2, 0, 0, D_INF, OF | NX},
    {"the smallest subnormal / 2 is 0, UF NX", FDIV(D, RNE, 10, 11, 12), D_MINSUB, D_2, 0, 0, D_0, UF | NX},
    {"the smallest subnormal / 2 rounding up", FDIV(D, RUP, 10, 11, 12), D_MINSUB, D_2, 0, 0, D_MINSUB, UF | NX},
    {"an exact subnormal result raises nothing", FMUL(D, RNE, 10, 11, 12), D_MINNORM, 0x3fe0000000000000ull, 0, 0,
     0x0008000000000000ull, 0},
    /* tininess after rounding: (2^-1022)(1 - 2^-104) rounds to 2^-1022, not tiny */
    {"tininess is detected after rounding (no UF)", FMUL(D, RNE, 10, 11, 12), D_MAXSUB, D_1P, 0, 0, D_MINNORM, NX},
    {"... and is tiny rounding toward zero (UF)", FMUL(D, RTZ, 10, 11, 12), D_MAXSUB, D_1P, 0, 0, D_MAXSUB, UF | NX},
    /* RMM: ties away from zero */
    {"1 + 2^-53 ties to even (1)", FADD(D, RNE, 10, 11, 12), D_1, D_2M53, 0, 0, D_1, NX},
    {"1 + 2^-53 RMM ties away (1 + 2^-52)", FADD(D, RMM, 10, 11, 12), D_1, D_2M53, 0, 0, D_1P, NX},
    {"-1 - 2^-53 RMM ties away", FSUB(D, RMM, 10, 11, 12), D_N1, D_2M53, 0, 0, D_1P | D_N0, NX},
    {"1 + 2^-24 single RMM", FADD(S, RMM, 10, 11, 12), BOX(S_1), BOX(S_2M24), 0, 0, BOX(0x3f800001), NX},
    {"1 + 2^-24 single RNE", FADD(S, RNE, 10, 11, 12), BOX(S_1), BOX(S_2M24), 0, 0, BOX(S_1), NX},
    {"5 * 2^-1074 / 2 RMM is 3 * 2^-1074", FDIV(D, RMM, 10, 11, 12), 5, D_2, 0, 0, 3, UF | NX},
    {"5 * 2^-1074 / 2 RNE is 2 * 2^-1074", FDIV(D, RNE, 10, 11, 12), 5, D_2, 0, 0, 2, UF | NX},
    {"dynamic RMM", FADD(D, DYN, 10, 11, 12), D_1, D_2M53, 0, RMM, D_1P, NX},
    {"dynamic RUP", FADD(D, DYN, 10, 11, 12), D_1, D_2M53, 0, RUP, D_1P, NX},
    {"dynamic RDN of a negative", FADD(D, DYN, 10, 11, 12), D_N1, D_2M53 | D_N0, 0, RDN, D_1P | D_N0, NX},
    {"a static mode overrides frm", FADD(D, RTZ, 10, 11, 12), D_1, D_2M53, 0, RUP, D_1, NX},
    {"x - x is +0", FSUB(D, RNE, 10, 11, 12), D_1, D_1, 0, 0, D_0, 0},
    {"x - x rounding down is -0", FSUB(D, RDN, 10, 11, 12), D_1, D_1, 0, 0, D_N0, 0},
    /* fused multiply-add: one rounding */
    {"fmadd rounds once: (1+e)(1-e) - 1 = -e^2", FMADD(D, RNE, 10, 11, 12, 13), D_1P, 0x3feffffffffffffeull, D_N1,
     0, 0xb970000000000000ull, 0},
    {"fmadd inf * 0 + qNaN raises NV", FMADD(D, RNE, 10, 11, 12, 13), D_INF, D_0, D_QNAN_PAY, 0, CANON_D, NV},
    {"fmadd qNaN addend, finite product: no flag", FMADD(D, RNE, 10, 11, 12, 13), D_1, D_1, D_QNAN_PAY, 0, CANON_D, 0},
    {"fnmadd: -(1*1) - 1", FNMADD(D, RNE, 10, 11, 12, 13), D_1, D_1, D_1, 0, 0xc000000000000000ull, 0},
    {"fnmsub: -(1*1) + 1 is +0", FNMSUB(D, RNE, 10, 11, 12, 13), D_1, D_1, D_1, 0, D_0, 0},
    {"fmsub: 1*1 - 1 is +0", FMSUB(D, RNE, 10, 11, 12, 13), D_1, D_1, D_1, 0, D_0, 0},
    {"fnmadd of zeros: -(0*1) - 0 is -0", FNMADD(D, RNE, 10, 11, 12, 13), D_0, D_1, D_0, 0, D_N0, 0},
    {"fmadd.s RMM", FMADD(S, RMM, 10, 11, 12, 13), BOX(S_1), BOX(S_1), BOX(S_2M24), 0, BOX(0x3f800001), NX},
    {"fmsub.s: 1*2 - 1", FMSUB(S, RNE, 10, 11, 12, 13), BOX(S_1), BOX(0x40000000), BOX(S_1), 0, BOX(S_1), 0},
    {"fnmsub.s: -(1*2) + 1", FNMSUB(S, RNE, 10, 11, 12, 13), BOX(S_1), BOX(0x40000000), BOX(S_1), 0, BOX(0xbf800000), 0},
    {"fnmadd.s: -(1*2) - 1", FNMADD(S, RNE, 10, 11, 12, 13), BOX(S_1), BOX(0x40000000), BOX(S_1), 0, BOX(0xc0400000), 0},
    {"fsub.s", FSUB(S, RNE, 10, 11, 12), BOX(S_1), BOX(0x40000000), 0, 0, BOX(0xbf800000), 0},
    {"fmul.s overflow", FMUL(S, RNE, 10, 11, 12), BOX(0x7f7fffff), BOX(0x40000000), 0, 0, BOX(0x7f800000), OF | NX},
    {"fdiv.s 1/3 RNE", FDIV(S, RNE, 10, 11, 12), BOX(S_1), BOX(0x40400000), 0, 0, BOX(0x3eaaaaab), NX},
    {"fdiv.s 1/3 RTZ", FDIV(S, RTZ, 10, 11, 12), BOX(S_1), BOX(0x40400000), 0, 0, BOX(0x3eaaaaaa), NX},
    {"fsqrt.s 2", FSQRT(S, RNE, 10, 11), BOX(0x40000000), 0, 0, 0, BOX(0x3fb504f3), NX},
    {"fsqrt.s -0 is -0", FSQRT(S, RNE, 10, 11), BOX(0x80000000), 0, 0, 0, BOX(0x80000000), 0},
    /* min/max: IEEE 754-2019 minimumNumber/maximumNumber */
    {"fmin(-0, +0) is -0", FMIN(D, 10, 11, 12), D_0, D_N0, 0, 0, D_N0, 0},
    {"fmax(-0, +0) is +0", FMAX(D, 10, 11, 12), D_N0, D_0, 0, 0, D_0, 0},
    {"fmin(qNaN, 1) is 1", FMIN(D, 10, 11, 12), D_QNAN_PAY, D_1, 0, 0, D_1, 0},
    {"fmin(sNaN, 1) is 1, NV", FMIN(D, 10, 11, 12), D_SNAN, D_1, 0, 0, D_1, NV},
    {"fmax(NaN, NaN) is the canonical NaN", FMAX(D, 10, 11, 12), D_QNAN_PAY, D_SNAN, 0, 0, CANON_D, NV},
    {"fmin(-inf, 1)", FMIN(D, 10, 11, 12), D_NINF, D_1, 0, 0, D_NINF, 0},
    {"fmax.s(-1, -2)", FMAX(S, 10, 11, 12), BOX(0xbf800000), BOX(0xc0000000), 0, 0, BOX(0xbf800000), 0},
    {"fmin.s(+0, -0)", FMIN(S, 10, 11, 12), BOX(0), BOX(0x80000000), 0, 0, BOX(0x80000000), 0},
    {"fmin.s(sNaN, qNaN) is canonical, NV", FMIN(S, 10, 11, 12), BOX(S_SNAN), BOX(0x7fc00001), 0, 0, CANON_S, NV},
    /* comparisons */
    {"feq with a qNaN is 0, quietly", FEQ(D, 10, 11, 12), D_QNAN_PAY, D_1, 0, 0, 0, 0, true},
    {"feq with an sNaN raises NV", FEQ(D, 10, 11, 12), D_SNAN, D_1, 0, 0, 0, NV, true},
    {"flt with a qNaN raises NV", FLT(D, 10, 11, 12), D_QNAN_PAY, D_1, 0, 0, 0, NV, true},
    {"fle(-0, +0)", FLE(D, 10, 11, 12), D_N0, D_0, 0, 0, 1, 0, true},
    {"flt(-0, +0) is 0", FLT(D, 10, 11, 12), D_N0, D_0, 0, 0, 0, 0, true},
    {"feq(-0, +0) is 1", FEQ(D, 10, 11, 12), D_N0, D_0, 0, 0, 1, 0, true},
    {"flt(-inf, -max)", FLT(D, 10, 11, 12), D_NINF, D_MAX | D_N0, 0, 0, 1, 0, true},
    {"flt.s(-2, -1)", FLT(S, 10, 11, 12), BOX(0xc0000000), BOX(0xbf800000), 0, 0, 1, 0, true},
    {"feq.s(+0, -0)", FEQ(S, 10, 11, 12), BOX(0), BOX(0x80000000), 0, 0, 1, 0, true},
    {"feq.s of an unboxed operand is 0, quietly", FEQ(S, 10, 11, 12), S_1, BOX(S_1), 0, 0, 0, 0, true},
    {"fle.s with an sNaN raises NV", FLE(S, 10, 11, 12), BOX(S_SNAN), BOX(S_1), 0, 0, 0, NV, true},
    {"fle.s(1, 1)", FLE(S, 10, 11, 12), BOX(S_1), BOX(S_1), 0, 0, 1, 0, true},
    /* classification */
    {"fclass -inf", FCLASS(D, 10, 11), D_NINF, 0, 0, 0, 1 << 0, 0, true},
    {"fclass -normal", FCLASS(D, 10, 11), D_N1, 0, 0, 0, 1 << 1, 0, true},
    {"fclass -subnormal", FCLASS(D, 10, 11), D_MINSUB | D_N0, 0, 0, 0, 1 << 2, 0, true},
    {"fclass -0", FCLASS(D, 10, 11), D_N0, 0, 0, 0, 1 << 3, 0, true},
    {"fclass +0", FCLASS(D, 10, 11), D_0, 0, 0, 0, 1 << 4, 0, true},
    {"fclass +subnormal", FCLASS(D, 10, 11), D_MAXSUB, 0, 0, 0, 1 << 5, 0, true},
    {"fclass +normal", FCLASS(D, 10, 11), D_MAX, 0, 0, 0, 1 << 6, 0, true},
    {"fclass +inf", FCLASS(D, 10, 11), D_INF, 0, 0, 0, 1 << 7, 0, true},
    {"fclass sNaN", FCLASS(D, 10, 11), D_SNAN, 0, 0, 0, 1 << 8, 0, true},
    {"fclass qNaN", FCLASS(D, 10, 11), D_QNAN_PAY, 0, 0, 0, 1 << 9, 0, true},
    {"fclass.s of an unboxed value is a qNaN", FCLASS(S, 10, 11), 0x3f800000, 0, 0, 0, 1 << 9, 0, true},
    /* NaN-boxing */
    {"fadd.s of an unboxed operand is the canonical NaN", FADD(S, RNE, 10, 11, 12), 0x00000000ffffffffull | S_1,
     BOX(S_1), 0, 0, CANON_S, 0},
    {"fsgnj.s of an unboxed operand: the canonical NaN, rs2's sign", FSGNJ(S, 10, 11, 12), S_1, BOX(0x80000000), 0, 0,
     BOX(0xffc00000), 0},
    {"fmv.x.w moves the low bits of an unboxed register", FMV_X_F(S, 10, 11), 0x1234567880000000ull, 0, 0, 0,
     0xffffffff80000000ull, 0, true},
    {"fmv.w.x boxes", FMV_F_X(S, 10, 11), 0x1122334455667788ull, 0, 0, 0, BOX(0x55667788), 0, false, true},
    {"fmv.d.x", FMV_F_X(D, 10, 11), 0x1122334455667788ull, 0, 0, 0, 0x1122334455667788ull, 0, false, true},
    /* sign injection */
    {"fsgnjn.d negates", FSGNJN(D, 10, 11, 11), D_1, D_1, 0, 0, D_N1, 0},
    {"fsgnjn.s", FSGNJN(S, 10, 11, 12), BOX(S_1), BOX(S_1), 0, 0, BOX(0xbf800000), 0},
    {"fsgnjx.s (fabs of a negative)", FSGNJX(S, 10, 11, 11), BOX(0xbf800000), BOX(0xbf800000), 0, 0, BOX(S_1), 0},
    {"fmv.x.d", FMV_X_F(D, 10, 11), 0x8123456789abcdefull, 0, 0, 0, 0x8123456789abcdefull, 0, true},
    {"fsgnjx.d of two negatives", FSGNJX(D, 10, 11, 12), D_N1, D_N1, 0, 0, D_1, 0},
    {"fsgnj.d keeps a NaN's payload", FSGNJ(D, 10, 11, 12), D_QNAN_PAY, D_N0, 0, 0, D_QNAN_PAY | D_N0, 0},
    /* conversions to integers: saturation and rounding */
    {"fcvt.w.d NaN is 2^31-1", FCVT_X_F(D, 0, RTZ, 10, 11), D_QNAN_PAY, 0, 0, 0, 0x7fffffff, NV, true},
    {"fcvt.w.d -inf saturates", FCVT_X_F(D, 0, RTZ, 10, 11), D_NINF, 0, 0, 0, 0xffffffff80000000ull, NV, true},
    {"fcvt.wu.d -1 is 0, NV", FCVT_X_F(D, 1, RTZ, 10, 11), D_N1, 0, 0, 0, 0, NV, true},
    {"fcvt.wu.d -0.5 RTZ is 0, NX only", FCVT_X_F(D, 1, RTZ, 10, 11), D_N0_5, 0, 0, 0, 0, NX, true},
    {"fcvt.wu.d 2^32-1 sign-extends", FCVT_X_F(D, 1, RTZ, 10, 11), D_U32MAX, 0, 0, 0, 0xffffffffffffffffull, 0, true},
    {"fcvt.wu.d NaN is all ones", FCVT_X_F(D, 1, RTZ, 10, 11), D_QNAN_PAY, 0, 0, 0, 0xffffffffffffffffull, NV, true},
    {"fcvt.l.d 2^63 saturates", FCVT_X_F(D, 2, RTZ, 10, 11), D_2P63, 0, 0, 0, 0x7fffffffffffffffull, NV, true},
    {"fcvt.l.d -2^63 is exact", FCVT_X_F(D, 2, RTZ, 10, 11), D_2P63 | D_N0, 0, 0, 0, 0x8000000000000000ull, 0, true},
    {"fcvt.lu.d 2^64 saturates", FCVT_X_F(D, 3, RTZ, 10, 11), D_2P64, 0, 0, 0, 0xffffffffffffffffull, NV, true},
    {"fcvt.lu.d 2^63", FCVT_X_F(D, 3, RTZ, 10, 11), D_2P63, 0, 0, 0, 0x8000000000000000ull, 0, true},
    {"fcvt.w.d 2.5 RNE", FCVT_X_F(D, 0, RNE, 10, 11), D_2_5, 0, 0, 0, 2, NX, true},
    {"fcvt.w.d 2.5 RMM", FCVT_X_F(D, 0, RMM, 10, 11), D_2_5, 0, 0, 0, 3, NX, true},
    {"fcvt.w.d 2.5 RTZ", FCVT_X_F(D, 0, RTZ, 10, 11), D_2_5, 0, 0, 0, 2, NX, true},
    {"fcvt.w.d 2.5 RDN", FCVT_X_F(D, 0, RDN, 10, 11), D_2_5, 0, 0, 0, 2, NX, true},
    {"fcvt.w.d 2.5 RUP", FCVT_X_F(D, 0, RUP, 10, 11), D_2_5, 0, 0, 0, 3, NX, true},
    {"fcvt.w.d -2.5 RNE", FCVT_X_F(D, 0, RNE, 10, 11), D_N2_5, 0, 0, 0, (uint64_t)-2, NX, true},
    {"fcvt.w.d -2.5 RMM", FCVT_X_F(D, 0, RMM, 10, 11), D_N2_5, 0, 0, 0, (uint64_t)-3, NX, true},
    {"fcvt.w.d -2.5 RDN", FCVT_X_F(D, 0, RDN, 10, 11), D_N2_5, 0, 0, 0, (uint64_t)-3, NX, true},
    {"fcvt.w.d -2.5 RUP", FCVT_X_F(D, 0, RUP, 10, 11), D_N2_5, 0, 0, 0, (uint64_t)-2, NX, true},
    {"fcvt.w.d 2.1 dynamic RUP", FCVT_X_F(D, 0, DYN, 10, 11), D_2_1, 0, 0, RUP, 3, NX, true},
    {"fcvt.w.s 2^31 saturates", FCVT_X_F(S, 0, RTZ, 10, 11), BOX(0x4f000000), 0, 0, 0, 0x7fffffff, NV, true},
    {"fcvt.l.s of a subnormal RUP is 1", FCVT_X_F(S, 2, RUP, 10, 11), BOX(0x00000001), 0, 0, 0, 1, NX, true},
    {"fcvt.wu.s 3.5 RNE", FCVT_X_F(S, 1, RNE, 10, 11), BOX(0x40600000), 0, 0, 0, 4, NX, true},
    {"fcvt.wu.s -inf is 0, NV", FCVT_X_F(S, 1, RTZ, 10, 11), BOX(0xff800000), 0, 0, 0, 0, NV, true},
    {"fcvt.lu.s 2^63", FCVT_X_F(S, 3, RTZ, 10, 11), BOX(0x5f000000), 0, 0, 0, 0x8000000000000000ull, 0, true},
    {"fcvt.lu.s NaN is all ones", FCVT_X_F(S, 3, RTZ, 10, 11), CANON_S, 0, 0, 0, ~0ull, NV, true},
    /* conversions from integers */
    {"fcvt.d.l 2^53+1 RNE", FCVT_F_X(D, 2, RNE, 10, 11), (1ull << 53) + 1, 0, 0, 0, 0x4340000000000000ull, NX, false, true},
    {"fcvt.d.l 2^53+1 RUP", FCVT_F_X(D, 2, RUP, 10, 11), (1ull << 53) + 1, 0, 0, 0, 0x4340000000000001ull, NX, false, true},
    {"fcvt.d.lu 2^64-1 RNE is 2^64", FCVT_F_X(D, 3, RNE, 10, 11), ~0ull, 0, 0, 0, D_2P64, NX, false, true},
    {"fcvt.d.lu 2^64-1 RTZ", FCVT_F_X(D, 3, RTZ, 10, 11), ~0ull, 0, 0, 0, 0x43efffffffffffffull, NX, false, true},
    {"fcvt.d.w reads the low 32 bits, signed", FCVT_F_X(D, 0, RNE, 10, 11), 0x00000000ffffffffull, 0, 0, 0, D_N1, 0, false, true},
    {"fcvt.d.wu reads the low 32 bits, unsigned", FCVT_F_X(D, 1, RNE, 10, 11), 0xffffffff00000001ull, 0, 0, 0, D_1, 0, false, true},
    {"fcvt.s.w 2^24+1 RMM ties away", FCVT_F_X(S, 0, RMM, 10, 11), (1u << 24) + 1, 0, 0, 0, BOX(0x4b800001), NX, false, true},
    {"fcvt.s.w 2^24+1 RNE", FCVT_F_X(S, 0, RNE, 10, 11), (1u << 24) + 1, 0, 0, 0, BOX(0x4b800000), NX, false, true},
    {"fcvt.s.l 0 is +0 rounding down", FCVT_F_X(S, 2, RDN, 10, 11), 0, 0, 0, 0, BOX(0), 0, false, true},
    {"fcvt.s.wu reads 32 bits unsigned", FCVT_F_X(S, 1, RNE, 10, 11), 0xffffffff80000000ull, 0, 0, 0, BOX(0x4f000000), 0, false, true},
    {"fcvt.s.lu 2^64-1 RTZ", FCVT_F_X(S, 3, RTZ, 10, 11), ~0ull, 0, 0, 0, BOX(0x5f7fffff), NX, false, true},
    /* between formats */
    {"fcvt.s.d NaN is the canonical single", FCVT_S_D(RNE, 10, 11), D_QNAN_PAY, 0, 0, 0, CANON_S, 0},
    {"fcvt.s.d sNaN raises NV", FCVT_S_D(RNE, 10, 11), D_SNAN, 0, 0, 0, CANON_S, NV},
    {"fcvt.s.d max overflows", FCVT_S_D(RNE, 10, 11), D_MAX, 0, 0, 0, BOX(0x7f800000), OF | NX},
    {"fcvt.s.d max RTZ is the largest single", FCVT_S_D(RTZ, 10, 11), D_MAX, 0, 0, 0, BOX(0x7f7fffff), OF | NX},
    {"fcvt.s.d a double subnormal is 0 and tiny", FCVT_S_D(RNE, 10, 11), D_MINSUB, 0, 0, 0, BOX(0), UF | NX},
    {"fcvt.s.d 1 + 2^-24 RMM", FCVT_S_D(RMM, 10, 11), 0x3ff0000010000000ull, 0, 0, 0, BOX(0x3f800001), NX},
    {"fcvt.d.s of a single sNaN", FCVT_D_S(10, 11), BOX(S_SNAN), 0, 0, 0, CANON_D, NV},
    {"fcvt.d.s of a single subnormal is exact", FCVT_D_S(10, 11), BOX(1), 0, 0, 0, 0x36a0000000000000ull, 0},
    {"fcvt.d.s of an unboxed single is the canonical NaN", FCVT_D_S(10, 11), S_1, 0, 0, 0, CANON_D, 0},
};

static unsigned mxcsr_read_for_test(void)
{
    unsigned v;
    __asm__ volatile("stmxcsr %0" : "=m"(v));
    return v;
}

int main(void)
{
    struct rvk k;
    rvk_open(&k, 1);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct fcase *c = &cases[i];
        k.h.f[11] = c->a;
        k.h.f[12] = c->b;
        k.h.f[13] = c->c;
        k.h.x[11] = c->a;
        k.h.f[10] = k.h.x[10] = 0xdeadbeef;
        k.h.fcsr = c->frm << 5;
        bool ran = rvk_run(&k, &c->insn, 1);
        uint64_t got = c->xdst ? k.h.x[10] : k.h.f[10];
        unsigned fl = k.h.fcsr & 0x1f;
        ok(ran && got == c->want && fl == c->flags, "%s: 0x%llx flags 0x%x (want 0x%llx 0x%x)", c->name,
           (unsigned long long)got, fl, (unsigned long long)c->want, c->flags);
    }
    /* loads and stores: flw boxes, fsw stores the low bits as they are */
    uint64_t raw = 0x1122334455667788ull;
    rvk_poke(&k, RVK_DATA, &raw, 8);
    k.h.x[11] = RVK_DATA;
    k.h.f[12] = 0xabcdef0012345678ull;
    uint32_t ls[] = {FLW(10, 11, 0), FSW(12, 11, 8), FLD(13, 11, 0), FSD(13, 11, 16)};
    ok(rvk_run(&k, ls, 4) && k.h.f[10] == BOX(0x55667788) && rvk_peek(&k, RVK_DATA + 8, 8) == 0x12345678 &&
           k.h.f[13] == raw && rvk_peek(&k, RVK_DATA + 16, 8) == raw,
       "flw NaN-boxes; fsw stores the low 32 bits of an unboxed register; fld/fsd move 64 bits");
    /* flags accrue across instructions and the MXCSR does not leak */
    k.h.fcsr = 0;
    k.h.f[11] = D_1;
    k.h.f[12] = D_0;
    k.h.f[13] = D_2M53;
    uint32_t acc[] = {FDIV(D, RNE, 10, 11, 12), FADD(D, RNE, 10, 11, 13)};
    unsigned host_before = mxcsr_read_for_test();
    ok(rvk_run(&k, acc, 2) && (k.h.fcsr & 0x1f) == (DZ | NX), "flags accrue: DZ then NX");
    ok(mxcsr_read_for_test() == host_before, "vmlab's MXCSR is restored after guest floating point (0x%x)",
       mxcsr_read_for_test());
    k.h.fcsr = RUP << 5;
    uint32_t up[] = {FADD(D, DYN, 10, 11, 13)};
    ok(rvk_run(&k, up, 1) && k.h.f[10] == D_1P, "frm from fcsr is the dynamic mode");
    ok(mxcsr_read_for_test() == host_before, "the MXCSR is restored after a dynamic-mode run");
    rvk_close(&k);
    return tap_done();
}
