/* rvgen.c — see rvgen.h. */
#include "rvgen.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gen {
    uint64_t s;              /* xorshift state */
    FILE *o;
    unsigned block, label;
};

static uint64_t rnd(struct gen *g)
{
    /* splitmix64: every seed gives a good sequence */
    uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static unsigned below(struct gen *g, unsigned n)
{
    return (unsigned)(rnd(g) % n);
}

static void emit(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct gen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("    ", g->o);
    vfprintf(g->o, fmt, ap);
    fputc('\n', g->o);
    va_end(ap);
}

/* ---- operands ---- */

static unsigned xw(struct gen *g)   /* a register the random code may write */
{
    static const unsigned w[] = {1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
                                 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
    return w[below(g, sizeof w / sizeof w[0])];
}
static unsigned xr(struct gen *g) { return below(g, 32); }
static unsigned xc(struct gen *g) { return 8 + below(g, 8); }       /* x8..x15 */
static unsigned fr(struct gen *g) { return below(g, 32); }
static unsigned fc(struct gen *g) { return 8 + below(g, 8); }

static const char *rm(struct gen *g)
{
    static const char *const m[] = {"rne", "rtz", "rdn", "rup", "rmm", "dyn", "dyn"};
    return m[below(g, 7)];
}

static int off(struct gen *g, unsigned size, bool aligned)
{
    /* x3 is a page boundary in the middle of an 8 KiB area; offsets are
     * [-2048, 2048 - size), so some accesses cross the page boundary */
    int o = (int)below(g, 4096 - size) - 2048;
    if (aligned)
        o &= ~(int)(size - 1);
    return o;
}

/* ---- values ---- */

static uint64_t xval(struct gen *g)
{
    static const uint64_t edge[] = {
        0, 1, 2, 3, 0xffffffffffffffffull, 0x8000000000000000ull, 0x7fffffffffffffffull,
        0xffffffff80000000ull, 0x7fffffff, 0x80000000ull, 0xffffffffull, 0x100000000ull,
        0xfffffffffffffffeull, 63, 64, 31, 32, 0x8000000000000001ull, 0x00000000ffff8000ull,
    };
    switch (below(g, 4)) {
    case 0: return edge[below(g, sizeof edge / sizeof edge[0])];
    case 1: return (uint64_t)(int64_t)(int)(below(g, 4096) - 2048);
    case 2: return rnd(g) >> below(g, 64);
    default: return rnd(g);
    }
}

static uint64_t dval(struct gen *g)
{
    static const uint64_t edge[] = {
        0x0000000000000000ull, 0x8000000000000000ull,             /* +0, -0 */
        0x3ff0000000000000ull, 0xbff0000000000000ull,             /* 1, -1 */
        0x3fe0000000000000ull, 0x3ff8000000000000ull,             /* 0.5, 1.5 */
        0x4004000000000000ull, 0xc004000000000000ull,             /* 2.5, -2.5 */
        0x7ff0000000000000ull, 0xfff0000000000000ull,             /* inf, -inf */
        0x7ff8000000000000ull, 0xfff8000000000000ull,             /* qNaN, -qNaN */
        0x7ff8000000000123ull, 0x7ff0000000000001ull,             /* qNaN payload, sNaN */
        0xfff4000000000000ull, 0x7ff7ffffffffffffull,             /* sNaNs */
        0x0000000000000001ull, 0x800fffffffffffffull,             /* subnormals */
        0x0010000000000000ull, 0x8010000000000000ull,             /* smallest normals */
        0x7fefffffffffffffull, 0xffefffffffffffffull,             /* largest */
        0x4340000000000000ull, 0x43e0000000000000ull,             /* 2^53, 2^63 */
        0x43f0000000000000ull, 0xc3e0000000000000ull,             /* 2^64, -2^63 */
        0x41e0000000000000ull, 0x41efffffffe00000ull,             /* 2^31, 2^32 - 1 */
        0xc1e0000000200000ull, 0x41dfffffffffffffull,             /* -2^31-1, 2^31-tiny */
        0x3cb0000000000000ull, 0x000fffffffffffffull,             /* 2^-52, largest subnormal */
        0x3fefffffffffffffull, 0x3ff0000000000001ull,             /* 1 - ulp, 1 + ulp */
        0x0008000000000000ull, 0x4330000000000001ull,             /* 2^-1023, 2^52+1 */
    };
    switch (below(g, 5)) {
    case 0: case 1: return edge[below(g, sizeof edge / sizeof edge[0])];
    case 2: {                          /* a small number with a fraction: ties and roundings */
        double v = (double)((int)below(g, 64) - 32) / (double)(1u << below(g, 4));
        uint64_t b;
        memcpy(&b, &v, 8);
        return b;
    }
    case 3: {                          /* near the subnormal range */
        uint64_t b = rnd(g) & 0x801fffffffffffffull;
        return b;
    }
    default: return rnd(g);
    }
}

static uint32_t sval(struct gen *g)
{
    static const uint32_t edge[] = {
        0x00000000, 0x80000000, 0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000, 0x40200000,
        0xc0200000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fc00123, 0x7f800001,
        0xffa00000, 0x7fbfffff, 0x00000001, 0x807fffff, 0x00800000, 0x80800000, 0x7f7fffff,
        0xff7fffff, 0x4b800000, 0x5f000000, 0x5f800000, 0xdf000000, 0x4f000000, 0x4f7fffff,
        0xcf000001, 0x4effffff, 0x34000000, 0x007fffff, 0x3f7fffff, 0x3f800001,
    };
    switch (below(g, 5)) {
    case 0: case 1: return edge[below(g, sizeof edge / sizeof edge[0])];
    case 2: {
        float v = (float)((int)below(g, 64) - 32) / (float)(1u << below(g, 4));
        uint32_t b;
        memcpy(&b, &v, 4);
        return b;
    }
    case 3: return (uint32_t)rnd(g) & 0x80ffffffu;
    default: return (uint32_t)rnd(g);
    }
}

static uint64_t fval(struct gen *g)
{
    if (below(g, 2))
        return dval(g);
    uint64_t box = 0xffffffff00000000ull;
    if (below(g, 12) == 0)
        box = rnd(g) << 32;            /* not NaN-boxed: reads as the canonical NaN */
    return box | sval(g);
}

/* ---- instructions ---- */

static void alu(struct gen *g)
{
    static const char *const rr[] = {
        "add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and", "addw", "subw",
        "sllw", "srlw", "sraw", "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu",
        "mulw", "divw", "divuw", "remw", "remuw",
    };
    static const char *const ri[] = {"addi", "slti", "sltiu", "xori", "ori", "andi", "addiw"};
    static const char *const sh[] = {"slli", "srli", "srai"};
    static const char *const shw[] = {"slliw", "srliw", "sraiw"};
    switch (below(g, 6)) {
    case 0: case 1:
        emit(g, "%s x%u, x%u, x%u", rr[below(g, sizeof rr / sizeof rr[0])], xw(g), xr(g), xr(g));
        break;
    case 2:
        emit(g, "%s x%u, x%u, %d", ri[below(g, 7)], xw(g), xr(g), (int)below(g, 4096) - 2048);
        break;
    case 3:
        emit(g, "%s x%u, x%u, %u", sh[below(g, 3)], xw(g), xr(g), below(g, 64));
        break;
    case 4:
        emit(g, "%s x%u, x%u, %u", shw[below(g, 3)], xw(g), xr(g), below(g, 32));
        break;
    default:
        if (below(g, 2))
            emit(g, "lui x%u, 0x%x", xw(g), below(g, 1u << 20));
        else
            emit(g, "auipc x%u, 0x%x", xw(g), below(g, 1u << 20));
        break;
    }
}

static void mem(struct gen *g)
{
    static const struct { const char *op; unsigned size; bool fp, store; } m[] = {
        {"lb", 1, 0, 0}, {"lh", 2, 0, 0}, {"lw", 4, 0, 0}, {"ld", 8, 0, 0}, {"lbu", 1, 0, 0},
        {"lhu", 2, 0, 0}, {"lwu", 4, 0, 0}, {"sb", 1, 0, 1}, {"sh", 2, 0, 1}, {"sw", 4, 0, 1},
        {"sd", 8, 0, 1}, {"flw", 4, 1, 0}, {"fld", 8, 1, 0}, {"fsw", 4, 1, 1}, {"fsd", 8, 1, 1},
    };
    unsigned i = below(g, sizeof m / sizeof m[0]);
    int o = off(g, m[i].size, below(g, 4) != 0);
    if (m[i].store)
        emit(g, "%s %c%u, %d(x3)", m[i].op, m[i].fp ? 'f' : 'x', m[i].fp ? fr(g) : xr(g), o);
    else
        emit(g, "%s %c%u, %d(x3)", m[i].op, m[i].fp ? 'f' : 'x', m[i].fp ? fr(g) : xw(g), o);
}

static const char *ord(struct gen *g)
{
    static const char *const o[] = {"", ".aq", ".rl", ".aqrl"};
    return o[below(g, 4)];
}

static void atomic(struct gen *g)
{
    static const char *const a[] = {"amoswap", "amoadd", "amoxor", "amoand", "amoor",
                                    "amomin", "amomax", "amominu", "amomaxu"};
    unsigned size = below(g, 2) ? 8 : 4;
    const char *w = size == 8 ? "d" : "w";
    unsigned base = xw(g);
    emit(g, "addi x%u, x3, %d", base, off(g, size, true));
    if (below(g, 3)) {
        emit(g, "%s.%s%s x%u, x%u, (x%u)", a[below(g, 9)], w, ord(g), xw(g), xr(g), base);
        return;
    }
    if (below(g, 5) == 0) {                      /* an SC with no reservation: fails */
        emit(g, "sc.%s%s x%u, x%u, (x%u)", w, ord(g), xw(g), xr(g), base);
        return;
    }
    /* a constrained LR/SC pair: integer work in between, base untouched */
    unsigned rd = xw(g);
    while (rd == base)
        rd = xw(g);
    emit(g, "lr.%s%s x%u, (x%u)", w, ord(g), rd, base);
    for (unsigned k = below(g, 4); k; k--) {
        unsigned t = xw(g);
        while (t == base)
            t = xw(g);
        emit(g, "addi x%u, x%u, %d", t, xr(g), (int)below(g, 64) - 32);
    }
    emit(g, "sc.%s%s x%u, x%u, (x%u)", w, ord(g), xw(g), xr(g), base);
}

static void fp(struct gen *g)
{
    static const char *const bin[] = {"fadd", "fsub", "fmul", "fdiv"};
    static const char *const fma[] = {"fmadd", "fmsub", "fnmsub", "fnmadd"};
    static const char *const nr[] = {"fsgnj", "fsgnjn", "fsgnjx", "fmin", "fmax"};
    static const char *const cmp[] = {"feq", "flt", "fle"};
    static const char *const ity[] = {"w", "wu", "l", "lu"};
    const char *t = below(g, 2) ? "d" : "s";
    switch (below(g, 10)) {
    case 0: case 1:
        emit(g, "%s.%s f%u, f%u, f%u, %s", bin[below(g, 4)], t, fr(g), fr(g), fr(g), rm(g));
        break;
    case 2:
        emit(g, "%s.%s f%u, f%u, f%u, f%u, %s", fma[below(g, 4)], t, fr(g), fr(g), fr(g), fr(g), rm(g));
        break;
    case 3:
        emit(g, "fsqrt.%s f%u, f%u, %s", t, fr(g), fr(g), rm(g));
        break;
    case 4:
        emit(g, "%s.%s f%u, f%u, f%u", nr[below(g, 5)], t, fr(g), fr(g), fr(g));
        break;
    case 5:
        emit(g, "%s.%s x%u, f%u, f%u", cmp[below(g, 3)], t, xw(g), fr(g), fr(g));
        break;
    case 6:
        emit(g, "fcvt.%s.%s x%u, f%u, %s", ity[below(g, 4)], t, xw(g), fr(g), rm(g));
        break;
    case 7: {
        unsigned i = below(g, 4);
        if (*t == 'd' && i < 2)
            emit(g, "fcvt.%s.%s f%u, x%u", t, ity[i], fr(g), xr(g));    /* exact */
        else
            emit(g, "fcvt.%s.%s f%u, x%u, %s", t, ity[i], fr(g), xr(g), rm(g));
        break;
    }
    case 8:
        switch (below(g, 6)) {
        case 0: emit(g, "fcvt.s.d f%u, f%u, %s", fr(g), fr(g), rm(g)); break;
        case 1: emit(g, "fcvt.d.s f%u, f%u", fr(g), fr(g)); break;
        case 2: emit(g, "fclass.%s x%u, f%u", t, xw(g), fr(g)); break;
        case 3: emit(g, "fmv.x.%s x%u, f%u", *t == 'd' ? "d" : "w", xw(g), fr(g)); break;
        case 4: emit(g, "fmv.%s.x f%u, x%u", *t == 'd' ? "d" : "w", fr(g), xr(g)); break;
        default: emit(g, "fcvt.s.d f%u, f%u, %s", fr(g), fr(g), rm(g)); break;
        }
        break;
    default:
        switch (below(g, 6)) {                   /* the floating-point CSRs */
        case 0: emit(g, "frflags x%u", xw(g)); break;
        case 1: emit(g, "fsflags x%u, x%u", xw(g), xr(g)); break;
        case 2: emit(g, "frrm x%u", xw(g)); break;
        case 3: emit(g, "fsrmi x%u, %u", xw(g), below(g, 5)); break;
        case 4: emit(g, "fsflagsi x%u, %u", xw(g), below(g, 32)); break;
        default: emit(g, "frcsr x%u", xw(g)); break;
        }
        break;
    }
}

/* Explicitly compressed forms, operands within their constraints. */
static void rvc(struct gen *g)
{
    int imm6 = (int)below(g, 63) - 32;
    if (imm6 >= 0)
        imm6++;                                  /* nonzero, -32..31 */
    switch (below(g, 14)) {
    case 0: emit(g, "c.addi x%u, %d", xw(g), imm6); break;
    case 1: emit(g, "c.li x%u, %d", xw(g), imm6); break;
    case 2: {
        unsigned rd = xw(g);
        while (rd == 2)
            rd = xw(g);
        unsigned v = 1 + below(g, 31);
        emit(g, "c.lui x%u, 0x%x", rd, below(g, 2) ? v : 0xfffe0 | (v - 1));
        break;
    }
    case 3: emit(g, "c.mv x%u, x%u", xw(g), 1 + below(g, 31)); break;
    case 4: emit(g, "c.add x%u, x%u", xw(g), 1 + below(g, 31)); break;
    case 5: {
        static const char *const o[] = {"c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw"};
        emit(g, "%s x%u, x%u", o[below(g, 6)], xc(g), xc(g));
        break;
    }
    case 6: {
        static const char *const o[] = {"c.srli", "c.srai"};
        emit(g, "%s x%u, %u", o[below(g, 2)], xc(g), 1 + below(g, 63));
        break;
    }
    case 7: emit(g, "c.andi x%u, %d", xc(g), imm6); break;
    case 8: emit(g, "c.slli x%u, %u", xw(g), 1 + below(g, 63)); break;
    case 9: emit(g, "c.addiw x%u, %d", xw(g), imm6); break;
    case 10: {                                   /* c.lw/c.ld/c.sw/c.sd/c.fld/c.fsd via rs1' */
        static const struct { const char *op; unsigned size; char r; } m[] = {
            {"c.lw", 4, 'x'}, {"c.ld", 8, 'x'}, {"c.sw", 4, 'x'}, {"c.sd", 8, 'x'},
            {"c.fld", 8, 'f'}, {"c.fsd", 8, 'f'},
        };
        unsigned i = below(g, 6), base = xc(g);
        unsigned reg = m[i].r == 'f' ? fc(g) : xc(g);
        emit(g, "addi x%u, x3, %d", base, off(g, 256, false));
        emit(g, "%s %c%u, %u(x%u)", m[i].op, m[i].r, reg, below(g, 32 * 4 / m[i].size) * m[i].size, base);
        break;
    }
    case 11: {                                   /* the sp-relative forms */
        static const struct { const char *op; unsigned size; char r; } m[] = {
            {"c.lwsp", 4, 'x'}, {"c.ldsp", 8, 'x'}, {"c.swsp", 4, 'x'}, {"c.sdsp", 8, 'x'},
            {"c.fldsp", 8, 'f'}, {"c.fsdsp", 8, 'f'},
        };
        unsigned i = below(g, 6);
        emit(g, "addi x2, x3, %d", off(g, 512, false));
        unsigned reg = m[i].r == 'f' ? fr(g) : (i < 2 ? xw(g) : xr(g));
        emit(g, "%s %c%u, %u(x2)", m[i].op, m[i].r, reg, below(g, 64 * 4 / m[i].size) * m[i].size);
        break;
    }
    case 12: {
        unsigned v = (1 + below(g, 255)) * 4;
        emit(g, "c.addi4spn x%u, x2, %u", xc(g), v);
        break;
    }
    default: {
        int v = ((int)below(g, 63) - 32) * 16;
        emit(g, "c.addi16sp x2, %d", v ? v : 16);
        break;
    }
    }
}

static void insn(struct gen *g, unsigned *left);

static void branch(struct gen *g, unsigned *left)
{
    static const char *const b[] = {"beq", "bne", "blt", "bge", "bltu", "bgeu"};
    unsigned l = g->label++;
    switch (below(g, 4)) {
    case 0: emit(g, "jal x%u, L%u", xw(g), l); break;
    case 1: emit(g, "c.%s x%u, L%u", below(g, 2) ? "beqz" : "bnez", xc(g), l); break;
    case 2: emit(g, "c.j L%u", l); break;
    default: emit(g, "%s x%u, x%u, L%u", b[below(g, 6)], xr(g), xr(g), l); break;
    }
    for (unsigned k = below(g, 4); k && *left; k--)
        insn(g, left);
    fprintf(g->o, "L%u:\n", l);
}

static void insn(struct gen *g, unsigned *left)
{
    (*left)--;
    switch (below(g, 20)) {
    case 0: case 1: case 2: case 3: case 4: alu(g); break;
    case 5: case 6: case 7: mem(g); break;
    case 8: atomic(g); break;
    case 9: case 10: case 11: case 12: case 13: fp(g); break;
    case 14: case 15: case 16: rvc(g); break;
    default: branch(g, left); break;
    }
}

/* ---- the program ---- */

static void block(struct gen *g, unsigned insns)
{
    unsigned b = g->block++;
    /* the initial values */
    fprintf(g->o, "    .data\n    .balign 8\ninit%u:\n", b);
    for (unsigned i = 0; i < 32; i++)
        fprintf(g->o, "    .dword 0x%llx\n", (unsigned long long)(i == 3 || i == 4 ? 0 : xval(g)));
    for (unsigned i = 0; i < 32; i++)
        fprintf(g->o, "    .dword 0x%llx\n", (unsigned long long)fval(g));
    fprintf(g->o, "    .dword 0x%x\n", below(g, 5) << 5 | below(g, 32));
    fprintf(g->o, "    .text\n");
    emit(g, "lla x4, init%u", b);
    emit(g, "ld x5, 512(x4)");
    emit(g, "fscsr x5");
    for (unsigned i = 1; i < 32; i++)
        if (i != 3 && i != 4)
            emit(g, "ld x%u, %u(x4)", i, 8 * i);
    for (unsigned i = 0; i < 32; i++)
        emit(g, "fld f%u, %u(x4)", i, 256 + 8 * i);
    unsigned left = insns;
    while (left)
        insn(g, &left);
    emit(g, "jal x4, dump");
}

char *rvgen_program(uint64_t seed, unsigned blocks, unsigned insns)
{
    char *text = NULL;
    size_t len = 0;
    struct gen g = {.s = seed * 0x2545f4914f6cdd1dull + 1};
    g.o = open_memstream(&text, &len);
    fprintf(g.o, "# generated by tests/lib/rvgen.c, seed %llu\n", (unsigned long long)seed);
    fprintf(g.o, "    .option norelax\n    .globl _start\n    .text\n_start:\n");
    emit(&g, "lla x3, area + 4096");
    for (unsigned b = 0; b < blocks; b++)
        block(&g, insns);
    emit(&g, "li a0, 0");
    emit(&g, "li a7, 93");
    emit(&g, "ecall");
    /* dump: x4 holds the return address; everything else is saved first */
    fputs("dump:\n", g.o);
    emit(&g, "lla x3, dumpbuf");             /* x3 is reloaded by the next block's la */
    for (unsigned i = 1; i < 32; i++)
        if (i != 3)
            emit(&g, "sd x%u, %u(x3)", i, 8 * (i - 1));
    emit(&g, "lla x5, area + 4096");
    emit(&g, "sd x5, 16(x3)");               /* x3's value in the block */
    emit(&g, "frcsr x5");
    emit(&g, "sd x5, %u(x3)", 8 * 63);
    for (unsigned i = 0; i < 32; i++)
        emit(&g, "fsd f%u, %u(x3)", i, 8 * (31 + i));
    /* the data area's checksum */
    emit(&g, "lla a0, area");
    emit(&g, "li a1, 1024");
    emit(&g, "li t0, 0");
    fputs("1:\n", g.o);
    emit(&g, "ld t1, 0(a0)");
    emit(&g, "slli t2, t0, 5");
    emit(&g, "srli t3, t0, 59");
    emit(&g, "or t2, t2, t3");
    emit(&g, "xor t0, t2, t1");
    emit(&g, "addi a0, a0, 8");
    emit(&g, "addi a1, a1, -1");
    emit(&g, "bnez a1, 1b");
    emit(&g, "sd t0, %u(x3)", 8 * 64);
    /* hex, then write(1, hex, len) */
    emit(&g, "mv a0, x3");
    emit(&g, "lla a1, hexbuf");
    emit(&g, "li a2, %u", 8 * RVGEN_WORDS);
    emit(&g, "lla a3, hexdigits");
    fputs("2:\n", g.o);
    emit(&g, "lbu t0, 0(a0)");
    emit(&g, "srli t1, t0, 4");
    emit(&g, "andi t0, t0, 15");
    emit(&g, "add t1, a3, t1");
    emit(&g, "lbu t1, 0(t1)");
    emit(&g, "add t0, a3, t0");
    emit(&g, "lbu t0, 0(t0)");
    emit(&g, "sb t1, 0(a1)");
    emit(&g, "sb t0, 1(a1)");
    emit(&g, "addi a0, a0, 1");
    emit(&g, "addi a1, a1, 2");
    emit(&g, "addi a2, a2, -1");
    emit(&g, "bnez a2, 2b");
    emit(&g, "li t0, 10");
    emit(&g, "sb t0, 0(a1)");
    emit(&g, "li a0, 1");
    emit(&g, "lla a1, hexbuf");
    emit(&g, "li a2, %u", 16 * RVGEN_WORDS + 1);
    emit(&g, "li a7, 64");
    emit(&g, "ecall");
    emit(&g, "lla x3, area + 4096");
    emit(&g, "jalr x0, 0(x4)");
    fprintf(g.o, "    .data\nhexdigits: .ascii \"0123456789abcdef\"\n    .balign 8\n");
    fprintf(g.o, "dumpbuf: .space %u\nhexbuf: .space %u\n    .balign 4096\narea:\n",
            8 * RVGEN_WORDS, 16 * RVGEN_WORDS + 8);
    for (unsigned i = 0; i < 1024; i++)
        fprintf(g.o, "    .dword 0x%llx\n", (unsigned long long)rnd(&g));
    fclose(g.o);
    return text;
}

uint64_t rvgen_word(const char *line, unsigned i)
{
    uint64_t v = 0;
    for (unsigned b = 0; b < 8; b++) {
        unsigned byte = 0;
        sscanf(line + 16 * i + 2 * b, "%2x", &byte);
        v |= (uint64_t)byte << (8 * b);
    }
    return v;
}

const char *rvgen_word_name(unsigned i, char *buf, unsigned len)
{
    if (i < 31)
        snprintf(buf, len, "x%u", i + 1);
    else if (i < 63)
        snprintf(buf, len, "f%u", i - 31);
    else
        snprintf(buf, len, "%s", i == 63 ? "fcsr" : "memsum");
    return buf;
}
