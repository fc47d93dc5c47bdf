/* test_step.c — the observer's events and the step recorder against paths
 * computed by hand (vmlab/observe.h, src/step):
 *   1. a walk of hand-built x86-64 tables: each entry's table, index, raw
 *      value and the A/D bits the walker set; the TLB hit that follows; a
 *      store through a D=0 entry walking again from the page-walk cache;
 *   2. the same on Sv39 (RISC-V entries, no A written into non-leaves);
 *   3. a clock sweep's order over four frames, twice, with the hand where
 *      the first sweep left it;
 *   4. one frame: a dirty page written to swap slot 0, a clean one dropped,
 *      the first read back from slot 0 (a major fault);
 *   5. a copy-on-write break after fork: the parent's write copies the
 *      frame, the child's (the last mapper) takes it over;
 *   6. a kill: the reason and the message;
 *   7. a 2 MiB page evicted: its 512 slots, its 512 pages counted;
 *   8. a shootdown from CPU 0 to CPU 1, driven by another thread: the
 *      request sent, and CPU 1's own observer told of its flush;
 *   9. an unobserved CPU hears nothing, and the counters of an observed
 *      machine equal an unobserved twin's over the same accesses.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <vmlab/observe.h>

#include "ktest.h"
#include "lib/ptbuild.h"
#include "lib/tap.h"
#include "step/step.h"

static struct step_recorder rec;

/* The recorded events of one kind, in order. */
static size_t events_of(enum vm_event_kind kind, const struct vm_event **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < rec.nev; i++)
        if (rec.ev[i]->kind == kind && n < max)
            out[n++] = rec.ev[i];
    return n;
}

static const struct vm_event *first_of(enum vm_event_kind kind)
{
    const struct vm_event *e = NULL;
    return events_of(kind, &e, 1) ? e : NULL;
}

/* ---- 1, 2: walks on hand-built tables ---- */

static void walk_case(enum pt_arch arch, const struct pt_format *fmt, const char *tlb)
{
    const char *fname = fmt->name;
    struct machine *m = tm_machine(arch, 1, 64ull << 20, tlb);
    struct physmem *pm = machine_physmem(m);
    struct ptb b;
    ptb_init(&b, pm, fmt, 0x100000, 0x200000);
    unsigned idx[5] = {1, 2, 3, 4, 5};
    unsigned *at = idx + (5 - fmt->levels);   /* the last `levels` indices */
    vaddr_t va = tm_va(fmt, at, 0x123);
    idx[4] = 6;
    vaddr_t va2 = tm_va(fmt, at, 0x40);       /* the next page but one: same tables */
    unsigned prot = VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER;
    paddr_t leaf = ptb_map(&b, va, 0x400000, 0, prot, 0);
    ptb_map(&b, va2, 0x401000, 0, prot, 0);
    struct cpu *c = machine_cpu(m, 0);
    cpu_attach(c);
    tm_activate(c, &b, 0);
    cpu_set_priv(c, VM_PRIV_USER);
    step_recorder_attach(&rec, c);

    /* the tables' entries before the walk, and where each is */
    paddr_t tab[PT_MAX_LEVELS], ent[PT_MAX_LEVELS];
    uint64_t before[PT_MAX_LEVELS];
    for (int l = (int)fmt->levels - 1; l >= 0; l--) {
        ent[l] = ptb_entry(&b, va, (unsigned)l);
        tab[l] = ent[l] - (paddr_t)pt_fmt_index(fmt, va, (unsigned)l) * fmt->pte_bytes;
        before[l] = ptb_get(&b, va, (unsigned)l);
    }

    uint64_t v;
    step_recorder_reset(&rec);
    ok(cpu_load(c, va, 8, &v) == 0, "%s: load", fname);
    const struct vm_event *lk = first_of(VM_EV_TLB_LOOKUP), *wk = first_of(VM_EV_WALK);
    ok(lk && lk->tlb.hit == 0 && lk->tlb.verdict == VM_TLB_MISSED && lk->tlb.counted &&
           lk->tlb.va == va, "%s: the first lookup misses every level", fname);
    ok(wk && wk->walk.pwc_level == -1 && wk->walk.start == b.root && wk->walk.pwc_missed,
       "%s: the walk starts at the root 0x%llx (the page-walk caches are empty)", fname,
       (unsigned long long)b.root);
    is_u64(wk ? wk->walk.nlevels : 0, fmt->levels, "%s: one entry read per level", fname);
    bool entries = wk != NULL;
    for (unsigned i = 0; wk && i < wk->walk.nlevels; i++) {
        const struct vm_walk_level *l = &wk->walk.lv[i];
        unsigned level = fmt->levels - 1 - i;
        /* x86 sets A in every entry used; RISC-V only in the leaf (the
         * non-leaf entries are never written) */
        uint64_t a = level == 0 || arch == PT_ARCH_X86 ? fmt->a_bit : 0;
        bool good = l->level == level && l->table == tab[level] &&
                    l->index == pt_fmt_index(fmt, va, level) && l->pte_pa == ent[level] &&
                    l->pte == before[level] && l->written == (before[level] | a) &&
                    l->check == VM_WALK_OK && l->info.present && l->info.leaf == (level == 0) &&
                    ptb_get(&b, va, level) == l->written;
        if (!good)
            tap_diag("%s level %u: table 0x%llx index %u pte_pa 0x%llx pte 0x%llx written 0x%llx check %d",
                     fname, level, (unsigned long long)l->table, l->index,
                     (unsigned long long)l->pte_pa, (unsigned long long)l->pte,
                     (unsigned long long)l->written, l->check);
        entries = entries && good;
    }
    ok(entries, "%s: every entry's table, index, raw value and the A bit written, as in memory",
       fname);
    ok(wk && wk->walk.ok && wk->walk.pa == 0x400123 && wk->walk.page_shift == 12 &&
           wk->walk.refs == fmt->levels &&
           wk->walk.ad_updates == (arch == PT_ARCH_X86 ? fmt->levels : 1),
       "%s: the leaf: pa 0x400123 of a 4 KiB page, %u A/D updates", fname,
       arch == PT_ARCH_X86 ? fmt->levels : 1);
    const struct vm_event *fills[4];
    size_t nf = events_of(VM_EV_TLB_FILL, fills, 4);
    ok(nf == 2 && fills[0]->fill.level == VM_TLB_L2 && fills[1]->fill.level == VM_TLB_L1D &&
           fills[1]->fill.va == (va & ~0xfffull) && fills[1]->fill.frame == 0x400000 &&
           !fills[1]->fill.replaced && !fills[1]->fill.dirty,
       "%s: the L2 then the L1 DTLB filled with the page (D=0)", fname);

    /* the same page again: an L1 hit (no memo while observed) */
    step_recorder_reset(&rec);
    ok(cpu_load(c, va + 8, 8, &v) == 0, "%s: load again", fname);
    lk = first_of(VM_EV_TLB_LOOKUP);
    ok(rec.nev == 1 && lk && lk->tlb.hit == 1 && lk->tlb.verdict == VM_TLB_USED &&
           lk->tlb.level == VM_TLB_L1D && lk->tlb.frame == 0x400000 && lk->tlb.entry_shift == 12,
       "%s: then one event, an L1 DTLB hit on the entry filled", fname);

    /* a store through the D=0 entry: walks again, from the page-walk cache */
    step_recorder_reset(&rec);
    ok(cpu_store(c, va, 8, 7) == 0, "%s: store", fname);
    lk = first_of(VM_EV_TLB_LOOKUP);
    wk = first_of(VM_EV_WALK);
    uint64_t leaf_now = pte_load_as(fmt, pm, leaf);
    ok(lk && lk->tlb.hit == 1 && lk->tlb.verdict == VM_TLB_DIRTY_REWALK,
       "%s: the store hits an entry cached with D=0: dirty re-walk", fname);
    ok(wk && wk->walk.pwc_level == 0 && wk->walk.start == tab[0] && wk->walk.nlevels == 1 &&
           wk->walk.lv[0].pte_pa == leaf && wk->walk.lv[0].written == leaf_now &&
           (leaf_now & fmt->d_bit) && !(wk->walk.lv[0].pte & fmt->d_bit),
       "%s: the walk starts at the leaf table from the page-walk cache and sets D", fname);
    nf = events_of(VM_EV_TLB_FILL, fills, 4);
    ok(nf == 2 && fills[0]->fill.refreshed && fills[1]->fill.refreshed && fills[1]->fill.dirty,
       "%s: both levels' entries refreshed in place, now D=1", fname);

    /* a neighbour page of the same table: the walk reads one entry */
    step_recorder_reset(&rec);
    ok(cpu_load(c, va2, 8, &v) == 0 && (wk = first_of(VM_EV_WALK)) && wk->walk.nlevels == 1 &&
           wk->walk.lv[0].index == pt_fmt_index(fmt, va2, 0) && wk->walk.pa == 0x401040,
       "%s: a neighbour page: the walk reads only its leaf entry", fname);
    is_u64(tm_stat(c, CPU_STAT_WALKS), 3, "%s: walks counted: 3", fname);
    is_u64(tm_stat(c, CPU_STAT_WALK_REFS), fmt->levels + 2, "%s: entries read: %u", fname,
           fmt->levels + 2);
    cpu_set_observer(c, NULL);
    cpu_detach(c);
    machine_destroy(m);
}

/* ---- 3: the clock's sweep ---- */

struct kproc {
    struct kt t;
    struct process *p;
    struct cpu *c;
};

static struct kproc kp_make(uint64_t frames, uint64_t swap_pages, const char *policy)
{
    struct kproc k;
    k.t = kt_make(PT_ARCH_X86, 1, frames, swap_pages, policy);
    k.p = kernel_process_create(k.t.k, "step");
    kernel_map_anon(k.p, 0x10000000, 64 * 4096, VM_PROT_READ | VM_PROT_WRITE, KMAP_NOHUGE);
    k.c = machine_cpu(k.t.m, 0);
    cpu_attach(k.c);
    kernel_switch_to(k.c, k.p);
    step_recorder_attach(&rec, k.c);
    return k;
}

static void kp_free(struct kproc *k)
{
    cpu_set_observer(k->c, NULL);
    kernel_switch_to(k->c, NULL);
    kernel_process_exit(k->p, k->c);
    cpu_detach(k->c);
    kt_free(&k->t);
}

static vaddr_t page(unsigned i) { return 0x10000000 + (vaddr_t)i * 4096; }

/* Touch a page; the policy events it caused as "frame:verdict" words. */
static void touch(struct kproc *k, unsigned pg, bool write, char *looks, size_t len)
{
    step_recorder_reset(&rec);
    uint64_t v;
    int rc = write ? cpu_store(k->c, page(pg), 8, pg) : cpu_load(k->c, page(pg), 8, &v);
    if (rc)
        tap_diag("access to page %u failed", pg);
    size_t at = 0;
    looks[0] = 0;
    for (size_t i = 0; i < rec.nev && at < len; i++)
        if (rec.ev[i]->kind == VM_EV_POLICY)
            at += (size_t)snprintf(looks + at, len - at, "%s%u:%s", at ? " " : "",
                                   rec.ev[i]->policy.frame,
                                   vm_policy_verdict_names[rec.ev[i]->policy.verdict]);
}

static void clock_case(void)
{
    struct kproc k = kp_make(4, 64, "clock");
    char looks[512];
    for (unsigned i = 0; i < 4; i++)
        touch(&k, i, false, looks, sizeof looks);
    ok(looks[0] == 0, "clock: four pages fit four frames: no policy at work");
    /* every frame was mapped with A=1: the hand clears them all in order,
     * then comes back to frame 0 */
    touch(&k, 4, false, looks, sizeof looks);
    is_str(looks, "0:second-chance 1:second-chance 2:second-chance 3:second-chance 0:victim",
           "clock: the first sweep clears frames 0-3 and takes frame 0");
    const struct vm_event *h = first_of(VM_EV_FAULT_HANDLED), *ev[8];
    ok(h && h->handled.action == VM_FA_ZERO_FILL && h->handled.frame == 0,
       "clock: the new page is zero-filled into frame 0");
    size_t n = events_of(VM_EV_EVICT, ev, 8);
    ok(n == 3 && ev[0]->evict.phase == VM_EVICT_START && ev[0]->evict.frame == 0 &&
           ev[1]->evict.phase == VM_EVICT_UNMAP && ev[1]->evict.va == page(0) &&
           ev[2]->evict.outcome == VM_EVICT_DROPPED,
       "clock: frame 0 (page 0, never written) is unmapped and dropped");
    n = events_of(VM_EV_SHOOTDOWN, ev, 8);
    ok(n == 5 && ev[0]->shootdown.start == page(0) && ev[3]->shootdown.start == page(3) &&
           ev[4]->shootdown.start == page(0) && ev[4]->shootdown.sent == 0,
       "clock: an invalidation for each A bit cleared, and one for the eviction (no remote CPU)");
    /* page 1 is referenced again (its A was cleared: the walk sets it);
     * the hand is at frame 1 */
    touch(&k, 1, false, looks, sizeof looks);
    touch(&k, 5, false, looks, sizeof looks);
    is_str(looks, "1:second-chance 2:victim",
           "clock: the second sweep starts where the first stopped: frame 1 referenced, frame 2 taken");
    kp_free(&k);
}

/* ---- 4: swap out and in ---- */

static void swap_case(void)
{
    struct kproc k = kp_make(1, 16, "clock");
    char looks[256];
    touch(&k, 0, true, looks, sizeof looks);    /* page 0 dirty in frame 0 */
    touch(&k, 1, false, looks, sizeof looks);   /* evicts it: written to slot 0 */
    const struct vm_event *ev[8];
    size_t n = events_of(VM_EV_EVICT, ev, 8);
    ok(n == 3 && ev[1]->evict.dirty && ev[2]->evict.outcome == VM_EVICT_SWAPPED &&
           ev[2]->evict.slot == 0 && !ev[2]->evict.slot_reused,
       "swap: the dirty page (D=1 in its PTE) is written to swap slot 0");
    touch(&k, 0, false, looks, sizeof looks);   /* page 1 dropped, page 0 read back */
    n = events_of(VM_EV_EVICT, ev, 8);
    ok(n == 3 && ev[2]->evict.outcome == VM_EVICT_DROPPED, "swap: the clean page 1 is dropped");
    const struct vm_event *h = first_of(VM_EV_FAULT_HANDLED);
    ok(h && h->handled.page_existed && (h->handled.page_state & VM_PG_SWAPPED) &&
           h->handled.action == VM_FA_SWAP_IN && h->handled.slot == 0 && h->handled.major &&
           h->handled.frame == 0 && !strcmp(h->handled.kind, "anon"),
       "swap: page 0 found swapped out, read back from slot 0 into frame 0 (major)");
    kp_free(&k);
}

/* ---- 5: copy-on-write ---- */

static void cow_case(void)
{
    struct kproc k = kp_make(16, 16, "clock");
    char looks[256];
    touch(&k, 0, true, looks, sizeof looks);
    const struct vm_event *h = first_of(VM_EV_FAULT_HANDLED);
    uint32_t shared = h ? h->handled.frame : 0;
    struct process *child;
    ok(kernel_process_fork(k.p, "child", k.c, &child) == 0, "cow: fork");
    touch(&k, 0, true, looks, sizeof looks);    /* the parent writes: a copy */
    const struct vm_event *f = first_of(VM_EV_FAULT);
    h = first_of(VM_EV_FAULT_HANDLED);
    ok(f && !f->fault.f.not_present && f->fault.f.error_code == (PF_P | PF_W | PF_U),
       "cow: the parent's write faults on a present read-only entry (error code 0x7)");
    ok(h && h->handled.page_existed && (h->handled.page_state & VM_PG_COW) &&
           (h->handled.page_state & VM_PG_RESIDENT) && h->handled.action == VM_FA_COW_COPY &&
           h->handled.old_frame == shared && h->handled.frame != shared && !h->handled.major,
       "cow: the parent copies frame %u to a frame of its own", shared);
    kernel_switch_to(k.c, child);
    touch(&k, 0, true, looks, sizeof looks);    /* the child is the last mapper */
    h = first_of(VM_EV_FAULT_HANDLED);
    ok(h && h->handled.action == VM_FA_COW_REUSE && h->handled.frame == shared,
       "cow: the child, the frame's last mapper, takes frame %u over", shared);
    kernel_switch_to(k.c, NULL);
    kernel_process_exit(child, k.c);
    kernel_switch_to(k.c, k.p);
    kp_free(&k);
}

/* ---- 6: a kill ---- */

static void kill_case(void)
{
    struct kproc k = kp_make(4, 4, "fifo");
    step_recorder_reset(&rec);
    uint64_t v;
    ok(cpu_load(k.c, 0x50000000, 4, &v) != 0, "kill: a load outside every mapping fails");
    const struct vm_event *h = first_of(VM_EV_FAULT_HANDLED);
    ok(h && h->handled.action == VM_FA_KILL && h->handled.kill == KILL_SEGV_UNMAPPED &&
           !h->handled.has_vma && !strcmp(h->handled.kill_msg, "segv-unmapped: read at 0x50000000"),
       "kill: the event says segv-unmapped, with the process's message");
    kp_free(&k);
}

/* ---- 7: a huge page evicted; 8: a shootdown sent to another CPU ---- */

static void huge_case(void)
{
    /* the user pool begins at frame 0x401 (after frame 0 and the kernel's
     * pool): with 1536 frames it holds two aligned runs of 512 (from
     * 0x600 and 0x800) and 512 frames besides */
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = 1536;
    kc.swap_bytes = 2048 * 4096;
    kc.policy = "clock";
    kc.thp = true;
    struct kt t = kt_make_cfg(PT_ARCH_X86, 1, &kc);
    struct process *p = kernel_process_create(t.k, "huge");
    kernel_map_anon(p, 0x40000000, 8 << 20, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_map_anon(p, 0x50000000, 4 << 20, VM_PROT_READ | VM_PROT_WRITE, KMAP_NOHUGE);
    struct cpu *c = machine_cpu(t.m, 0);
    cpu_attach(c);
    kernel_switch_to(c, p);
    step_recorder_attach(&rec, c);
    step_recorder_reset(&rec);
    cpu_store(c, 0x40000000, 8, 1);
    const struct vm_event *h = first_of(VM_EV_FAULT_HANDLED);
    ok(h && h->handled.huge && h->handled.action == VM_FA_ZERO_FILL && !strcmp(h->handled.kind, "huge") &&
           h->handled.frame == 0x600 - 0x401,
       "huge: a 2 MiB page zero-filled at its first touch, in the first aligned run");
    uint32_t first = h ? h->handled.frame : 0;
    cpu_store(c, 0x40200000, 8, 2);
    for (unsigned i = 0; i < 512; i++)          /* the other 512 frames, 4 KiB each */
        cpu_store(c, 0x50000000 + (uint64_t)i * 4096, 8, i);
    uint64_t steal = kt_stat(t.k, VMSTAT_PGSTEAL), out = kt_stat(t.k, VMSTAT_PSWPOUT);
    step_recorder_reset(&rec);
    cpu_store(c, 0x50000000 + 512 * 4096, 8, 3);   /* memory is full: an eviction */
    const struct vm_event *ev[8];
    size_t n = events_of(VM_EV_EVICT, ev, 8);
    ok(n == 3 && !strcmp(ev[0]->evict.kind, "huge") && ev[0]->evict.frame == first &&
           ev[2]->evict.outcome == VM_EVICT_SWAPPED && ev[2]->evict.slot == 0 && ev[2]->evict.page_dirty,
       "huge: the clock's victim is the first huge page, written to the 512 slots from slot 0");
    is_u64(kt_stat(t.k, VMSTAT_PGSTEAL) - steal, 512, "huge: pgsteal counts its 512 pages");
    is_u64(kt_stat(t.k, VMSTAT_PSWPOUT) - out, 512, "huge: pswpout too");
    cpu_set_observer(c, NULL);
    kernel_switch_to(c, NULL);
    kernel_process_exit(p, c);
    cpu_detach(c);
    kt_free(&t);
}

struct remote {
    struct machine *m;
    struct step_recorder rec;
    const struct ptb *b;
    vaddr_t va;
    int ready, stop;                           /* atomic */
};

/* CPU 1, driven by its own thread: fill its TLB, then keep taking
 * shootdowns until told to stop. */
static void *remote_cpu(void *arg)
{
    struct remote *r = arg;
    struct cpu *c = machine_cpu(r->m, 1);
    cpu_attach(c);
    tm_activate(c, r->b, 0);
    cpu_set_priv(c, VM_PRIV_USER);
    uint64_t v;
    cpu_load(c, r->va, 8, &v);
    step_recorder_attach(&r->rec, c);
    step_recorder_reset(&r->rec);
    __atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
    while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
        cpu_poll(c);
        sched_yield();
    }
    cpu_set_observer(c, NULL);
    cpu_detach(c);
    return NULL;
}

static void shootdown_case(void)
{
    struct machine *m = tm_machine(PT_ARCH_X86, 2, 64ull << 20, "golden-cove");
    struct ptb b;
    ptb_init(&b, machine_physmem(m), pt_format(PT_X86_64), 0x100000, 0x200000);
    vaddr_t va = 0x7000;
    ptb_map(&b, va, 0x400000, 0, VM_PROT_READ | VM_PROT_WRITE | VM_PROT_USER, 0);
    struct remote r = {.m = m, .b = &b, .va = va};
    step_recorder_init(&r.rec);
    pthread_t th;
    pthread_create(&th, NULL, remote_cpu, &r);
    struct cpu *c = machine_cpu(m, 0);
    cpu_attach(c);
    tm_activate(c, &b, 0);
    while (!__atomic_load_n(&r.ready, __ATOMIC_ACQUIRE))
        sched_yield();
    step_recorder_attach(&rec, c);
    step_recorder_reset(&rec);
    machine_shootdown(m, c, 3, 0, va, va + 4096);
    __atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    const struct vm_event *sd = first_of(VM_EV_SHOOTDOWN);
    ok(sd && sd->shootdown.targets == 3 && sd->shootdown.sent == 2 && !sd->shootdown.full &&
           sd->shootdown.start == va,
       "shootdown: CPU 0 asks CPUs 0 and 1 for one page; a request goes to CPU 1 (driven elsewhere)");
    unsigned removed = 0;
    bool own = false;
    for (size_t i = 0; i < r.rec.nev; i++)
        if (r.rec.ev[i]->kind == VM_EV_FLUSH) {
            removed += r.rec.ev[i]->flush.tlb_removed;
            own = own || (r.rec.ev[i]->flush.by_va && r.rec.ev[i]->flush.va == va);
            is_u64(r.rec.ev[i]->cpu, 1, "shootdown: CPU 1's flush is told to CPU 1's observer");
        }
    ok(own && removed == 2, "shootdown: CPU 1 removed the page's L1 and L2 entries (%u)", removed);
    cpu_set_observer(c, NULL);
    cpu_detach(c);
    step_recorder_free(&r.rec);
    machine_destroy(m);
}

/* ---- 9: observing changes nothing ---- */

static void twin_case(void)
{
    struct kproc a = kp_make(8, 64, "clock");
    cpu_set_observer(a.c, NULL);
    struct kt tb = kt_make(PT_ARCH_X86, 1, 8, 64, "clock");
    struct process *pb = kernel_process_create(tb.k, "twin");
    kernel_map_anon(pb, 0x10000000, 64 * 4096, VM_PROT_READ | VM_PROT_WRITE, KMAP_NOHUGE);
    struct cpu *cb = machine_cpu(tb.m, 0);
    /* the twin runs on its own thread's CPU: one machine at a time here */
    uint64_t seed = 42;
    struct cpu_ref refs[2000];
    for (unsigned i = 0; i < 2000; i++)
        refs[i] = (struct cpu_ref){page((unsigned)(kt_rng(&seed) % 24)) + (kt_rng(&seed) % 4000),
                                   4, (uint32_t)(kt_rng(&seed) % 2)};
    step_recorder_attach(&rec, a.c);
    size_t events = 0;
    for (unsigned i = 0; i < 2000; i++) {
        step_recorder_reset(&rec);
        cpu_touch(a.c, refs[i].va, refs[i].size, (enum vm_access)refs[i].acc);
        events += rec.nev;
    }
    cpu_set_observer(a.c, NULL);
    struct cpu_stats sa, sb;
    cpu_stats(a.c, &sa);
    kernel_switch_to(a.c, NULL);
    cpu_detach(a.c);
    cpu_attach(cb);
    kernel_switch_to(cb, pb);
    step_recorder_reset(&rec);
    size_t done = cpu_touch_many(cb, refs, 2000);
    ok(done == 2000 && rec.nev == 0, "twin: 2000 accesses on an unobserved CPU: no event");
    cpu_stats(cb, &sb);
    bool same = true;
    for (int i = 0; i < CPU_STAT_NR; i++)
        if (sa.v[i] != sb.v[i]) {
            tap_diag("%s: observed %llu, unobserved %llu", cpu_stat_names[i],
                     (unsigned long long)sa.v[i], (unsigned long long)sb.v[i]);
            same = false;
        }
    ok(same && events > 2000, "twin: every machine counter equal, observed or not (%zu events)",
       events);
    struct vmstat va, vb;
    kernel_vmstat(a.t.k, &va);
    kernel_vmstat(tb.k, &vb);
    ok(!memcmp(&va, &vb, sizeof va), "twin: every kernel counter equal");
    kernel_switch_to(cb, NULL);
    kernel_process_exit(pb, cb);
    cpu_detach(cb);
    kt_free(&tb);
    cpu_attach(a.c);
    kernel_process_exit(a.p, a.c);
    cpu_detach(a.c);
    kt_free(&a.t);
}

int main(void)
{
    step_recorder_init(&rec);
    walk_case(PT_ARCH_X86, pt_format(PT_X86_64), "golden-cove");
    walk_case(PT_ARCH_RISCV, pt_format(PT_SV39), "zen4");
    clock_case();
    swap_case();
    cow_case();
    kill_case();
    huge_case();
    shootdown_case();
    twin_case();
    step_recorder_free(&rec);
    return tap_done();
}
