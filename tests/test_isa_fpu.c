/* test_isa_fpu.c — the by-hand paths of src/isa/fpu.c against the host.
 *
 * For the four rounding modes the host has (RNE, RTZ, RDN, RUP), every
 * conversion done by hand in integer code (integer to float, float to
 * integer within range, double to single) must give the host SSE's result
 * and flags exactly, over millions of random and edge inputs; RMM, which
 * the host lacks, must give RNE's result except on exact ties, where it
 * rounds away from zero. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "isa/fpu.h"
#include "lib/ptbuild.h"
#include "lib/tap.h"

#include <vmlab/isa.h>

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t rnd_int(void)
{
    switch (next() % 4) {
    case 0: return next();
    case 1: return next() >> (next() % 64);
    case 2: return (uint64_t)-(int64_t)(next() >> (next() % 64));
    default: return (1ull << (next() % 64)) + (next() % 5) - 2;
    }
}

static uint64_t rnd_double(void)
{
    uint64_t v = next();
    switch (next() % 4) {
    case 0: return v;
    case 1: return (v & 0x800fffffffffffffull) | (uint64_t)(1023 + next() % 70) << 52;   /* 1 .. 2^70 */
    case 2: return (v & 0x800fffffffffffffull) | (uint64_t)(next() % 0x7ff) << 52;
    default: return v & 0x801fffffffffffffull;                                           /* tiny */
    }
}

static const unsigned mxcsr_mode[4] = {0x0000, 0x6000, 0x2000, 0x4000};   /* RNE RTZ RDN RUP */

/* Host conversion under mode m; the MXCSR flags it raised, as fflags. */
#define HOST(m, expr, out, flags)                                                   \
    do {                                                                            \
        uint32_t saved_ = mxcsr_read();                                             \
        mxcsr_write(0x1f80 | mxcsr_mode[m]);                                        \
        out = (expr);                                                               \
        flags = mxcsr_fflags(mxcsr_read());                                         \
        mxcsr_write(saved_);                                                        \
    } while (0)

static double d_of(uint64_t v) { double d; memcpy(&d, &v, 8); return d; }
static uint64_t bits_d(double d) { uint64_t v; memcpy(&v, &d, 8); return v; }
static uint32_t bits_f(float f) { uint32_t v; memcpy(&v, &f, 4); return v; }

static double h_cvtsi2sd(int64_t v) { double r; __asm__ volatile("cvtsi2sdq %1, %0" : "=x"(r) : "r"(v)); return r; }
static float h_cvtsi2ss(int64_t v) { float r; __asm__ volatile("cvtsi2ssq %1, %0" : "=x"(r) : "r"(v)); return r; }
static float h_cvtsd2ss(double v) { float r; __asm__ volatile("cvtsd2ss %1, %0" : "=x"(r) : "x"(v)); return r; }
static int64_t h_cvtsd2si(double v) { int64_t r; __asm__ volatile("cvtsd2siq %1, %0" : "=r"(r) : "x"(v)); return r; }

int main(void)
{
    unsigned n = tm_san() ? 200000 : 2000000;
    unsigned bad[4] = {0};
    char first[4][200] = {{0}};
    for (unsigned i = 0; i < n; i++) {
        unsigned m = i % 4;
        /* int64 -> double and -> single */
        uint64_t v = rnd_int();
        double hd;
        float hf;
        uint32_t hfl, hfl2, fl = 0, fl2 = 0;
        HOST(m, h_cvtsi2sd((int64_t)v), hd, hfl);
        uint64_t sd = int_to_f64(v, 64, true, m, &fl);
        HOST(m, h_cvtsi2ss((int64_t)v), hf, hfl2);
        uint32_t ss = int_to_f32(v, 64, true, m, &fl2);
        if ((sd != bits_d(hd) || fl != hfl || ss != bits_f(hf) || fl2 != hfl2) && bad[0]++ == 0)
            snprintf(first[0], sizeof first[0], "int %llx mode %u: %llx/%x vs host %llx/%x", (unsigned long long)v, m,
                     (unsigned long long)sd, fl, (unsigned long long)bits_d(hd), hfl);
        /* double -> single */
        uint64_t a = rnd_double();
        if ((a & 0x7ff0000000000000ull) != 0x7ff0000000000000ull) {     /* NaNs differ by design */
            fl = 0;
            HOST(m, h_cvtsd2ss(d_of(a)), hf, hfl);
            uint32_t r = f64_to_f32(a, m, &fl);
            if ((r != bits_f(hf) || fl != hfl) && bad[1]++ == 0)
                snprintf(first[1], sizeof first[1], "double %llx mode %u: %x/%x vs host %x/%x",
                         (unsigned long long)a, m, r, fl, bits_f(hf), hfl);
        }
        /* double -> int64 inside the range (outside, x86 and RISC-V differ by design) */
        if (fabs(d_of(a)) < 9.2e18) {
            int64_t hi;
            fl = 0;
            HOST(m, h_cvtsd2si(d_of(a)), hi, hfl);
            uint64_t r = f64_to_int(a, 64, true, m, &fl);
            if ((r != (uint64_t)hi || fl != hfl) && bad[2]++ == 0)
                snprintf(first[2], sizeof first[2], "double %llx mode %u: %llx/%x vs host %llx/%x",
                         (unsigned long long)a, m, (unsigned long long)r, fl, (unsigned long long)hi, hfl);
        }
        /* RMM: RNE's answer unless the value is exactly halfway */
        uint64_t w = next() >> (next() % 40);
        uint32_t f_rne = 0, f_rmm = 0;
        uint64_t rne = int_to_f64(w, 64, false, RV_RM_RNE, &f_rne);
        uint64_t rmm = int_to_f64(w, 64, false, RV_RM_RMM, &f_rmm);
        unsigned lz = w ? (unsigned)__builtin_clzll(w) : 64;
        bool tie = lz < 11 && (w & ((1ull << (11 - lz)) - 1)) == 1ull << (10 - lz);
        bool rmm_ok = tie ? rmm == int_to_f64(w, 64, false, RV_RM_RUP, &f_rmm) : rmm == rne;
        if (!rmm_ok && bad[3]++ == 0)
            snprintf(first[3], sizeof first[3], "u64 %llx: rmm %llx rne %llx tie %d", (unsigned long long)w,
                     (unsigned long long)rmm, (unsigned long long)rne, tie);
    }
    ok(!bad[0], "integer to double and single: the host's result and flags in 4 modes (%u bad) %s", bad[0], first[0]);
    ok(!bad[1], "double to single: the host's result and flags in 4 modes (%u bad) %s", bad[1], first[1]);
    ok(!bad[2], "double to integer in range: the host's result and flags in 4 modes (%u bad) %s", bad[2], first[2]);
    ok(!bad[3], "RMM is RNE except on ties, which go away from zero (%u bad) %s", bad[3], first[3]);
    return tap_done();
}
