/* exec.c — the interpreter: rv_run.
 *
 * One loop, threaded with computed gotos over decoded instructions. The
 * fetch unit holds one page: its frame's host bytes and its decoded page
 * (icache.c). Dispatch is
 *     off = pc - page; if off is past the page's last full word -> fetch_slow
 *     d = slot[off / 2]; if the frame's 4 bytes at off != d->raw -> decode again
 *     goto handler[d->op]
 * so a cached instruction runs only while its frame still holds the bytes
 * it was decoded from: a store by any CPU, the kernel filling, swapping in
 * or reusing the frame, anything that changes the bytes makes the next
 * execution decode again. With no page held, the slots are the sys's
 * REFETCH slots over zeros, whose handler makes the TLB lookup.
 *
 * Hot state lives in locals (pc, the budget left, the fetch page); every
 * call out of the loop that can reach the machine's slow path or the
 * kernel (callout_begin) writes pc and instret back to the hart and leaves
 * the guest's floating-point environment, and afterwards the loop drops
 * the fetch page if the CPU's flush generation moved (after_callout).
 */
#include "isa/isa_impl.h"

#include <string.h>

#include "hw/cpu_exec.h"
#include "hw/physmem_impl.h"
#include "isa/fpu.h"

struct run {
    struct rv_hart *h;
    struct rv_sys *s;
    struct rv_cpu *rc;
    struct cpu *c;
    struct rv_trap *trap;
    struct rv_fenv fe;
    uint64_t n_sync;         /* budget left when instret was last brought up to date */
};

/* ---- leaving and re-entering the loop ---- */

static void sync_instret(struct run *r, uint64_t n)
{
    r->h->instret += r->n_sync - n;
    r->n_sync = n;
}

static void callout_begin(struct run *r, uint64_t pc, uint64_t n)
{
    cpu_xc_sync(r->c, &r->rc->xc);
    r->h->pc = pc;
    sync_instret(r, n);
    fe_leave(&r->fe, &r->h->fcsr);
}

static void fetch_drop(struct rv_sys *s, struct rv_cpu *rc)
{
    rc->fetch_slots = s->refetch;
    rc->fetch_host = s->zero;
}

void rv_resv_drop(struct rv_sys *s, struct rv_cpu *rc)
{
    if (rc->resv_valid) {
        rc->resv_valid = false;
        s->nresv--;
    }
}

void rv_resv_break_others(struct rv_sys *s, const struct rv_cpu *rc, paddr_t pa, unsigned len)
{
    paddr_t b0 = pa >> RV_RESV_SHIFT, b1 = (pa + len - 1) >> RV_RESV_SHIFT;
    for (unsigned i = 0; i < s->ncpus; i++) {
        struct rv_cpu *o = &s->cpu[i];
        if (o != rc && o->resv_valid && o->resv_pa >> RV_RESV_SHIFT >= b0 &&
            o->resv_pa >> RV_RESV_SHIFT <= b1)
            rv_resv_drop(s, o);
    }
}

/* The access failed: the trap for the machine's fault. */
static int trap_fault(struct run *r, uint64_t pc, enum vm_access acc)
{
    const struct vm_fault *f = cpu_last_fault(r->c);
    static const unsigned page_cause[3] = {RV_EXC_LOAD_PAGE_FAULT, RV_EXC_STORE_PAGE_FAULT,
                                           RV_EXC_FETCH_PAGE_FAULT};
    static const unsigned access_cause[3] = {RV_EXC_LOAD_ACCESS, RV_EXC_STORE_ACCESS,
                                             RV_EXC_FETCH_ACCESS};
    r->trap->fault = *f;
    r->trap->cause = f->type == FAULT_BUS ? access_cause[acc] : page_cause[acc];
    r->trap->pc = pc;
    r->trap->tval = f->addr;
    return -1;
}

/* ---- fetch ---- */

/* Look up the page holding va for a fetch and make it the one held. */
static __attribute__((noinline)) int fetch_lookup(struct run *r, uint64_t pc, uint64_t n, uint64_t va,
                                                  const struct rv_insn *blank)
{
    struct rv_cpu *rc = r->rc;
    callout_begin(r, pc, n);
    if (r->s->trace_fn)
        r->s->trace_fn(r->s->trace_arg, r->c, va, 2, VM_ACCESS_FETCH);
    paddr_t pa[2];
    int failed = cpu_exec_translate(r->c, va, 2, VM_ACCESS_FETCH, pa);
    cpu_xc_check(r->c, &rc->xc);
    if (failed)
        return trap_fault(r, pc, VM_ACCESS_FETCH);
    paddr_t frame = VM_ALIGN_DOWN(pa[0], VM_PAGE_SIZE);
    struct rv_dpage *d = rv_icache_get(&rc->ic, frame, blank, &r->s->st);
    rc->fetch_va = VM_ALIGN_DOWN(va, VM_PAGE_SIZE);
    rc->fetch_gen = cpu_exec_flush_gen(r->c);
    rc->fetch_frame = frame;
    rc->fetch_host = cpu_exec_membase(r->c) + frame;
    rc->fetch_slots = d->slot;
    return 0;
}

/* ---- data accesses (the slow paths) ---- */

/* Cache va's translation for the fast path, unless every access must be
 * reported to the trace function. */
static void xc_fill(struct run *r, uint64_t va)
{
    if (!r->s->trace_fn)
        cpu_xc_fill(r->c, &r->rc->xc, va);
}

static void read_pa(struct cpu *c, uint64_t va, unsigned size, const paddr_t pa[2], uint64_t *val)
{
    unsigned first = (unsigned)(VM_PAGE_SIZE - (va & VM_PAGE_MASK));
    uint8_t *base = cpu_exec_membase(c);
    uint64_t v = 0;
    if (first >= size) {
        v = host_load(base + pa[0], size);
    } else {
        uint8_t b[8];
        memcpy(b, base + pa[0], first);
        memcpy(b + first, base + pa[1], size - first);
        memcpy(&v, b, size);
    }
    *val = v;
}

static __attribute__((noinline)) int slow_load(struct run *r, uint64_t pc, uint64_t n, uint64_t va,
                                               unsigned size, uint64_t *val, paddr_t *pa0)
{
    struct cpu_xcache *xc = &r->rc->xc;
    cpu_xc_sync(r->c, xc);
    if (r->s->trace_fn) {
        callout_begin(r, pc, n);       /* the embedder's code runs with its own MXCSR */
        r->s->trace_fn(r->s->trace_arg, r->c, va, size, VM_ACCESS_READ);
    }
    uint8_t *p = cpu_exec_hit(r->c, va, size, false);     /* the memo: no call out */
    if (p) {
        *val = host_load(p, size);
        *pa0 = cpu_exec_pa(r->c, p);
        xc_fill(r, va);
        return 0;
    }
    callout_begin(r, pc, n);
    paddr_t pa[2];
    int failed = cpu_exec_translate(r->c, va, size, VM_ACCESS_READ, pa);
    cpu_xc_check(r->c, xc);
    if (failed)
        return trap_fault(r, pc, VM_ACCESS_READ);
    read_pa(r->c, va, size, pa, val);
    *pa0 = pa[0];
    xc_fill(r, va);
    return 0;
}

static __attribute__((noinline)) int slow_store(struct run *r, uint64_t pc, uint64_t n, uint64_t va,
                                                unsigned size, uint64_t val)
{
    struct cpu_xcache *xc = &r->rc->xc;
    cpu_xc_sync(r->c, xc);
    if (r->s->trace_fn) {
        callout_begin(r, pc, n);       /* the embedder's code runs with its own MXCSR */
        r->s->trace_fn(r->s->trace_arg, r->c, va, size, VM_ACCESS_WRITE);
    }
    uint8_t *p = cpu_exec_hit(r->c, va, size, true);
    if (p) {
        host_store(p, size, val);
        if (r->s->nresv)
            rv_resv_break_others(r->s, r->rc, cpu_exec_pa(r->c, p), size);
        xc_fill(r, va);
        return 0;
    }
    callout_begin(r, pc, n);
    paddr_t pa[2];
    int failed = cpu_exec_translate(r->c, va, size, VM_ACCESS_WRITE, pa);
    cpu_xc_check(r->c, xc);
    if (failed)
        return trap_fault(r, pc, VM_ACCESS_WRITE);
    unsigned first = (unsigned)(VM_PAGE_SIZE - (va & VM_PAGE_MASK));
    uint8_t *base = cpu_exec_membase(r->c);
    if (first >= size) {
        host_store(base + pa[0], size, val);
        if (r->s->nresv)
            rv_resv_break_others(r->s, r->rc, pa[0], size);
    } else {
        uint8_t b[8];
        memcpy(b, &val, 8);
        memcpy(base + pa[0], b, first);
        memcpy(base + pa[1], b + first, size - first);
        if (r->s->nresv) {
            rv_resv_break_others(r->s, r->rc, pa[0], first);
            rv_resv_break_others(r->s, r->rc, pa[1], size - first);
        }
    }
    xc_fill(r, va);
    return 0;
}

/* The host address of an aligned AMO/SC target, translated as a store. */
static __attribute__((noinline)) uint8_t *slow_amo(struct run *r, uint64_t pc, uint64_t n, uint64_t va,
                                                   unsigned size)
{
    struct cpu_xcache *xc = &r->rc->xc;
    cpu_xc_sync(r->c, xc);
    if (r->s->trace_fn) {
        callout_begin(r, pc, n);       /* the embedder's code runs with its own MXCSR */
        r->s->trace_fn(r->s->trace_arg, r->c, va, size, VM_ACCESS_WRITE);
    }
    uint8_t *p = cpu_exec_hit(r->c, va, size, true);
    if (p) {
        xc_fill(r, va);
        return p;
    }
    callout_begin(r, pc, n);
    paddr_t pa[2];
    int failed = cpu_exec_translate(r->c, va, size, VM_ACCESS_WRITE, pa);
    cpu_xc_check(r->c, xc);
    if (failed) {
        trap_fault(r, pc, VM_ACCESS_WRITE);
        return NULL;
    }
    xc_fill(r, va);
    return cpu_exec_membase(r->c) + pa[0];
}

static uint64_t amo_apply(enum rv_op op, uint8_t *p, uint64_t v)
{
    /* sequentially consistent host atomics: aq/rl are satisfied by any order */
#define AMO_CAS(T, expr)                                                                  \
    do {                                                                                  \
        T old_ = __atomic_load_n((T *)p, __ATOMIC_RELAXED), new_;                         \
        do {                                                                              \
            T a = old_, b = (T)v;                                                         \
            new_ = (expr);                                                                \
        } while (!__atomic_compare_exchange_n((T *)p, &old_, new_, false, __ATOMIC_SEQ_CST, \
                                              __ATOMIC_RELAXED));                         \
        return (uint64_t)old_;                                                            \
    } while (0)
    switch (op) {
    case RV_OP_AMOSWAP_W: return __atomic_exchange_n((uint32_t *)p, (uint32_t)v, __ATOMIC_SEQ_CST);
    case RV_OP_AMOADD_W: return __atomic_fetch_add((uint32_t *)p, (uint32_t)v, __ATOMIC_SEQ_CST);
    case RV_OP_AMOXOR_W: return __atomic_fetch_xor((uint32_t *)p, (uint32_t)v, __ATOMIC_SEQ_CST);
    case RV_OP_AMOAND_W: return __atomic_fetch_and((uint32_t *)p, (uint32_t)v, __ATOMIC_SEQ_CST);
    case RV_OP_AMOOR_W: return __atomic_fetch_or((uint32_t *)p, (uint32_t)v, __ATOMIC_SEQ_CST);
    case RV_OP_AMOMIN_W: AMO_CAS(uint32_t, (int32_t)a < (int32_t)b ? a : b);
    case RV_OP_AMOMAX_W: AMO_CAS(uint32_t, (int32_t)a > (int32_t)b ? a : b);
    case RV_OP_AMOMINU_W: AMO_CAS(uint32_t, a < b ? a : b);
    case RV_OP_AMOMAXU_W: AMO_CAS(uint32_t, a > b ? a : b);
    case RV_OP_AMOSWAP_D: return __atomic_exchange_n((uint64_t *)p, v, __ATOMIC_SEQ_CST);
    case RV_OP_AMOADD_D: return __atomic_fetch_add((uint64_t *)p, v, __ATOMIC_SEQ_CST);
    case RV_OP_AMOXOR_D: return __atomic_fetch_xor((uint64_t *)p, v, __ATOMIC_SEQ_CST);
    case RV_OP_AMOAND_D: return __atomic_fetch_and((uint64_t *)p, v, __ATOMIC_SEQ_CST);
    case RV_OP_AMOOR_D: return __atomic_fetch_or((uint64_t *)p, v, __ATOMIC_SEQ_CST);
    case RV_OP_AMOMIN_D: AMO_CAS(uint64_t, (int64_t)a < (int64_t)b ? a : b);
    case RV_OP_AMOMAX_D: AMO_CAS(uint64_t, (int64_t)a > (int64_t)b ? a : b);
    case RV_OP_AMOMINU_D: AMO_CAS(uint64_t, a < b ? a : b);
    default: AMO_CAS(uint64_t, a > b ? a : b);
    }
#undef AMO_CAS
}

/* ---- CSRs (Zicsr; the F chapter's fcsr; the counters of "Zicntr") ---- */

static __attribute__((noinline)) int do_csr(struct run *r, const struct rv_insn *d, uint64_t pc,
                                            uint64_t n, uint64_t *out)
{
    struct rv_hart *h = r->h;
    unsigned csr = (unsigned)d->imm, f3 = d->rm;
    uint64_t src = (f3 & 4) ? d->rs1 : h->x[d->rs1];
    bool writes = (f3 & 3) == 1 || d->rs1 != 0;        /* CSRRW(I), or a set/clear of something */
    uint64_t old;
    fe_sync(&r->fe, &h->fcsr);
    switch (csr) {
    case 0x001: old = h->fcsr & 0x1f; break;
    case 0x002: old = h->fcsr >> 5 & 7; break;
    case 0x003: old = h->fcsr & 0xff; break;
    case 0xc00: case 0xc02:
        if (writes)
            return -1;
        sync_instret(r, n);
        old = h->instret;
        break;
    default: /* 0xc01, time */
        if (writes)
            return -1;
        callout_begin(r, pc, n);
        old = r->s->time_fn ? r->s->time_fn(r->s->time_arg, h) : h->instret;
        break;
    }
    if (writes) {
        uint64_t v = (f3 & 3) == 1 ? src : (f3 & 3) == 2 ? old | src : old & ~src;
        switch (csr) {
        case 0x001: h->fcsr = (h->fcsr & ~0x1fu) | (uint32_t)(v & 0x1f); break;
        case 0x002: h->fcsr = (h->fcsr & 0x1fu) | (uint32_t)(v & 7) << 5; break;
        default: h->fcsr = (uint32_t)(v & 0xff); break;
        }
        fe_sync(&r->fe, &h->fcsr);
    }
    *out = old;
    return 0;
}

/* ---- the loop ---- */

static inline uint64_t sx32(uint64_t v) { return (uint64_t)(int64_t)(int32_t)(uint32_t)v; }

static int64_t div64(int64_t a, int64_t b)
{
    if (b == 0)
        return -1;
    if (a == INT64_MIN && b == -1)
        return a;
    return a / b;
}

static int64_t rem64(int64_t a, int64_t b)
{
    if (b == 0)
        return a;
    if (a == INT64_MIN && b == -1)
        return 0;
    return a % b;
}

static int32_t div32(int32_t a, int32_t b)
{
    if (b == 0)
        return -1;
    if (a == INT32_MIN && b == -1)
        return a;
    return a / b;
}

static int32_t rem32(int32_t a, int32_t b)
{
    if (b == 0)
        return a;
    if (a == INT32_MIN && b == -1)
        return 0;
    return a % b;
}

/* rv_run's body. With `prepare`, it only gives that sys's REFETCH slots
 * their handler (the handlers' addresses exist only in here) and returns. */
static enum rv_stop run(struct rv_hart *h, struct cpu *c, uint64_t max, struct rv_trap *trap,
                        struct rv_sys *prepare)
{
    static void *const handler[RV_OP_NR] = {
#define RV_OP_LABEL(name, rd) [RV_OP_##name] = &&L_##name,
        RV_OPS(RV_OP_LABEL)
#undef RV_OP_LABEL
    };
    if (prepare) {
        for (unsigned i = 0; i < RV_SLOTS; i++)
            prepare->refetch[i].h = &&L_REFETCH;
        return RV_STOP_BUDGET;
    }
    struct rv_sys *s = h->sys;
    struct rv_cpu *rc = &s->cpu[cpu_index(c)];
    struct run r = {.h = h, .s = s, .rc = rc, .c = c, .trap = trap, .n_sync = max};
    const struct rv_insn blank = {.op = RV_OP_DECODE, .h = &&L_DECODE};

    if (rc->owner != h) {
        /* another hart ran here (a context switch): nothing of its is ours */
        fetch_drop(s, rc);
        rv_resv_drop(s, rc);
        for (unsigned i = 0; i < s->ncpus; i++)
            if (s->cpu[i].owner == h)
                rv_resv_drop(s, &s->cpu[i]);     /* h moved here from that CPU */
        rc->owner = h;
    }
    cpu_xc_check(c, &rc->xc);
    if (h->refetch || rc->fetch_gen != cpu_exec_flush_gen(c)) {
        fetch_drop(s, rc);
        h->refetch = false;
    }
    if (max == 0)
        return RV_STOP_BUDGET;

    uint64_t *const x = h->x;
    uint64_t *const f = h->f;
    uint64_t pc = h->pc, n = max;
    /* the page held, as the dispatch uses it: the byte at pc is at fhb +
     * pc and its slot at fsb + 12 * pc (both modulo 2^64), valid while
     * pc - fbase < VM_PAGE_SIZE - 2 */
    uint64_t fbase, fhb, fsb;
    const uint8_t *fhost;
    const struct rv_insn *fslots;
    struct cpu_xcache *xc = &rc->xc;
    __asm__("" : "+r"(xc));            /* a value to keep, not an address to recompute */
    const struct rv_insn *d;
    uint64_t off;
    unsigned cause = 0;
    uint64_t tval = 0;

#define RELOAD_FETCH()                                                          \
    (fbase = rc->fetch_va, fhost = rc->fetch_host, fslots = rc->fetch_slots,    \
     fhb = (uintptr_t)fhost - fbase, fsb = (uintptr_t)fslots - 12 * fbase)
    RELOAD_FETCH();
#define AFTER_CALLOUT()                                                         \
    do {                                                                        \
        cpu_xc_check(c, xc);                                                    \
        if (rc->fetch_gen != cpu_exec_flush_gen(c))                             \
            fetch_drop(s, rc);                                                  \
        RELOAD_FETCH();                                                         \
    } while (0)
    /* Every handler ends in its own copy of the dispatch, so that each has
     * its own indirect jump for the host's branch predictor to learn. */
#define DISPATCH()                                                              \
    do {                                                                        \
        off = pc - fbase;                                                       \
        if (__builtin_expect(off >= VM_PAGE_SIZE - 2, 0))                       \
            goto fetch_slow;                                                    \
        d = (const struct rv_insn *)(uintptr_t)(fsb + 12 * pc);                 \
        uint32_t bytes_;                                                        \
        memcpy(&bytes_, (const uint8_t *)(uintptr_t)(fhb + pc), 4);             \
        if (__builtin_expect(bytes_ != d->raw, 0))                              \
            goto redecode;                                                      \
        goto *d->h;                                                             \
    } while (0)
#define NEXT()                                                                  \
    do {                                                                        \
        if (__builtin_expect(--n == 0, 0))                                      \
            goto out_budget;                                                    \
        DISPATCH();                                                             \
    } while (0)
#define STEP() do { pc += d->len; NEXT(); } while (0)
#define TAKEN()                                                                 \
    do {                                                                        \
        if (__builtin_expect(--n == 0, 0))                                      \
            goto out_budget;                                                    \
        if (__builtin_expect(cpu_exec_ipi_pending(c), 0))                       \
            goto serve_ipi;                                                     \
        DISPATCH();                                                             \
    } while (0)
#define TRAP(cs, tv) do { cause = (cs); tval = (tv); goto out_trap; } while (0)
#define RD x[d->rd]
#define RS1 x[d->rs1]
#define RS2 x[d->rs2]
#define IMM ((uint64_t)(int64_t)d->imm)

dispatch:
    DISPATCH();

redecode: {
    struct rv_insn *w = (struct rv_insn *)d;
    uint32_t bytes;
    memcpy(&bytes, fhost + off, 4);
    if (w->op != RV_OP_DECODE)
        s->st.stale_decodes++;
    w->raw = bytes;
    rv_decode(bytes, w);
    w->h = handler[w->op];
    s->st.decodes++;
    goto *w->h;
}
L_DECODE: {
    struct rv_insn *w = (struct rv_insn *)d;
    rv_decode(w->raw, w);
    w->h = handler[w->op];
    s->st.decodes++;
    goto *w->h;
}

fetch_slow:
    if (off == VM_PAGE_SIZE - 2 && fslots != s->refetch) {
        /* the page's last halfword */
        uint16_t lo;
        memcpy(&lo, fhost + off, 2);
        if ((lo & 3) != 3) {
            struct rv_insn *w = (struct rv_insn *)&fslots[RV_SLOTS - 1];
            if (w->raw != lo || w->op == RV_OP_DECODE) {
                if (w->op != RV_OP_DECODE)
                    s->st.stale_decodes++;
                w->raw = lo;
                rv_decode(lo, w);
                w->h = handler[w->op];
                s->st.decodes++;
            }
            d = w;
            goto *d->h;
        }
        /* a 32-bit instruction crossing into the next page: fetching its
         * upper half looks the next page up, which is then the one held */
        if (fetch_lookup(&r, pc, n, fbase + VM_PAGE_SIZE, &blank)) {
            RELOAD_FETCH();
            goto out_trap_set;
        }
        RELOAD_FETCH();
        uint16_t hi;
        memcpy(&hi, fhost, 2);
        rc->cross.raw = (uint32_t)lo | (uint32_t)hi << 16;
        rv_decode(rc->cross.raw, &rc->cross);
        rc->cross.h = handler[rc->cross.op];
        s->st.decodes++;
        d = &rc->cross;
        goto *d->h;
    }
L_REFETCH:
    if (fetch_lookup(&r, pc, n, pc, &blank)) {
        RELOAD_FETCH();
        goto out_trap_set;
    }
    RELOAD_FETCH();
    goto dispatch;

serve_ipi:
    callout_begin(&r, pc, n);
    cpu_poll(c);
    AFTER_CALLOUT();
    goto dispatch;

    /* ---- RV64I ---- */
L_ILLEGAL: TRAP(RV_EXC_ILLEGAL, d->len == 2 ? (d->raw & 0xffff) : d->raw);
L_LUI: RD = IMM; STEP();
L_AUIPC: RD = pc + IMM; STEP();
L_JAL: RD = pc + d->len; pc += IMM; TAKEN();
L_JALR: { uint64_t t = (RS1 + IMM) & ~1ull; RD = pc + d->len; pc = t; TAKEN(); }
#define BRANCH(cond) do { if (cond) { pc += IMM; TAKEN(); } STEP(); } while (0)
L_BEQ: BRANCH(RS1 == RS2);
L_BNE: BRANCH(RS1 != RS2);
L_BLT: BRANCH((int64_t)RS1 < (int64_t)RS2);
L_BGE: BRANCH((int64_t)RS1 >= (int64_t)RS2);
L_BLTU: BRANCH(RS1 < RS2);
L_BGEU: BRANCH(RS1 >= RS2);

    /* A load: the TLB-hit path inline, everything else in slow_load. */
#define LOAD_INTO(dst, size, conv)                                              \
    do {                                                                        \
        uint64_t va_ = RS1 + IMM, v_;                                           \
        uint8_t *p_;                                                            \
        if (__builtin_expect(cpu_xc_hit(xc, va_, size, false, &p_), 1)) {       \
            v_ = host_load(p_, size);                                           \
        } else {                                                                \
            paddr_t pa_;                                                        \
            if (slow_load(&r, pc, n, va_, size, &v_, &pa_))                     \
                goto out_trap_set;                                              \
            AFTER_CALLOUT();                                                    \
        }                                                                       \
        dst = conv(v_);                                                         \
        STEP();                                                                 \
    } while (0)
#define STORE_FROM(val, size)                                                   \
    do {                                                                        \
        uint64_t va_ = RS1 + IMM;                                               \
        uint8_t *p_;                                                            \
        if (__builtin_expect(cpu_xc_hit(xc, va_, size, true, &p_), 1)) {        \
            host_store(p_, size, val);                                          \
            if (__builtin_expect(s->nresv != 0, 0))                             \
                rv_resv_break_others(s, rc, cpu_exec_pa(c, p_), size);          \
        } else {                                                                \
            if (slow_store(&r, pc, n, va_, size, val))                          \
                goto out_trap_set;                                              \
            AFTER_CALLOUT();                                                    \
        }                                                                       \
        STEP();                                                                 \
    } while (0)
#define S8(v) ((uint64_t)(int64_t)(int8_t)(v))
#define S16(v) ((uint64_t)(int64_t)(int16_t)(v))
#define S32(v) sx32(v)
#define U(v) (v)
#define BOXED(v) (F32_BOX | (v))
L_LB: LOAD_INTO(RD, 1, S8);
L_LH: LOAD_INTO(RD, 2, S16);
L_LW: LOAD_INTO(RD, 4, S32);
L_LD: LOAD_INTO(RD, 8, U);
L_LBU: LOAD_INTO(RD, 1, U);
L_LHU: LOAD_INTO(RD, 2, U);
L_LWU: LOAD_INTO(RD, 4, U);
L_SB: STORE_FROM(RS2, 1);
L_SH: STORE_FROM(RS2, 2);
L_SW: STORE_FROM(RS2, 4);
L_SD: STORE_FROM(RS2, 8);
L_FLW: LOAD_INTO(f[d->rd], 4, BOXED);
L_FLD: LOAD_INTO(f[d->rd], 8, U);
L_FSW: STORE_FROM((uint32_t)f[d->rs2], 4);
L_FSD: STORE_FROM(f[d->rs2], 8);

L_ADDI: RD = RS1 + IMM; STEP();
L_SLTI: RD = (int64_t)RS1 < (int64_t)IMM; STEP();
L_SLTIU: RD = RS1 < IMM; STEP();
L_XORI: RD = RS1 ^ IMM; STEP();
L_ORI: RD = RS1 | IMM; STEP();
L_ANDI: RD = RS1 & IMM; STEP();
L_SLLI: RD = RS1 << d->imm; STEP();
L_SRLI: RD = RS1 >> d->imm; STEP();
L_SRAI: RD = (uint64_t)((int64_t)RS1 >> d->imm); STEP();
L_ADD: RD = RS1 + RS2; STEP();
L_SUB: RD = RS1 - RS2; STEP();
L_SLL: RD = RS1 << (RS2 & 63); STEP();
L_SLT: RD = (int64_t)RS1 < (int64_t)RS2; STEP();
L_SLTU: RD = RS1 < RS2; STEP();
L_XOR: RD = RS1 ^ RS2; STEP();
L_SRL: RD = RS1 >> (RS2 & 63); STEP();
L_SRA: RD = (uint64_t)((int64_t)RS1 >> (RS2 & 63)); STEP();
L_OR: RD = RS1 | RS2; STEP();
L_AND: RD = RS1 & RS2; STEP();
L_ADDIW: RD = sx32(RS1 + IMM); STEP();
L_SLLIW: RD = sx32((uint32_t)RS1 << d->imm); STEP();
L_SRLIW: RD = sx32((uint32_t)RS1 >> d->imm); STEP();
L_SRAIW: RD = (uint64_t)(int64_t)((int32_t)RS1 >> d->imm); STEP();
L_ADDW: RD = sx32(RS1 + RS2); STEP();
L_SUBW: RD = sx32(RS1 - RS2); STEP();
L_SLLW: RD = sx32((uint32_t)RS1 << (RS2 & 31)); STEP();
L_SRLW: RD = sx32((uint32_t)RS1 >> (RS2 & 31)); STEP();
L_SRAW: RD = (uint64_t)(int64_t)((int32_t)RS1 >> (RS2 & 31)); STEP();
L_FENCE:
L_FENCE_I: STEP();   /* the decoded cache checks every instruction's bytes (docs/isa.md) */
L_ECALL: TRAP(RV_EXC_ECALL_U, 0);
L_EBREAK: TRAP(RV_EXC_BREAKPOINT, pc);
L_CSR: {
    uint64_t v;
    if (do_csr(&r, d, pc, n, &v))
        TRAP(RV_EXC_ILLEGAL, d->raw);
    AFTER_CALLOUT();
    RD = v;
    STEP();
}

    /* ---- M ---- */
L_MUL: RD = RS1 * RS2; STEP();
L_MULH: RD = (uint64_t)((__int128)(int64_t)RS1 * (__int128)(int64_t)RS2 >> 64); STEP();
L_MULHSU: RD = (uint64_t)((__int128)(int64_t)RS1 * (__int128)RS2 >> 64); STEP();
L_MULHU: RD = (uint64_t)((unsigned __int128)RS1 * RS2 >> 64); STEP();
L_DIV: RD = (uint64_t)div64((int64_t)RS1, (int64_t)RS2); STEP();
L_DIVU: RD = RS2 ? RS1 / RS2 : UINT64_MAX; STEP();
L_REM: RD = (uint64_t)rem64((int64_t)RS1, (int64_t)RS2); STEP();
L_REMU: RD = RS2 ? RS1 % RS2 : RS1; STEP();
L_MULW: RD = sx32(RS1 * RS2); STEP();
L_DIVW: RD = (uint64_t)(int64_t)div32((int32_t)RS1, (int32_t)RS2); STEP();
L_DIVUW: RD = sx32((uint32_t)RS2 ? (uint32_t)RS1 / (uint32_t)RS2 : UINT32_MAX); STEP();
L_REMW: RD = (uint64_t)(int64_t)rem32((int32_t)RS1, (int32_t)RS2); STEP();
L_REMUW: RD = sx32((uint32_t)RS2 ? (uint32_t)RS1 % (uint32_t)RS2 : (uint32_t)RS1); STEP();

    /* ---- A ---- */
#define AMO(size)                                                               \
    do {                                                                        \
        uint64_t va_ = RS1;                                                     \
        if (va_ & ((size) - 1))                                                 \
            TRAP(RV_EXC_STORE_MISALIGNED, va_);                                 \
        uint8_t *p_;                                                            \
        if (__builtin_expect(!cpu_xc_hit(xc, va_, size, true, &p_), 0)) {       \
            p_ = slow_amo(&r, pc, n, va_, size);                                \
            if (!p_)                                                            \
                goto out_trap_set;                                              \
            AFTER_CALLOUT();                                                    \
        }                                                                       \
        uint64_t old_ = amo_apply((enum rv_op)d->op, p_, RS2);                  \
        if (__builtin_expect(s->nresv != 0, 0))                                 \
            rv_resv_break_others(s, rc, cpu_exec_pa(c, p_), size);              \
        RD = (size) == 4 ? sx32(old_) : old_;                                   \
        STEP();                                                                 \
    } while (0)
L_AMOSWAP_W: L_AMOADD_W: L_AMOXOR_W: L_AMOAND_W: L_AMOOR_W:
L_AMOMIN_W: L_AMOMAX_W: L_AMOMINU_W: L_AMOMAXU_W: AMO(4);
L_AMOSWAP_D: L_AMOADD_D: L_AMOXOR_D: L_AMOAND_D: L_AMOOR_D:
L_AMOMIN_D: L_AMOMAX_D: L_AMOMINU_D: L_AMOMAXU_D: AMO(8);

#define LR(size)                                                                \
    do {                                                                        \
        uint64_t va_ = RS1, v_;                                                 \
        paddr_t pa_;                                                            \
        if (va_ & ((size) - 1))                                                 \
            TRAP(RV_EXC_LOAD_MISALIGNED, va_);                                  \
        uint8_t *p_;                                                            \
        if (__builtin_expect(cpu_xc_hit(xc, va_, size, false, &p_), 1)) {       \
            v_ = host_load(p_, size);                                           \
            pa_ = cpu_exec_pa(c, p_);                                           \
        } else {                                                                \
            if (slow_load(&r, pc, n, va_, size, &v_, &pa_))                     \
                goto out_trap_set;                                              \
            AFTER_CALLOUT();                                                    \
        }                                                                       \
        if (!rc->resv_valid)                                                    \
            s->nresv++;                                                         \
        rc->resv_valid = true;                                                  \
        rc->resv_va = va_;                                                      \
        rc->resv_pa = pa_;                                                      \
        rc->resv_val = v_;                                                      \
        rc->resv_size = size;                                                   \
        RD = (size) == 4 ? sx32(v_) : v_;                                       \
        STEP();                                                                 \
    } while (0)
    /* SC: without the reservation it fails with no access at all; with it,
     * it is a store access (which may fault), and succeeds if the block
     * is the one reserved and still holds the value the LR read. */
#define SC(size)                                                                \
    do {                                                                        \
        uint64_t va_ = RS1;                                                     \
        if (va_ & ((size) - 1))                                                 \
            TRAP(RV_EXC_STORE_MISALIGNED, va_);                                 \
        uint64_t res_ = 1;                                                      \
        if (rc->resv_valid && rc->resv_va == va_ && rc->resv_size == (size)) {  \
            uint8_t *p_;                                                        \
            if (__builtin_expect(!cpu_xc_hit(xc, va_, size, true, &p_), 0)) {   \
                p_ = slow_amo(&r, pc, n, va_, size);                            \
                if (!p_)                                                        \
                    goto out_trap_set;                                          \
                AFTER_CALLOUT();                                                \
            }                                                                   \
            if (rc->resv_valid && cpu_exec_pa(c, p_) == rc->resv_pa) {          \
                if ((size) == 4) {                                              \
                    uint32_t e_ = (uint32_t)rc->resv_val;                       \
                    res_ = !__atomic_compare_exchange_n((uint32_t *)p_, &e_,    \
                        (uint32_t)RS2, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED); \
                } else {                                                        \
                    uint64_t e_ = rc->resv_val;                                 \
                    res_ = !__atomic_compare_exchange_n((uint64_t *)p_, &e_,    \
                        RS2, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);        \
                }                                                               \
                if (res_ == 0 && s->nresv > 1)                                  \
                    rv_resv_break_others(s, rc, rc->resv_pa, size);             \
            }                                                                   \
        }                                                                       \
        rv_resv_drop(s, rc);                                                    \
        if (res_)                                                               \
            s->st.sc_failures++;                                                \
        RD = res_;                                                              \
        STEP();                                                                 \
    } while (0)
L_LR_W: LR(4);
L_LR_D: LR(8);
L_SC_W: SC(4);
L_SC_D: SC(8);

    /* ---- F and D ---- */
#define FRM() (d->rm == RV_RM_DYN ? (h->fcsr >> 5 & 7) : d->rm)
#define FP_RM(var)                                                              \
    unsigned var = FRM();                                                       \
    if (var > RV_RM_RMM)                                                        \
        TRAP(RV_EXC_ILLEGAL, d->raw);                                           \
    if (!r.fe.live)                                                             \
        fe_enter(&r.fe, h->fcsr)
#define FS1 f32_unbox(f[d->rs1])
#define FS2 f32_unbox(f[d->rs2])
#define FS3 f32_unbox(f[d->rs3])
#define FD1 f[d->rs1]
#define FD2 f[d->rs2]
#define FD3 f[d->rs3]
#define FL (&h->fcsr)
#define FRD f[d->rd]
L_FADD_S: { FP_RM(rm); FRD = BOXED(f32_arith(FA_ADD, FS1, FS2, rm, &r.fe, FL)); STEP(); }
L_FSUB_S: { FP_RM(rm); FRD = BOXED(f32_arith(FA_SUB, FS1, FS2, rm, &r.fe, FL)); STEP(); }
L_FMUL_S: { FP_RM(rm); FRD = BOXED(f32_arith(FA_MUL, FS1, FS2, rm, &r.fe, FL)); STEP(); }
L_FDIV_S: { FP_RM(rm); FRD = BOXED(f32_arith(FA_DIV, FS1, FS2, rm, &r.fe, FL)); STEP(); }
L_FSQRT_S: { FP_RM(rm); FRD = BOXED(f32_arith(FA_SQRT, FS1, 0, rm, &r.fe, FL)); STEP(); }
L_FADD_D: { FP_RM(rm); FRD = f64_arith(FA_ADD, FD1, FD2, rm, &r.fe, FL); STEP(); }
L_FSUB_D: { FP_RM(rm); FRD = f64_arith(FA_SUB, FD1, FD2, rm, &r.fe, FL); STEP(); }
L_FMUL_D: { FP_RM(rm); FRD = f64_arith(FA_MUL, FD1, FD2, rm, &r.fe, FL); STEP(); }
L_FDIV_D: { FP_RM(rm); FRD = f64_arith(FA_DIV, FD1, FD2, rm, &r.fe, FL); STEP(); }
L_FSQRT_D: { FP_RM(rm); FRD = f64_arith(FA_SQRT, FD1, 0, rm, &r.fe, FL); STEP(); }
#define N32 0x80000000u
#define N64 0x8000000000000000ull
L_FMADD_S: { FP_RM(rm); FRD = BOXED(f32_fma(FS1, FS2, FS3, rm, &r.fe, FL)); STEP(); }
L_FMSUB_S: { FP_RM(rm); FRD = BOXED(f32_fma(FS1, FS2, FS3 ^ N32, rm, &r.fe, FL)); STEP(); }
L_FNMSUB_S: { FP_RM(rm); FRD = BOXED(f32_fma(FS1 ^ N32, FS2, FS3, rm, &r.fe, FL)); STEP(); }
L_FNMADD_S: { FP_RM(rm); FRD = BOXED(f32_fma(FS1 ^ N32, FS2, FS3 ^ N32, rm, &r.fe, FL)); STEP(); }
L_FMADD_D: { FP_RM(rm); FRD = f64_fma(FD1, FD2, FD3, rm, &r.fe, FL); STEP(); }
L_FMSUB_D: { FP_RM(rm); FRD = f64_fma(FD1, FD2, FD3 ^ N64, rm, &r.fe, FL); STEP(); }
L_FNMSUB_D: { FP_RM(rm); FRD = f64_fma(FD1 ^ N64, FD2, FD3, rm, &r.fe, FL); STEP(); }
L_FNMADD_D: { FP_RM(rm); FRD = f64_fma(FD1 ^ N64, FD2, FD3 ^ N64, rm, &r.fe, FL); STEP(); }
L_FSGNJ_S: FRD = BOXED((FS1 & ~N32) | (FS2 & N32)); STEP();
L_FSGNJN_S: FRD = BOXED((FS1 & ~N32) | (~FS2 & N32)); STEP();
L_FSGNJX_S: FRD = BOXED(FS1 ^ (FS2 & N32)); STEP();
L_FSGNJ_D: FRD = (FD1 & ~N64) | (FD2 & N64); STEP();
L_FSGNJN_D: FRD = (FD1 & ~N64) | (~FD2 & N64); STEP();
L_FSGNJX_D: FRD = FD1 ^ (FD2 & N64); STEP();
L_FMIN_S: FRD = BOXED(f32_minmax(FS1, FS2, false, FL)); STEP();
L_FMAX_S: FRD = BOXED(f32_minmax(FS1, FS2, true, FL)); STEP();
L_FMIN_D: FRD = f64_minmax(FD1, FD2, false, FL); STEP();
L_FMAX_D: FRD = f64_minmax(FD1, FD2, true, FL); STEP();
L_FCVT_S_D: { FP_RM(rm); FRD = BOXED(f64_to_f32(FD1, rm, FL)); STEP(); }
L_FCVT_D_S: { FP_RM(rm); (void)rm; FRD = f32_to_f64(FS1, FL); STEP(); }
L_FEQ_S: RD = f32_cmp(FS1, FS2, 2, FL); STEP();
L_FLT_S: RD = f32_cmp(FS1, FS2, 1, FL); STEP();
L_FLE_S: RD = f32_cmp(FS1, FS2, 0, FL); STEP();
L_FEQ_D: RD = f64_cmp(FD1, FD2, 2, FL); STEP();
L_FLT_D: RD = f64_cmp(FD1, FD2, 1, FL); STEP();
L_FLE_D: RD = f64_cmp(FD1, FD2, 0, FL); STEP();
L_FCLASS_S: RD = f32_class(FS1); STEP();
L_FCLASS_D: RD = f64_class(FD1); STEP();
L_FMV_X_W: RD = sx32(f[d->rs1]); STEP();
L_FMV_X_D: RD = f[d->rs1]; STEP();
L_FMV_W_X: FRD = BOXED((uint32_t)RS1); STEP();
L_FMV_D_X: FRD = RS1; STEP();
L_FCVT_W_S: { FP_RM(rm); RD = f32_to_int(FS1, 32, true, rm, FL); STEP(); }
L_FCVT_WU_S: { FP_RM(rm); RD = f32_to_int(FS1, 32, false, rm, FL); STEP(); }
L_FCVT_L_S: { FP_RM(rm); RD = f32_to_int(FS1, 64, true, rm, FL); STEP(); }
L_FCVT_LU_S: { FP_RM(rm); RD = f32_to_int(FS1, 64, false, rm, FL); STEP(); }
L_FCVT_W_D: { FP_RM(rm); RD = f64_to_int(FD1, 32, true, rm, FL); STEP(); }
L_FCVT_WU_D: { FP_RM(rm); RD = f64_to_int(FD1, 32, false, rm, FL); STEP(); }
L_FCVT_L_D: { FP_RM(rm); RD = f64_to_int(FD1, 64, true, rm, FL); STEP(); }
L_FCVT_LU_D: { FP_RM(rm); RD = f64_to_int(FD1, 64, false, rm, FL); STEP(); }
L_FCVT_S_W: { FP_RM(rm); FRD = BOXED(int_to_f32(RS1, 32, true, rm, FL)); STEP(); }
L_FCVT_S_WU: { FP_RM(rm); FRD = BOXED(int_to_f32(RS1, 32, false, rm, FL)); STEP(); }
L_FCVT_S_L: { FP_RM(rm); FRD = BOXED(int_to_f32(RS1, 64, true, rm, FL)); STEP(); }
L_FCVT_S_LU: { FP_RM(rm); FRD = BOXED(int_to_f32(RS1, 64, false, rm, FL)); STEP(); }
L_FCVT_D_W: { FP_RM(rm); FRD = int_to_f64(RS1, 32, true, rm, FL); STEP(); }
L_FCVT_D_WU: { FP_RM(rm); FRD = int_to_f64(RS1, 32, false, rm, FL); STEP(); }
L_FCVT_D_L: { FP_RM(rm); FRD = int_to_f64(RS1, 64, true, rm, FL); STEP(); }
L_FCVT_D_LU: { FP_RM(rm); FRD = int_to_f64(RS1, 64, false, rm, FL); STEP(); }

out_budget:
    cpu_xc_sync(c, xc);
    h->pc = pc;
    sync_instret(&r, 0);
    fe_leave(&r.fe, &h->fcsr);
    x[RV_XSINK] = 0;
    return RV_STOP_BUDGET;

out_trap:
    trap->cause = cause;
    trap->pc = pc;
    trap->tval = tval;
    memset(&trap->fault, 0, sizeof trap->fault);
out_trap_set:
    cpu_xc_sync(c, xc);
    h->pc = pc;
    sync_instret(&r, n);
    fe_leave(&r.fe, &h->fcsr);
    /* a trap: the fetch unit starts over and the reservation is lost */
    fetch_drop(s, rc);
    rv_resv_drop(s, rc);
    x[RV_XSINK] = 0;
    return RV_STOP_TRAP;
}

enum rv_stop rv_run(struct rv_hart *h, struct cpu *c, uint64_t max, struct rv_trap *trap)
{
    return run(h, c, max, trap, NULL);
}

void rv_exec_prepare(struct rv_sys *s)
{
    run(NULL, NULL, 0, NULL, s);
}

void rv_interrupt(struct rv_hart *h)
{
    struct rv_sys *s = h->sys;
    h->refetch = true;
    for (unsigned i = 0; i < s->ncpus; i++)
        if (s->cpu[i].owner == h)
            rv_resv_drop(s, &s->cpu[i]);
}
