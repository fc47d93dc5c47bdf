/* test_isa_garbage.c — nothing a guest executes crashes vmlab: every
 * 16-bit parcel and millions of random 32-bit words decode to a known
 * operation with registers in range, and random words executed as code
 * (with the data they point at) either run or stop with a trap the spec
 * allows, the hart's registers and pc sane afterwards. */
#include "isa/isa_impl.h"
#include "lib/rvkit.h"
#include "lib/tap.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static bool sane(const struct rv_insn *d, uint32_t raw)
{
    unsigned want_len = (raw & 3) == 3 ? 4 : 2;
    bool fd = d->op >= RV_OP_FLW;                 /* F/D operations may name f registers */
    return d->op < RV_OP_NR && d->op != RV_OP_DECODE && d->op != RV_OP_REFETCH && d->len == want_len &&
           d->rd <= 32 && d->rs1 < 32 && d->rs2 < 32 && d->rs3 < 32 && (fd || d->op == RV_OP_CSR || d->rd != 0 ||
           d->op == RV_OP_ILLEGAL || d->op <= RV_OP_BGEU || (d->op >= RV_OP_SB && d->op <= RV_OP_SD) ||
           d->op == RV_OP_FENCE || d->op == RV_OP_FENCE_I || d->op == RV_OP_ECALL || d->op == RV_OP_EBREAK);
}

int main(void)
{
    unsigned bad = 0, illegal16 = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        if ((h & 3) == 3)
            continue;
        struct rv_insn d = {0};
        rv_decode(h, &d);
        if (!sane(&d, h))
            bad++;
        illegal16 += d.op == RV_OP_ILLEGAL;
    }
    ok(bad == 0, "every 16-bit parcel decodes sanely (%u bad); %u of 49152 are illegal", bad, illegal16);
    bad = 0;
    unsigned n = tm_san() ? 200000 : 4000000;
    for (unsigned i = 0; i < n; i++) {
        uint32_t w = (uint32_t)next() | 3;
        struct rv_insn d = {0};
        rv_decode(w, &d);
        if (!sane(&d, w))
            bad++;
    }
    ok(bad == 0, "%u random 32-bit words decode sanely (%u bad)", n, bad);

    /* random code: run each block of 16 random words (a mix of arbitrary
     * bits and valid-looking opcodes) until it traps or 64 instructions */
    struct rvk k;
    rvk_open(&k, 1);
    unsigned runs = tm_san() ? 300 : 3000, traps = 0, weird = 0;
    static const uint8_t opcodes[] = {0x03, 0x07, 0x0f, 0x13, 0x17, 0x1b, 0x23, 0x27, 0x2f, 0x33, 0x37,
                                      0x3b, 0x43, 0x47, 0x4b, 0x4f, 0x53, 0x63, 0x67, 0x6f, 0x73};
    for (unsigned r = 0; r < runs; r++) {
        uint32_t code[16];
        for (unsigned i = 0; i < 16; i++) {
            code[i] = (uint32_t)next();
            if (next() % 2)
                code[i] = (code[i] & ~0x7fu) | opcodes[next() % sizeof opcodes];
        }
        for (unsigned i = 1; i < 32; i++)
            k.h.x[i] = next() % 4 ? RVK_DATA + (next() % (4 * VM_PAGE_SIZE)) : next();
        k.h.fcsr = (uint32_t)(next() & 0xff);
        rvk_exec(&k, RVK_CODE, code, sizeof code, 64);
        if (k.stop == RV_STOP_TRAP) {
            traps++;
            bool allowed = k.t.cause <= RV_EXC_ECALL_U || k.t.cause == RV_EXC_FETCH_PAGE_FAULT ||
                           k.t.cause == RV_EXC_LOAD_PAGE_FAULT || k.t.cause == RV_EXC_STORE_PAGE_FAULT;
            if (!allowed || k.t.pc != k.h.pc || (k.h.pc & 1))
                weird++;
        }
        if (k.h.x[0] != 0)
            weird++;
        if (kernel_process_state(k.p) != PROC_RUNNABLE) {
            /* a refused access killed the process: start a new one */
            rvk_close(&k);
            rvk_open(&k, 1);
        }
    }
    ok(weird == 0, "%u random code blocks: %u trapped, every trap one the spec allows, x0 stays 0 (%u odd)", runs,
       traps, weird);
    rvk_close(&k);
    return tap_done();
}
