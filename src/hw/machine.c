/* machine.c — creating the machine and its CPUs; counters. */
#include "hw/cpu_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void machine_config_default(struct machine_config *cfg, enum pt_arch arch)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->arch = arch;
    cfg->ncpus = 1;
    cfg->mem_bytes = 64ull << 20;
    cfg->maxphyaddr = 46;
    cfg->tlb = *tlb_preset(arch == PT_ARCH_X86 ? "golden-cove" : "zen4");
}

static struct cpu *cpu_create(struct machine *m, unsigned index)
{
    struct cpu *c = aligned_alloc(64, VM_ALIGN_UP(sizeof(struct cpu), 64));
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    if (tlb_init(&c->tlb, &m->cfg.tlb)) {
        tlb_free(&c->tlb);
        free(c);
        return NULL;
    }
    c->m = m;
    c->index = index;
    c->soft_refill = m->cfg.tlb_refill == TLB_REFILL_SOFTWARE;
    c->pm = m->pm;
    c->membase = physmem_host(m->pm, 0);
    c->env.maxphyaddr = m->cfg.maxphyaddr;
    c->env.gbpages = !m->cfg.no_gbpages;
    c->env.priv = VM_PRIV_SUPERVISOR;
    c->env.adue = true;
    bool x86 = m->cfg.arch == PT_ARCH_X86;
    cpu_set_format(c, pt_format(m->cfg.xlen == 32 ? (x86 ? PT_IA32 : PT_SV32)
                                                  : (x86 ? PT_X86_64 : PT_SV39)));
    c->cr0 = X86_CR0_WP;
    c->env.wp = true;
    c->state = CPU_IDLE;
    pthread_mutex_init(&c->ipi_lock, NULL);
    for (unsigned i = 0; i < MEMO_SLOTS; i++)
        c->dmemo[i].vpage = c->imemo[i].vpage = MEMO_NONE;
    c->memo_gen = 1;
    return c;
}

struct machine *machine_create(const struct machine_config *cfg, char *err, size_t errlen)
{
    if (cfg->ncpus < 1 || cfg->ncpus > VM_MAX_CPUS) {
        snprintf(err, errlen, "%u CPUs: a machine has 1 to %d", cfg->ncpus, VM_MAX_CPUS);
        return NULL;
    }
    unsigned maxphy = cfg->maxphyaddr ? cfg->maxphyaddr : 46;
    unsigned xlen = cfg->xlen ? cfg->xlen : 64;
    if (xlen != 32 && xlen != 64) {
        snprintf(err, errlen, "xlen %u: a machine is 32 or 64 bits wide", cfg->xlen);
        return NULL;
    }
    if (cfg->arch == PT_ARCH_X86 && (maxphy < 32 || maxphy > 52)) {
        snprintf(err, errlen, "MAXPHYADDR %u is out of range (32 to 52)", maxphy);
        return NULL;
    }
    /* The widest physical address a 4 KiB page can have: MAXPHYADDR; 56
     * bits for Sv39-57; 34 for Sv32; 32 for 32-bit paging, whose PTEs and
     * CR3 hold 32-bit addresses (PSE-36 reaches above 4 GiB with 4 MiB
     * pages only, and vmlab does not put memory there). */
    unsigned pa_bits = cfg->arch == PT_ARCH_X86 ? (xlen == 32 ? 32 : maxphy) : (xlen == 32 ? 34 : 56);
    if (cfg->mem_bytes > (uint64_t)1 << pa_bits) {
        snprintf(err, errlen, "%llu bytes of memory do not fit a %u-bit physical address%s",
                 (unsigned long long)cfg->mem_bytes, pa_bits,
                 xlen == 32 ? (cfg->arch == PT_ARCH_X86 ? " (32-bit paging's 4 KiB pages)"
                                                         : " (Sv32)") : "");
        return NULL;
    }
    if (tlb_config_check(&cfg->tlb, err, errlen))
        return NULL;
    unsigned l2_entries = 0;
    for (unsigned i = 0; i < TLB_MAX_ARRAYS; i++)
        l2_entries += cfg->tlb.l2.array[i].entries;
    if (cfg->tlb_refill == TLB_REFILL_SOFTWARE && !l2_entries) {
        snprintf(err, errlen, "software TLB refill needs an L2 TLB: the TLB the refill handler "
                              "writes (the L1s are refilled from it)");
        return NULL;
    }
    if (cfg->tlb_refill != TLB_REFILL_HARDWARE && cfg->tlb_refill != TLB_REFILL_SOFTWARE) {
        snprintf(err, errlen, "tlb_refill %d: hardware or software", (int)cfg->tlb_refill);
        return NULL;
    }
    struct machine *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, errlen, "out of host memory");
        return NULL;
    }
    m->cfg = *cfg;
    m->cfg.maxphyaddr = maxphy;
    m->cfg.xlen = xlen;
    if (!(m->pm = physmem_create(cfg->mem_bytes, err, errlen))) {
        free(m);
        return NULL;
    }
    for (unsigned i = 0; i < cfg->ncpus; i++) {
        if (!(m->cpu[i] = cpu_create(m, i))) {
            snprintf(err, errlen, "out of host memory for CPU %u's TLBs", i);
            machine_destroy(m);
            return NULL;
        }
        m->ncpus = i + 1;
    }
    return m;
}

void machine_destroy(struct machine *m)
{
    if (!m)
        return;
    for (unsigned i = 0; i < m->ncpus; i++) {
        tlb_free(&m->cpu[i]->tlb);
        pthread_mutex_destroy(&m->cpu[i]->ipi_lock);
        free(m->cpu[i]);
    }
    physmem_destroy(m->pm);
    free(m);
}

struct physmem *machine_physmem(struct machine *m) { return m->pm; }
const struct machine_config *machine_config(const struct machine *m) { return &m->cfg; }
unsigned machine_ncpus(const struct machine *m) { return m->ncpus; }

struct cpu *machine_cpu(struct machine *m, unsigned index)
{
    return index < m->ncpus ? m->cpu[index] : NULL;
}

void machine_set_fault_handler(struct machine *m, fault_handler_fn fn, void *arg)
{
    m->fault_fn = fn;
    m->fault_arg = arg;
}

void cpu_stats(const struct cpu *cpu, struct cpu_stats *out)
{
    for (int i = 0; i < CPU_STAT_NR; i++)
        out->v[i] = __atomic_load_n(&cpu->stat[i], __ATOMIC_RELAXED);
}

void cpu_stats_reset(struct cpu *cpu)
{
    for (int i = 0; i < CPU_STAT_NR; i++)
        __atomic_store_n(&cpu->stat[i], 0, __ATOMIC_RELAXED);
}

void machine_stats(struct machine *m, struct cpu_stats *out)
{
    memset(out, 0, sizeof *out);
    for (unsigned c = 0; c < m->ncpus; c++) {
        struct cpu_stats s;
        cpu_stats(m->cpu[c], &s);
        for (int i = 0; i < CPU_STAT_NR; i++)
            out->v[i] += s.v[i];
    }
    out->v[CPU_STAT_SHOOTDOWNS_SENT] +=
        __atomic_load_n(&m->shootdowns_unattributed, __ATOMIC_RELAXED);
}

unsigned cpu_index(const struct cpu *cpu) { return cpu->index; }
struct machine *cpu_machine(struct cpu *cpu) { return cpu->m; }
const struct vm_fault *cpu_last_fault(const struct cpu *cpu) { return &cpu->last_fault; }
void cpu_set_user(struct cpu *cpu, void *p) { cpu->user = p; }
void *cpu_user(const struct cpu *cpu) { return cpu->user; }
