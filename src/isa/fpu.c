/* fpu.c — see fpu.h. References: the unprivileged spec's F chapter
 * ("NaN Generation and Propagation", "Subnormal Arithmetic", the FMIN/FMAX,
 * FCVT, FCLASS definitions) and IEEE 754-2008 (rounding, 4.3; exceptions,
 * 7; tininess after rounding, 7.5). */
#include "isa/fpu.h"

#include <math.h>

#include <vmlab/isa.h>

/* ---- the environment ---- */

static unsigned live_rm_of(uint32_t fcsr)
{
    unsigned frm = fcsr >> 5 & 7;
    return frm < RV_RM_RMM ? frm : RV_RM_RNE;
}

void fe_enter(struct rv_fenv *fe, uint32_t fcsr)
{
    fe->host = mxcsr_read();
    fe->live_rm = live_rm_of(fcsr);
    mxcsr_write(MXCSR_GUEST | mxcsr_rc(fe->live_rm));
    fe->live = true;
}

void fe_leave(struct rv_fenv *fe, uint32_t *fcsr)
{
    if (!fe->live)
        return;
    *fcsr |= mxcsr_fflags(mxcsr_read());
    mxcsr_write(fe->host);
    fe->live = false;
}

void fe_sync(struct rv_fenv *fe, uint32_t *fcsr)
{
    if (!fe->live)
        return;
    *fcsr |= mxcsr_fflags(mxcsr_read());
    fe->live_rm = live_rm_of(*fcsr);
    mxcsr_write(MXCSR_GUEST | mxcsr_rc(fe->live_rm));
}

/* Run the host operation under rounding mode rm (0..3): the MXCSR holds
 * fe->live_rm; another mode is loaded around the operation. */
#define WITH_RM(fe, rm, stmt)                                                   \
    do {                                                                        \
        if ((rm) == (fe)->live_rm) {                                            \
            stmt;                                                               \
        } else {                                                                \
            mxcsr_write((mxcsr_read() & ~0x6000u) | mxcsr_rc(rm));              \
            stmt;                                                               \
            mxcsr_write((mxcsr_read() & ~0x6000u) | mxcsr_rc((fe)->live_rm));   \
        }                                                                       \
    } while (0)

/* ---- bit helpers ---- */

static inline float f32_of(uint32_t v) { float f; memcpy(&f, &v, 4); return f; }
static inline uint32_t bits_f32(float f) { uint32_t v; memcpy(&v, &f, 4); return v; }
static inline double f64_of(uint64_t v) { double f; memcpy(&f, &v, 8); return f; }
static inline uint64_t bits_f64(double f) { uint64_t v; memcpy(&v, &f, 8); return v; }

static inline bool f32_isnan(uint32_t a) { return (a & 0x7fffffffu) > 0x7f800000u; }
static inline bool f64_isnan(uint64_t a) { return (a & ~(1ull << 63)) > 0x7ff0000000000000ull; }
static inline bool f32_issnan(uint32_t a) { return f32_isnan(a) && !(a & 0x00400000u); }
static inline bool f64_issnan(uint64_t a) { return f64_isnan(a) && !(a & 0x0008000000000000ull); }
static inline bool f32_isinf(uint32_t a) { return (a & 0x7fffffffu) == 0x7f800000u; }
static inline bool f64_isinf(uint64_t a) { return (a & ~(1ull << 63)) == 0x7ff0000000000000ull; }
static inline bool f32_iszero(uint32_t a) { return (a & 0x7fffffffu) == 0; }
static inline bool f64_iszero(uint64_t a) { return (a & ~(1ull << 63)) == 0; }

static inline uint32_t f32_canon(uint32_t r) { return f32_isnan(r) ? F32_CANON : r; }
static inline uint64_t f64_canon(uint64_t r) { return f64_isnan(r) ? F64_CANON : r; }

/* The format's parameters: significand bits (with the implicit one),
 * exponent bias, exponent field width. */
struct ffmt { unsigned p; int bias; unsigned ebits; };
static const struct ffmt FMT_S = {24, 127, 8}, FMT_D = {53, 1023, 11};

/* Unpack a finite nonzero value into sign, exponent and a significand with
 * its top bit at bit 63 (subnormals normalized). */
static void unpack(const struct ffmt *f, uint64_t v, bool *sign, int *exp, uint64_t *sig)
{
    unsigned fbits = f->p - 1;
    *sign = v >> (fbits + f->ebits) & 1;
    int e = (int)(v >> fbits & ((1u << f->ebits) - 1));
    uint64_t m = v & ((1ull << fbits) - 1);
    if (e == 0) {                      /* subnormal */
        unsigned lz = (unsigned)__builtin_clzll(m);
        *sig = m << lz;
        *exp = 1 - f->bias - (int)(lz - (63 - fbits));
    } else {
        *sig = (m | 1ull << fbits) << (63 - fbits);
        *exp = e - f->bias;
    }
}

uint64_t fp_round_pack(bool dbl, bool sign, int exp, uint64_t sig, bool sticky, unsigned rm, uint32_t *fl)
{
    const struct ffmt *f = dbl ? &FMT_D : &FMT_S;
    const int emax = f->bias, emin = 1 - f->bias;
    const unsigned P = f->p;
    uint64_t sbit = (uint64_t)sign << (P - 1 + f->ebits);
    /* round to `shift` fewer bits: kept bits, and whether to increment */
#define ROUND(shift, kept, inc, inexact)                                               \
    do {                                                                              \
        bool half_, rest_;                                                            \
        if ((shift) >= 65) {                                                          \
            kept = 0, half_ = false, rest_ = sig != 0 || sticky;                      \
        } else if ((shift) == 64) {                                                   \
            kept = 0, half_ = sig >> 63, rest_ = (sig << 1) != 0 || sticky;           \
        } else {                                                                      \
            kept = sig >> (shift);                                                    \
            half_ = sig >> ((shift) - 1) & 1;                                         \
            rest_ = (sig & ((1ull << ((shift) - 1)) - 1)) != 0 || sticky;             \
        }                                                                             \
        inexact = half_ || rest_;                                                     \
        switch (rm) {                                                                 \
        case RV_RM_RNE: inc = half_ && (rest_ || (kept & 1)); break;                  \
        case RV_RM_RTZ: inc = false; break;                                           \
        case RV_RM_RDN: inc = sign && inexact; break;                                 \
        case RV_RM_RUP: inc = !sign && inexact; break;                                \
        default: inc = half_; break;                                                  \
        }                                                                             \
    } while (0)
    uint64_t kept;
    bool inc, inexact;
    if (exp < emin) {
        /* tininess after rounding: tiny unless rounding to P bits with an
         * unbounded exponent reaches 2^emin */
        uint64_t kn;
        bool incn, inexn;
        ROUND(64 - P, kn, incn, inexn);
        (void)inexn;
        bool tiny = !(exp == emin - 1 && kn + incn == 1ull << P);
        unsigned shift = 64 - P + (unsigned)(emin - exp > 200 ? 200 : emin - exp);
        ROUND(shift, kept, inc, inexact);
        kept += inc;
        if (inexact)
            *fl |= RV_FFLAG_NX | (tiny ? RV_FFLAG_UF : 0);
        return sbit | kept;            /* kept == 2^(P-1): the smallest normal */
    }
    ROUND(64 - P, kept, inc, inexact);
#undef ROUND
    kept += inc;
    if (kept == 1ull << P) {
        kept >>= 1;
        exp++;
    }
    if (exp > emax) {
        *fl |= RV_FFLAG_OF | RV_FFLAG_NX;
        bool to_inf = rm == RV_RM_RNE || rm == RV_RM_RMM || (rm == RV_RM_RDN && sign) ||
                      (rm == RV_RM_RUP && !sign);
        uint64_t inf = ((1ull << f->ebits) - 1) << (P - 1);
        return sbit | (to_inf ? inf : inf - 1);
    }
    if (inexact)
        *fl |= RV_FFLAG_NX;
    return sbit | (uint64_t)(exp + f->bias) << (P - 1) | (kept & ((1ull << (P - 1)) - 1));
}

/* ---- RMM through binary128 ---- */

/* The exact result rounded toward zero to binary128's 113 bits keeps the
 * round bit of any single or double result, so rounding it to nearest with
 * ties away gives the RMM result; the binary128 operation's own
 * inexactness (bits beyond 113) is the sticky bit. The binary128 operations
 * (libgcc's soft-fp) read the rounding mode from the MXCSR and raise their
 * exceptions there: invalid and divide-by-zero are the guest operation's. */
static uint64_t rmm_finish(bool dbl, __float128 q, bool q_inexact, uint32_t *fl)
{
    uint64_t w[2];
    memcpy(w, &q, 16);                 /* little-endian: w[1] is the high half */
    bool sign = w[1] >> 63;
    unsigned e = (unsigned)(w[1] >> 48 & 0x7fff);
    if (e == 0x7fff) {
        if ((w[1] & 0xffffffffffffull) | w[0])
            return dbl ? F64_CANON : F32_CANON;
        return dbl ? (uint64_t)sign << 63 | 0x7ff0000000000000ull : (uint64_t)sign << 31 | 0x7f800000u;
    }
    if (e == 0)                        /* zero: no nonzero single/double result is this small */
        return dbl ? (uint64_t)sign << 63 : (uint64_t)sign << 31;
    /* significand: 1.f (113 bits) -> top 64 bits and a sticky bit */
    uint64_t hi = (w[1] & 0xffffffffffffull) | 1ull << 48;   /* bits 112..64 */
    uint64_t sig = hi << 15 | w[0] >> 49;
    bool sticky = (w[0] & ((1ull << 49) - 1)) != 0 || q_inexact;
    return fp_round_pack(dbl, sign, (int)e - 16383, sig, sticky, RV_RM_RMM, fl);
}

/* Begin a binary128 operation rounding toward zero with clear flags;
 * rmm_end restores the guest's flags and mode, returning the operation's
 * inexactness. */
static uint32_t rmm_begin(void)
{
    uint32_t m = mxcsr_read();
    mxcsr_write((m & ~0x603fu) | mxcsr_rc(RV_RM_RTZ));
    return m;
}

static bool rmm_end(uint32_t m)
{
    uint32_t got = mxcsr_read();
    /* the guest's accrued flags, plus what the operation raised except
     * inexact, which rmm_finish decides */
    mxcsr_write(m | (got & 0x1f));
    return got & 0x20;
}

static __float128 q_of(bool dbl, uint64_t v)
{
    return dbl ? (__float128)f64_of(v) : (__float128)f32_of((uint32_t)v);
}

static uint64_t rmm_arith(bool dbl, unsigned op, uint64_t a, uint64_t b, uint64_t c, uint32_t *fl)
{
    uint32_t m = rmm_begin();
    __float128 qa = q_of(dbl, a), qb = q_of(dbl, b), r;
    switch (op) {
    case FA_ADD: r = qa + qb; break;
    case FA_SUB: r = qa - qb; break;
    case FA_MUL: r = qa * qb; break;      /* exact: 2 x 53 <= 113 bits */
    case FA_DIV: r = qa / qb; break;
    default: r = qa * qb + q_of(dbl, c); break;   /* FMA: the product is exact */
    }
    bool inexact = rmm_end(m);
    return rmm_finish(dbl, r, inexact, fl);
}

/* ---- arithmetic ---- */

uint32_t f32_arith(unsigned op, uint32_t a, uint32_t b, unsigned rm, struct rv_fenv *fe, uint32_t *fl)
{
    if (op == FA_SQRT && rm == RV_RM_RMM)
        rm = RV_RM_RNE;                /* a square root is never a tie */
    if (rm == RV_RM_RMM)
        return (uint32_t)rmm_arith(false, op, a, b, 0, fl);
    float x = f32_of(a), y = f32_of(b);
    switch (op) {
    case FA_ADD: WITH_RM(fe, rm, __asm__ volatile("addss %1, %0" : "+x"(x) : "x"(y))); break;
    case FA_SUB: WITH_RM(fe, rm, __asm__ volatile("subss %1, %0" : "+x"(x) : "x"(y))); break;
    case FA_MUL: WITH_RM(fe, rm, __asm__ volatile("mulss %1, %0" : "+x"(x) : "x"(y))); break;
    case FA_DIV: WITH_RM(fe, rm, __asm__ volatile("divss %1, %0" : "+x"(x) : "x"(y))); break;
    default: WITH_RM(fe, rm, __asm__ volatile("sqrtss %0, %0" : "+x"(x))); break;
    }
    return f32_canon(bits_f32(x));
}

uint64_t f64_arith(unsigned op, uint64_t a, uint64_t b, unsigned rm, struct rv_fenv *fe, uint32_t *fl)
{
    if (op == FA_SQRT && rm == RV_RM_RMM)
        rm = RV_RM_RNE;
    if (rm == RV_RM_RMM)
        return rmm_arith(true, op, a, b, 0, fl);
    double x = f64_of(a), y = f64_of(b);
    switch (op) {
    case FA_ADD: WITH_RM(fe, rm, __asm__ volatile("addsd %1, %0" : "+x"(x) : "x"(y))); break;
    case FA_SUB: WITH_RM(fe, rm, __asm__ volatile("subsd %1, %0" : "+x"(x) : "x"(y))); break;
    case FA_MUL: WITH_RM(fe, rm, __asm__ volatile("mulsd %1, %0" : "+x"(x) : "x"(y))); break;
    case FA_DIV: WITH_RM(fe, rm, __asm__ volatile("divsd %1, %0" : "+x"(x) : "x"(y))); break;
    default: WITH_RM(fe, rm, __asm__ volatile("sqrtsd %0, %0" : "+x"(x))); break;
    }
    return f64_canon(bits_f64(x));
}

static int host_fma = -1;   /* the host has FMA3 (set on first use) */

static bool have_fma(void)
{
    int v = __atomic_load_n(&host_fma, __ATOMIC_RELAXED);
    if (__builtin_expect(v < 0, 0)) {
        __builtin_cpu_init();
        v = __builtin_cpu_supports("fma") ? 1 : 0;
        __atomic_store_n(&host_fma, v, __ATOMIC_RELAXED);
    }
    return v > 0;
}

uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, unsigned rm, struct rv_fenv *fe, uint32_t *fl)
{
    if ((f32_isinf(a) && f32_iszero(b)) || (f32_iszero(a) && f32_isinf(b))) {
        *fl |= RV_FFLAG_NV;            /* even when c is a quiet NaN */
        return F32_CANON;
    }
    if (rm == RV_RM_RMM)
        return (uint32_t)rmm_arith(false, 5, a, b, c, fl);
    float x = f32_of(a), y = f32_of(b), z = f32_of(c);
    if (have_fma())
        WITH_RM(fe, rm, __asm__ volatile("vfmadd231ss %2, %1, %0" : "+x"(z) : "x"(x), "x"(y)));
    else
        WITH_RM(fe, rm, z = fmaf(x, y, z); __asm__ volatile("" : "+x"(z)));
    return f32_canon(bits_f32(z));
}

uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, unsigned rm, struct rv_fenv *fe, uint32_t *fl)
{
    if ((f64_isinf(a) && f64_iszero(b)) || (f64_iszero(a) && f64_isinf(b))) {
        *fl |= RV_FFLAG_NV;
        return F64_CANON;
    }
    if (rm == RV_RM_RMM)
        return rmm_arith(true, 5, a, b, c, fl);
    double x = f64_of(a), y = f64_of(b), z = f64_of(c);
    if (have_fma())
        WITH_RM(fe, rm, __asm__ volatile("vfmadd231sd %2, %1, %0" : "+x"(z) : "x"(x), "x"(y)));
    else
        WITH_RM(fe, rm, z = fma(x, y, z); __asm__ volatile("" : "+x"(z)));
    return f64_canon(bits_f64(z));
}

/* ---- by hand: min/max, compare, classify ---- */

/* a < b for two non-NaN values, as integers (no host flag is touched). */
static bool lt_bits(uint64_t a, uint64_t b, unsigned signbit)
{
    uint64_t mag = (1ull << signbit) - 1;
    bool sa = a >> signbit & 1, sb = b >> signbit & 1;
    if (((a | b) & mag) == 0)
        return false;                  /* +0 and -0 are equal */
    if (sa != sb)
        return sa;
    return sa ? (a & mag) > (b & mag) : (a & mag) < (b & mag);
}

uint32_t f32_minmax(uint32_t a, uint32_t b, bool max, uint32_t *fl)
{
    if (f32_issnan(a) || f32_issnan(b))
        *fl |= RV_FFLAG_NV;
    if (f32_isnan(a) && f32_isnan(b))
        return F32_CANON;
    if (f32_isnan(a))
        return b;
    if (f32_isnan(b))
        return a;
    if (lt_bits(a, b, 31))
        return max ? b : a;
    if (lt_bits(b, a, 31))
        return max ? a : b;
    return max ? a & b : a | b;        /* equal: -0 is the smaller zero */
}

uint64_t f64_minmax(uint64_t a, uint64_t b, bool max, uint32_t *fl)
{
    if (f64_issnan(a) || f64_issnan(b))
        *fl |= RV_FFLAG_NV;
    if (f64_isnan(a) && f64_isnan(b))
        return F64_CANON;
    if (f64_isnan(a))
        return b;
    if (f64_isnan(b))
        return a;
    if (lt_bits(a, b, 63))
        return max ? b : a;
    if (lt_bits(b, a, 63))
        return max ? a : b;
    return max ? a & b : a | b;
}

/* FEQ is a quiet comparison (NV for signalling NaNs only), FLT and FLE
 * signalling (NV for any NaN). */
static uint64_t cmp(uint64_t a, uint64_t b, bool nan, bool snan, unsigned kind, unsigned signbit,
                    uint32_t *fl)
{
    if (nan) {
        if (kind != 2 || snan)
            *fl |= RV_FFLAG_NV;
        return 0;
    }
    bool eq = a == b || ((a | b) & ((1ull << signbit) - 1)) == 0;
    switch (kind) {
    case 0: return eq || lt_bits(a, b, signbit);
    case 1: return lt_bits(a, b, signbit);
    default: return eq;
    }
}

uint64_t f32_cmp(uint32_t a, uint32_t b, unsigned kind, uint32_t *fl)
{
    return cmp(a, b, f32_isnan(a) || f32_isnan(b), f32_issnan(a) || f32_issnan(b), kind, 31, fl);
}

uint64_t f64_cmp(uint64_t a, uint64_t b, unsigned kind, uint32_t *fl)
{
    return cmp(a, b, f64_isnan(a) || f64_isnan(b), f64_issnan(a) || f64_issnan(b), kind, 63, fl);
}

static uint64_t fclass(bool sign, bool inf, bool nan, bool snan, bool zero, bool sub)
{
    if (nan)
        return snan ? 1u << 8 : 1u << 9;
    if (inf)
        return sign ? 1u << 0 : 1u << 7;
    if (zero)
        return sign ? 1u << 3 : 1u << 4;
    if (sub)
        return sign ? 1u << 2 : 1u << 5;
    return sign ? 1u << 1 : 1u << 6;
}

uint64_t f32_class(uint32_t a)
{
    return fclass(a >> 31, f32_isinf(a), f32_isnan(a), f32_issnan(a), f32_iszero(a),
                  (a & 0x7f800000u) == 0);
}

uint64_t f64_class(uint64_t a)
{
    return fclass(a >> 63, f64_isinf(a), f64_isnan(a), f64_issnan(a), f64_iszero(a),
                  (a & 0x7ff0000000000000ull) == 0);
}

/* ---- by hand: conversions ---- */

/* Round a finite value to an integer magnitude with mode rm; *big when it
 * does not fit in 64 bits. */
static uint64_t round_to_int(bool sign, int exp, uint64_t sig, unsigned rm, bool *inexact, bool *big)
{
    /* value = sig * 2^(exp - 63) */
    *big = false;
    *inexact = false;
    if (exp >= 64) {
        *big = true;
        return 0;
    }
    if (exp >= 63) {
        return sig;                    /* exactly sig (exp 63): an integer of 64 bits */
    }
    unsigned shift = (unsigned)(63 - exp);     /* >= 1 */
    uint64_t kept;
    bool half, rest;
    if (shift >= 65) {
        kept = 0, half = false, rest = sig != 0;
    } else if (shift == 64) {
        kept = 0, half = sig >> 63, rest = (sig << 1) != 0;
    } else {
        kept = sig >> shift;
        half = sig >> (shift - 1) & 1;
        rest = (sig & ((1ull << (shift - 1)) - 1)) != 0;
    }
    *inexact = half || rest;
    bool inc;
    switch (rm) {
    case RV_RM_RNE: inc = half && (rest || (kept & 1)); break;
    case RV_RM_RTZ: inc = false; break;
    case RV_RM_RDN: inc = sign && *inexact; break;
    case RV_RM_RUP: inc = !sign && *inexact; break;
    default: inc = half; break;
    }
    if (inc && kept == UINT64_MAX)
        *big = true;
    return kept + inc;
}

static uint64_t to_int(const struct ffmt *f, uint64_t v, bool nan, bool inf, bool zero, unsigned width,
                       bool is_signed, unsigned rm, uint32_t *fl)
{
    uint64_t umax = width == 64 ? UINT64_MAX : 0xffffffffull;
    uint64_t smax = umax >> 1;
    bool sign = v >> (f->p - 1 + f->ebits) & 1;
    uint64_t r;
    if (nan) {
        *fl |= RV_FFLAG_NV;
        r = is_signed ? smax : umax;
    } else if (zero) {
        r = 0;
    } else {
        bool inexact = false, big = false;
        uint64_t mag = 0;
        if (inf) {
            big = true;
        } else {
            int exp;
            uint64_t sig;
            unpack(f, v, &sign, &exp, &sig);
            mag = round_to_int(sign, exp, sig, rm, &inexact, &big);
        }
        bool fits = !big && (is_signed ? (sign ? mag <= smax + 1 : mag <= smax)
                                       : (!sign || mag == 0) && mag <= umax);
        if (!fits) {
            *fl |= RV_FFLAG_NV;
            r = is_signed ? (sign ? smax + 1 : smax) : (sign ? 0 : umax);
        } else {
            if (inexact)
                *fl |= RV_FFLAG_NX;
            r = sign ? 0 - mag : mag;
        }
    }
    if (width == 32)
        r = (uint64_t)(int64_t)(int32_t)(uint32_t)r;
    return r;
}

uint64_t f32_to_int(uint32_t a, unsigned width, bool is_signed, unsigned rm, uint32_t *fl)
{
    return to_int(&FMT_S, a, f32_isnan(a), f32_isinf(a), f32_iszero(a), width, is_signed, rm, fl);
}

uint64_t f64_to_int(uint64_t a, unsigned width, bool is_signed, unsigned rm, uint32_t *fl)
{
    return to_int(&FMT_D, a, f64_isnan(a), f64_isinf(a), f64_iszero(a), width, is_signed, rm, fl);
}

static uint64_t from_int(bool dbl, uint64_t v, unsigned width, bool is_signed, unsigned rm, uint32_t *fl)
{
    if (width == 32)
        v = is_signed ? (uint64_t)(int64_t)(int32_t)v : (uint32_t)v;
    bool sign = is_signed && (int64_t)v < 0;
    uint64_t mag = sign ? 0 - v : v;
    if (mag == 0)
        return 0;                      /* +0 in every mode */
    unsigned lz = (unsigned)__builtin_clzll(mag);
    return fp_round_pack(dbl, sign, 63 - (int)lz, mag << lz, false, rm, fl);
}

uint32_t int_to_f32(uint64_t v, unsigned width, bool is_signed, unsigned rm, uint32_t *fl)
{
    return (uint32_t)from_int(false, v, width, is_signed, rm, fl);
}

uint64_t int_to_f64(uint64_t v, unsigned width, bool is_signed, unsigned rm, uint32_t *fl)
{
    return from_int(true, v, width, is_signed, rm, fl);
}

uint32_t f64_to_f32(uint64_t a, unsigned rm, uint32_t *fl)
{
    bool sign = a >> 63;
    if (f64_isnan(a)) {
        if (f64_issnan(a))
            *fl |= RV_FFLAG_NV;
        return F32_CANON;
    }
    if (f64_isinf(a))
        return (uint32_t)sign << 31 | 0x7f800000u;
    if (f64_iszero(a))
        return (uint32_t)sign << 31;
    int exp;
    uint64_t sig;
    unpack(&FMT_D, a, &sign, &exp, &sig);
    return (uint32_t)fp_round_pack(false, sign, exp, sig, false, rm, fl);
}

uint64_t f32_to_f64(uint32_t a, uint32_t *fl)
{
    bool sign = a >> 31;
    if (f32_isnan(a)) {
        if (f32_issnan(a))
            *fl |= RV_FFLAG_NV;
        return F64_CANON;
    }
    if (f32_isinf(a))
        return (uint64_t)sign << 63 | 0x7ff0000000000000ull;
    if (f32_iszero(a))
        return (uint64_t)sign << 63;
    int exp;
    uint64_t sig;
    unpack(&FMT_S, a, &sign, &exp, &sig);
    return fp_round_pack(true, sign, exp, sig, false, RV_RM_RNE, fl);   /* exact */
}
