/* bench_walk.c — full page walks per second with the tables warm in host
 * caches, beside the same loop's TLB-hit rate measured in the same run.
 *
 * The loop loads from 512 pages of one page table in a shuffled order:
 *   "tlb=none": no TLB and no page-walk cache, so every load walks all
 *               levels (4 entries on x86-64, 5 with LA57, 3 on Sv39, 2 on
 *               ia32 and Sv32, whose 4-byte entries live on 32-bit machines);
 *   "pwc only": no TLB, page-walk caches on: each walk reads 1 entry;
 *   TLB hits:   the default TLB (golden-cove / zen4): over 32 pages every
 *               load hits the L1; over all 512 it hits the second level.
 * Also pt_walk() called directly (no CPU, no counters). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vmlab/machine.h>

#define NPAGES 512
#define VA 0x0000000040000000ull

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

struct rig {
    struct machine *m;
    struct cpu *c;
    paddr_t root;
    const struct pt_format *f;
};

/* Tables from 1 MiB, data frames from 8 MiB. tlb: a preset name, a
 * geometry (tlb_config_parse), or NULL for the architecture's default. */
static void rig_init(struct rig *r, enum pt_format_id id, const char *tlb)
{
    const struct pt_format *f = pt_format(id);
    struct machine_config cfg;
    char err[256];
    machine_config_default(&cfg, f->arch);
    cfg.xlen = f->xlen;
    cfg.mem_bytes = 32ull << 20;
    if (tlb && tlb_preset(tlb))
        cfg.tlb = *tlb_preset(tlb);
    else if (tlb && tlb_config_parse(&cfg.tlb, tlb, err, sizeof err)) {
        fprintf(stderr, "bench_walk: %s\n", err);
        exit(1);
    }
    r->m = machine_create(&cfg, err, sizeof err);
    if (!r->m) {
        fprintf(stderr, "bench_walk: %s\n", err);
        exit(1);
    }
    struct physmem *pm = machine_physmem(r->m);
    paddr_t next = 0x100000, table = next;
    r->root = table;
    r->f = f;
    memset(physmem_frame(pm, table), 0, 4096);
    for (unsigned l = f->levels - 1; l > 0; l--) {
        paddr_t t = next += 4096;
        memset(physmem_frame(pm, t), 0, 4096);
        pte_store_as(f, pm, pt_fmt_entry(f, table, VA, l), f->make_table(l, t));
        table = t;
    }
    for (unsigned p = 0; p < NPAGES; p++)
        pte_store_as(f, pm, pt_fmt_nth(f, table, p),
                     f->make_leaf(0, 0x800000 + p * 4096ull, VM_PROT_READ, true, false, 0));
    r->c = machine_cpu(r->m, 0);
    cpu_attach(r->c);
    if (f->id == PT_IA32) {
        cpu_write_cr3(r->c, r->root);
    } else if (f->id == PT_SV32) {
        cpu_write_satp(r->c, rv_satp32(RV_SATP32_MODE_SV32, 1, r->root));
    } else if (f->arch == PT_ARCH_X86) {
        cpu_write_efer(r->c, X86_EFER_NXE);
        if (f->levels == 5)
            cpu_write_cr4(r->c, X86_CR4_LA57);
        cpu_write_cr3(r->c, r->root);
    } else {
        uint64_t mode = f->levels == 3 ? RV_SATP_MODE_SV39 : f->levels == 4 ? RV_SATP_MODE_SV48 : RV_SATP_MODE_SV57;
        cpu_write_satp(r->c, rv_satp(mode, 1, r->root));
    }
}

static void rig_free(struct rig *r)
{
    cpu_detach(r->c);
    machine_destroy(r->m);
}

static unsigned order[NPAGES];

/* ns per load over `rounds` passes of the first `npages` shuffled pages (best of 5). */
static double run_n(struct rig *r, unsigned npages, int rounds, uint64_t *walks, uint64_t *refs)
{
    double best = 1e30;
    uint64_t v;
    volatile uint64_t sink = 0;
    for (unsigned i = 0; i < npages; i++)        /* warm tables and TLB */
        cpu_load(r->c, VA + order[i] * 4096ull, 8, &v);
    for (int rep = 0; rep < 5; rep++) {
        cpu_stats_reset(r->c);
        double t0 = now();
        for (int k = 0; k < rounds; k++)
            for (unsigned i = 0; i < npages; i++) {
                cpu_load(r->c, VA + order[i] * 4096ull + 8 * (k & 511), 8, &v);
                sink += v;
            }
        double t = (now() - t0) * 1e9 / ((double)rounds * npages);
        if (t < best)
            best = t;
    }
    struct cpu_stats st;
    cpu_stats(r->c, &st);
    *walks = st.v[CPU_STAT_WALKS];
    *refs = st.v[CPU_STAT_WALK_REFS];
    (void)sink;
    return best;
}

static double run(struct rig *r, int rounds, uint64_t *walks, uint64_t *refs)
{
    return run_n(r, NPAGES, rounds, walks, refs);
}

static void bench_format(enum pt_format_id id)
{
    const struct pt_format *f = pt_format(id);
    struct rig r;
    uint64_t walks, refs;
    int rounds = 400;

    rig_init(&r, id, "l1d=none,l1i=none,l2=none,pwc=none");
    double full = run(&r, rounds, &walks, &refs);
    double per_walk_refs = (double)refs / (double)walks;
    rig_free(&r);

    rig_init(&r, id, "l1d=none,l1i=none,l2=none,pwc=2/4/8/32");
    uint64_t w2, r2;
    double pwc = run(&r, rounds, &w2, &r2);
    rig_free(&r);

    rig_init(&r, id, NULL);
    uint64_t w3, r3, w4, r4;
    double stlb = run(&r, rounds, &w3, &r3);            /* 512 pages: more than the L1 holds */
    double hit = run_n(&r, 32, rounds * 16, &w4, &r4);  /* 32 pages: L1 hits */

    /* pt_walk directly */
    struct walk_env env = {.fmt = f, .root = r.root, .priv = VM_PRIV_SUPERVISOR, .maxphyaddr = 46,
                           .gbpages = true, .wp = true, .nxe = true, .adue = true};
    struct physmem *pm = machine_physmem(r.m);
    double best = 1e30;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        for (int k = 0; k < rounds; k++)
            for (unsigned i = 0; i < NPAGES; i++) {
                struct walk_result res;
                struct vm_fault flt;
                pt_walk(pm, &env, VA + order[i] * 4096ull, VM_ACCESS_READ, &res, &flt);
            }
        double t = (now() - t0) * 1e9 / ((double)rounds * NPAGES);
        if (t < best)
            best = t;
    }
    rig_free(&r);

    /* the other preset's STLB hit on the same tables: both L1 designs
     * (set-associative per size; fully associative) on every format */
    const char *other = f->arch == PT_ARCH_X86 ? "zen4" : "golden-cove";
    rig_init(&r, id, other);
    uint64_t w5, r5;
    double stlb_other = run(&r, rounds, &w5, &r5);
    rig_free(&r);

    printf("%-8s full walk (tlb=none, %.0f refs): %.1f ns = %.1f M walks/s; L1 TLB hit (same loop, "
           "32 pages): %.2f ns = %.0f M/s; ratio walk/hit %.1f\n",
           f->name, per_walk_refs, full, 1e3 / full, hit, 1e3 / hit, full / hit);
    printf("         walk with page-walk caches (%.1f refs): %.1f ns; STLB hit (512 pages, %s): %.1f ns; "
           "pt_walk() alone: %.1f ns\n",
           (double)r2 / (double)w2, pwc, f->arch == PT_ARCH_X86 ? "golden-cove" : "zen4", stlb, best);
    printf("         STLB hit with %s: %.1f ns\n", other, stlb_other);
    if (w3 != 0 || w4 != 0 || w5 != 0)
        printf("  (warning: %llu walks in the TLB-hit loops)\n", (unsigned long long)(w3 + w4 + w5));
}

int main(void)
{
    uint64_t s = 7;
    for (unsigned i = 0; i < NPAGES; i++)
        order[i] = i;
    for (unsigned i = NPAGES - 1; i > 0; i--) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        unsigned j = (unsigned)(s % (i + 1)), x = order[i];
        order[i] = order[j];
        order[j] = x;
    }
    bench_format(PT_X86_64);
    bench_format(PT_X86_64_5);
    bench_format(PT_SV39);
    bench_format(PT_SV48);
    bench_format(PT_IA32);
    bench_format(PT_SV32);
    return 0;
}
