/* mmu.c — page tables in simulated memory, PCIDs/ASIDs, TLB invalidation.
 *
 * Page-table pages come from the kernel pool. Every entry is read and
 * written with the atomic kpte_* helpers, because the machine's walkers set
 * A/D bits in them concurrently. Tables are created under the owner's mm
 * lock and freed only when no frame maps into the process any more (exit,
 * exec), so a lock-free lookup (the reverse map's route to a PTE) never
 * reads a freed table.
 *
 * PCIDs/ASIDs: a global set 1..nasids (0 is the kernel's). A process gets
 * one when it first runs; when none is free, one is stolen from a process
 * that runs nowhere at the moment, after flushing that ID on every CPU that
 * may hold its translations. Freed and stolen IDs are therefore clean
 * everywhere, so switching to a process never needs a flushing CR3 write.
 * p->may_cache is the set of CPUs that ran p under its current ID (Linux's
 * mm_cpumask): the targets of every shootdown of p. A format without
 * PCIDs (ia32: 32-bit paging has none) still hands out these IDs for the
 * bookkeeping, but the machine tags every entry 0: switches write CR3
 * without the no-flush bit (flushing the old process's entries, as a
 * pre-PCID x86 does) and shootdowns name ID 0.
 */
#include <stdlib.h>
#include <string.h>

#include "os/kern.h"
#include "os/swpt.h"

paddr_t mmu_table_alloc(struct kernel *k)
{
    int64_t f = pool_alloc(&k->kpool);
    if (f < 0)
        return 0;
    paddr_t pa = (paddr_t)f << VM_PAGE_SHIFT;
    for (unsigned i = 0; i < kpt_entries(k); i++)
        kpte_store(k, kpte_nth(k, pa, i), 0);
    return pa;
}

void mmu_table_free(struct kernel *k, paddr_t pa)
{
    pool_free(&k->kpool, pa >> VM_PAGE_SHIFT);
}

/* The walk's view of a non-leaf slot, without a full decode: present,
 * leaf, and the next table's address. (The full decode computes rights and
 * A/D that a table walk does not need; it cost a tenth of a minor fault.) */
static inline bool next_table(const struct pt_format *fmt, uint64_t e, paddr_t *next)
{
    if (fmt->arch == PT_ARCH_X86) {
        if (!(e & X86_PTE_P) || (e & X86_PTE_PS))
            return false;
        *next = e & X86_PTE_ADDR;
        return true;
    }
    if (!(e & RV_PTE_V) || (e & (RV_PTE_R | RV_PTE_W | RV_PTE_X)))
        return false;
    *next = ((e & RV_PTE_PPN_MASK) >> RV_PTE_PPN_SHIFT) << VM_PAGE_SHIFT;
    return true;
}

static inline bool slot_present(const struct pt_format *fmt, uint64_t e)
{
    return fmt->arch == PT_ARCH_X86 ? (e & X86_PTE_P) : (e & RV_PTE_V);
}

/* The table holding va's entry at `level` (p's root at the top level),
 * made as needed when create is set (p->lock held); 0 if there is none (a
 * huge leaf covers va, the tables do not exist, the pool is empty). */
static paddr_t table_for(struct process *p, vaddr_t va, unsigned level, bool create)
{
    struct kernel *k = p->k;
    const struct pt_format *fmt = k->fmt;
    paddr_t table = p->root;
    for (unsigned l = fmt->levels - 1; l > level; l--) {
        paddr_t e = kpte_slot(k, table, va, l);
        uint64_t v = kpte_load(k, e);
        if (create && !slot_present(fmt, v)) {
            paddr_t t = mmu_table_alloc(k);
            if (!t)
                return 0;
            kpte_store(k, e, fmt->make_table(l, t));
            p->pt_pages++;
            table = t;
        } else if (!next_table(fmt, v, &table)) {
            return 0;   /* not there, or a huge page covers va */
        }
    }
    return table;
}

paddr_t mmu_pte_create(struct process *p, vaddr_t va, unsigned level)
{
    paddr_t table = table_for(p, va, level, true);
    return table ? kpte_slot(p->k, table, va, level) : 0;
}

paddr_t mmu_pte_lookup(const struct process *p, vaddr_t va, unsigned level)
{
    paddr_t table = table_for((struct process *)p, va, level, false);   /* creates nothing */
    return table ? kpte_slot(p->k, table, va, level) : 0;
}

static paddr_t cursor_walk(struct pte_cursor *c, struct process *p, vaddr_t va, unsigned level,
                           bool create)
{
    const struct pt_format *fmt = p->k->fmt;
    vaddr_t span = level + 1 < fmt->levels ? va >> pt_fmt_shift(fmt, level + 1) : 0;
    struct pte_cursor_way *w = &c->way[span % PTE_CURSOR_WAYS];
    if (!w->table || w->level != level || w->span != span) {
        w->table = table_for(p, va, level, create);
        w->level = level;
        w->span = span;
    }
    return w->table ? kpte_slot(p->k, w->table, va, level) : 0;
}

paddr_t mmu_pte_lookup_at(struct pte_cursor *c, const struct process *p, vaddr_t va,
                          unsigned level)
{
    return cursor_walk(c, (struct process *)p, va, level, false);
}

paddr_t mmu_pte_create_at(struct pte_cursor *c, struct process *p, vaddr_t va, unsigned level)
{
    return cursor_walk(c, p, va, level, true);
}

static void free_level(struct process *p, paddr_t table, unsigned level)
{
    struct kernel *k = p->k;
    if (level > 0) {
        for (unsigned i = 0; i < kpt_entries(k); i++) {
            struct pte_info pi;
            k->fmt->decode(kpte_load(k, kpte_nth(k, table, i)), level, &pi);
            if (pi.present && !pi.leaf)
                free_level(p, pi.addr, level - 1);
        }
    }
    mmu_table_free(k, table);
    p->pt_pages--;
}

void mmu_free_tables(struct process *p, bool keep_root)
{
    struct kernel *k = p->k;
    if (!p->root)
        return;
    if (!keep_root) {
        free_level(p, p->root, k->fmt->levels - 1);
        p->root = 0;
        return;
    }
    unsigned top = k->fmt->levels - 1;
    for (unsigned i = 0; i < kpt_entries(k); i++) {
        paddr_t slot = kpte_nth(k, p->root, i);
        struct pte_info pi;
        k->fmt->decode(kpte_load(k, slot), top, &pi);
        if (pi.present && !pi.leaf) {
            kpte_store(k, slot, 0);
            free_level(p, pi.addr, top - 1);
        }
    }
}

/* ---- invalidation ---- */

/* The ID the machine tags p's entries with: its own, or 0 without PCIDs. */
static uint16_t hw_asid(const struct kernel *k, uint16_t asid)
{
    return k->fmt->asid_bits ? asid : 0;
}

/* Shoot down [start, end) of asid on targets and count it as Linux does.
 * Caller holds asid_lock. */
static void shootdown(struct kernel *k, struct process *p, struct cpu *self, cpumask_t targets,
                      uint16_t asid, vaddr_t start, vaddr_t end)
{
    swpt_invalidate(k, asid, start, end);   /* a software-refill structure forgets it too */
    if (!targets)
        return;
    cpumask_t me = self ? (cpumask_t)1 << cpu_index(self) : 0;
    bool full = end - start > 33 * VM_PAGE_SIZE;
    machine_shootdown(k->m, self, targets, hw_asid(k, asid), start, end);
    if (targets & me) {
        if (p)
            count(p, full ? VMSTAT_NR_TLB_LOCAL_FLUSH_ALL : VMSTAT_NR_TLB_LOCAL_FLUSH_ONE, 1);
        else
            kcount(k, full ? VMSTAT_NR_TLB_LOCAL_FLUSH_ALL : VMSTAT_NR_TLB_LOCAL_FLUSH_ONE, 1);
    }
    cpumask_t remote = targets & ~me;
    if (remote) {
        unsigned n = (unsigned)__builtin_popcountll(remote);
        if (p) {
            count(p, VMSTAT_NR_TLB_REMOTE_FLUSH, 1);
            count(p, VMSTAT_NR_TLB_REMOTE_FLUSH_RECEIVED, n);
        } else {
            kcount(k, VMSTAT_NR_TLB_REMOTE_FLUSH, 1);
            kcount(k, VMSTAT_NR_TLB_REMOTE_FLUSH_RECEIVED, n);
        }
    }
}

void mmu_flush_range(struct process *p, struct cpu *self, vaddr_t start, vaddr_t end)
{
    struct kernel *k = p->k;
    klock_acquire(&k->asid_lock, self);
    if (p->asid)
        shootdown(k, p, self, p->may_cache, p->asid, start, end);
    klock_release(&k->asid_lock);
}

void mmu_flush_self(struct process *p, struct cpu *self, vaddr_t start, vaddr_t end)
{
    struct kernel *k = p->k;
    klock_acquire(&k->asid_lock, self);
    if (p->asid && self)
        shootdown(k, p, self, (cpumask_t)1 << cpu_index(self), p->asid, start, end);
    klock_release(&k->asid_lock);
}

void mmu_flush_others(struct process *p, struct cpu *self, vaddr_t start, vaddr_t end)
{
    struct kernel *k = p->k;
    cpumask_t me = self ? (cpumask_t)1 << cpu_index(self) : 0;
    klock_acquire(&k->asid_lock, self);
    if (p->asid)
        shootdown(k, p, self, p->may_cache & ~me, p->asid, start, end);
    klock_release(&k->asid_lock);
}

void mmu_flush_page(struct process *p, struct cpu *self, vaddr_t va)
{
    mmu_flush_range(p, self, va, va + VM_PAGE_SIZE);
}

void mmu_flush_all(struct process *p, struct cpu *self)
{
    mmu_flush_range(p, self, 0, ~(vaddr_t)VM_PAGE_MASK);
}

/* Take p's ID away, flushing it everywhere. asid_lock held. */
static void asid_drop(struct kernel *k, struct process *p, struct cpu *self)
{
    if (!p->asid)
        return;
    shootdown(k, p, self, p->may_cache, p->asid, 0, ~(vaddr_t)VM_PAGE_MASK);
    k->asid_owner[p->asid] = NULL;
    k->asids_used--;
    p->asid = 0;
    p->may_cache = 0;
}

void mmu_release_asid(struct process *p, struct cpu *self)
{
    struct kernel *k = p->k;
    klock_acquire(&k->asid_lock, self);
    asid_drop(k, p, self);
    klock_release(&k->asid_lock);
}

/* Give p an ID. asid_lock held. */
static void asid_assign(struct kernel *k, struct process *p, struct cpu *self)
{
    for (unsigned n = 0; n < k->nasids; n++) {
        unsigned a = k->asid_next;
        k->asid_next = a % k->nasids + 1;
        if (!k->asid_owner[a]) {
            k->asid_owner[a] = p;
            k->asids_used++;
            p->asid = (uint16_t)a;
            count(p, VMSTAT_ASID_ALLOC, 1);
            return;
        }
    }
    /* All taken: steal round-robin from a process not running anywhere.
     * kernel_create ensures nasids >= ncpus, so one exists. */
    for (unsigned n = 0; n < k->nasids; n++) {
        unsigned a = k->asid_next;
        k->asid_next = a % k->nasids + 1;
        struct process *victim = k->asid_owner[a];
        if (victim->running)
            continue;
        asid_drop(k, victim, self);
        k->asid_owner[a] = p;
        k->asids_used++;
        p->asid = (uint16_t)a;
        count(p, VMSTAT_ASID_ALLOC, 1);
        count(p, VMSTAT_ASID_STEAL, 1);
        return;
    }
    abort();
}

static uint64_t satp_of(const struct pt_format *fmt, uint16_t asid, paddr_t root)
{
    switch (fmt->id) {
    case PT_SV32: return rv_satp32(RV_SATP32_MODE_SV32, asid, root);
    case PT_SV39: return rv_satp(RV_SATP_MODE_SV39, asid, root);
    case PT_SV48: return rv_satp(RV_SATP_MODE_SV48, asid, root);
    default: return rv_satp(RV_SATP_MODE_SV57, asid, root);
    }
}

/* First use of a CPU by this kernel: paging on, NX, write protection for
 * supervisor writes (so copy_out to a read-only page faults), PCIDs.
 * 32-bit paging: paging, WP and PSE (4 MiB pages); no NX or PCIDs there. */
static void cpu_setup(struct kernel *k, struct cpu *cpu)
{
    if (k->fmt->id == PT_IA32) {
        cpu_write_cr0(cpu, (1ull << 31) | X86_CR0_WP | 1ull);            /* PG, WP, PE */
        cpu_write_cr4(cpu, X86_CR4_PSE);
        cpu_write_cr3(cpu, k->kernel_root);
    } else if (k->fmt->arch == PT_ARCH_X86) {
        cpu_write_efer(cpu, (1ull << 8) | (1ull << 10) | X86_EFER_NXE);   /* LME, LMA, NXE */
        cpu_write_cr0(cpu, (1ull << 31) | X86_CR0_WP | 1ull);            /* PG, WP, PE */
        cpu_write_cr3(cpu, k->kernel_root);
        uint64_t cr4 = (1ull << 5) | X86_CR4_PCIDE;                      /* PAE, PCIDE */
        if (k->fmt->id == PT_X86_64_5)
            cr4 |= X86_CR4_LA57;
        cpu_write_cr4(cpu, cr4);
    } else {
        cpu_set_sum(cpu, true);
    }
}

void kernel_switch_to(struct cpu *cpu, struct process *p)
{
    struct kernel *k = p ? p->k : NULL;
    if (!k) {
        struct process *cur = cpu_user(cpu);
        if (!cur) {
            cpu_set_user(cpu, NULL);
            return;
        }
        k = cur->k;
    }
    kernel_note_thread_cpu(k, cpu);
    unsigned c = cpu_index(cpu);
    cpumask_t bit = (cpumask_t)1 << c;
    klock_acquire(&k->asid_lock, cpu);
    if (!k->cpu_ready[c]) {
        cpu_setup(k, cpu);
        k->cpu_ready[c] = true;
    }
    struct process *old = k->cpu_proc[c];
    if (old)
        old->running &= ~bit;
    if (p) {
        if (!p->asid)
            asid_assign(k, p, cpu);
        p->running |= bit;
        p->may_cache |= bit;
    }
    k->cpu_proc[c] = p;
    uint16_t asid = p ? p->asid : 0;
    paddr_t root = p ? p->root : k->kernel_root;
    klock_release(&k->asid_lock);

    if (k->fmt->arch == PT_ARCH_X86)
        cpu_write_cr3(cpu, k->fmt->asid_bits ? root | asid | X86_CR3_NOFLUSH : root);
    else
        cpu_write_satp(cpu, satp_of(k->fmt, asid, root));
    cpu_set_user(cpu, p);
    cpu_set_priv(cpu, VM_PRIV_USER);
}

struct process *kernel_current(struct cpu *cpu)
{
    return cpu_user(cpu);
}
