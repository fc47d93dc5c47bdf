/* fpu.h — RISC-V F and D arithmetic with exact IEEE 754 semantics.
 *
 * Values are raw bit patterns (uint32_t singles, uint64_t doubles). What
 * the host's SSE does exactly as RISC-V does -- + - * / sqrt and fused
 * multiply-add, correctly rounded under the MXCSR's rounding mode, with
 * IEEE flags and tininess detected after rounding on both -- runs on the
 * host under the guest's rounding mode, its flags accrued in the MXCSR.
 * What differs is done by hand: every NaN result becomes the canonical NaN
 * (x86 returns a payload or its negative "default NaN"); fmin/fmax,
 * comparisons, classification, sign injection and every conversion are
 * integer code; round-to-nearest-ties-to-max-magnitude (RMM, which the host
 * lacks) computes the exact result rounded toward zero in binary128 (the
 * result's round bit and the inexactness are then known) and rounds that by
 * hand; the x86 FMA's invalid case differs for inf * 0 + qNaN (RISC-V
 * raises NV) and is done by hand.
 *
 * The floating-point environment (struct rv_fenv) is the MXCSR while the
 * interpreter executes guest floating point: fe_enter() loads the guest's
 * rounding mode with clear flags, fe_leave() accrues the flags into fcsr and
 * restores vmlab's MXCSR. Soft flags (from the by-hand paths) go straight
 * into fcsr.
 */
#ifndef VMLAB_ISA_FPU_H
#define VMLAB_ISA_FPU_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define F32_CANON 0x7fc00000u
#define F64_CANON 0x7ff8000000000000ull
#define F32_BOX   0xffffffff00000000ull

struct rv_fenv {
    bool live;               /* the guest's MXCSR is loaded */
    unsigned live_rm;        /* the rounding mode it holds (RNE when frm is RMM or invalid) */
    uint32_t host;           /* vmlab's MXCSR, restored by fe_leave */
};

static inline uint32_t mxcsr_read(void)
{
    uint32_t v;
    __asm__ volatile("stmxcsr %0" : "=m"(v) : : "memory");
    return v;
}

static inline void mxcsr_write(uint32_t v)
{
    __asm__ volatile("ldmxcsr %0" : : "m"(v) : "memory");
}

/* MXCSR rounding control for RISC-V modes RNE, RTZ, RDN, RUP. */
static inline uint32_t mxcsr_rc(unsigned rm)
{
    static const uint8_t rc[4] = {0, 3, 1, 2};
    return (uint32_t)rc[rm & 3] << 13;
}

/* RISC-V fflags from the MXCSR's exception flags (IE ZE OE UE PE; DE,
 * the x86-only denormal-operand flag, is not an IEEE flag). */
static inline uint32_t mxcsr_fflags(uint32_t m)
{
    return (m & 1) << 4 | (m & 4) << 1 | (m & 8) >> 1 | (m & 16) >> 3 | (m & 32) >> 5;
}

#define MXCSR_GUEST 0x1f80u  /* every exception masked, FTZ and DAZ off, flags clear */

void fe_enter(struct rv_fenv *fe, uint32_t fcsr);
void fe_leave(struct rv_fenv *fe, uint32_t *fcsr);
/* Fold the MXCSR's flags into *fcsr and clear them (before fcsr is read or
 * written), and load the rounding mode of frm (after it is written). */
void fe_sync(struct rv_fenv *fe, uint32_t *fcsr);

/* ---- operations (rm: an effective mode 0..4; *fl: soft flags) ---- */

uint32_t f32_arith(unsigned op, uint32_t a, uint32_t b, unsigned rm, struct rv_fenv *fe, uint32_t *fl);
uint64_t f64_arith(unsigned op, uint64_t a, uint64_t b, unsigned rm, struct rv_fenv *fe, uint32_t *fl);
enum { FA_ADD, FA_SUB, FA_MUL, FA_DIV, FA_SQRT };
/* a * b + c, with negations applied by the caller (exact) */
uint32_t f32_fma(uint32_t a, uint32_t b, uint32_t c, unsigned rm, struct rv_fenv *fe, uint32_t *fl);
uint64_t f64_fma(uint64_t a, uint64_t b, uint64_t c, unsigned rm, struct rv_fenv *fe, uint32_t *fl);

uint32_t f32_minmax(uint32_t a, uint32_t b, bool max, uint32_t *fl);
uint64_t f64_minmax(uint64_t a, uint64_t b, bool max, uint32_t *fl);
/* kind: 0 le, 1 lt, 2 eq */
uint64_t f32_cmp(uint32_t a, uint32_t b, unsigned kind, uint32_t *fl);
uint64_t f64_cmp(uint64_t a, uint64_t b, unsigned kind, uint32_t *fl);
uint64_t f32_class(uint32_t a);
uint64_t f64_class(uint64_t a);

/* Float to integer: width 32 or 64, is_signed; the result as the register
 * holds it (32-bit results sign-extended). */
uint64_t f32_to_int(uint32_t a, unsigned width, bool is_signed, unsigned rm, uint32_t *fl);
uint64_t f64_to_int(uint64_t a, unsigned width, bool is_signed, unsigned rm, uint32_t *fl);
/* Integer to float: v as the register holds it; width 32 or 64. */
uint32_t int_to_f32(uint64_t v, unsigned width, bool is_signed, unsigned rm, uint32_t *fl);
uint64_t int_to_f64(uint64_t v, unsigned width, bool is_signed, unsigned rm, uint32_t *fl);
uint32_t f64_to_f32(uint64_t a, unsigned rm, uint32_t *fl);
uint64_t f32_to_f64(uint32_t a, uint32_t *fl);

/* Round (-1)^sign * sig * 2^(exp - 63) (sig's top bit set; sticky: nonzero
 * bits below sig) to a single (dbl false) or double with mode rm, raising
 * NX/UF/OF in *fl: the one rounding routine every by-hand path uses. */
uint64_t fp_round_pack(bool dbl, bool sign, int exp, uint64_t sig, bool sticky, unsigned rm, uint32_t *fl);

static inline uint32_t f32_unbox(uint64_t v)
{
    return (v >> 32) == 0xffffffffu ? (uint32_t)v : F32_CANON;
}

#endif
