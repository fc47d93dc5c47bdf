/* sys.c — struct rv_sys: the ISA's state beside a machine, and harts. */
#include "isa/isa_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rv_sys *rv_sys_create(struct machine *m, const struct rv_config *cfg, char *err, size_t errlen)
{
    unsigned ncpus = machine_ncpus(m);
    unsigned pages = cfg && cfg->icache_pages ? cfg->icache_pages : 256;
    struct rv_sys *s = calloc(1, sizeof *s + ncpus * sizeof s->cpu[0]);
    if (!s) {
        snprintf(err, errlen, "rv_sys_create: out of memory");
        return NULL;
    }
    s->m = m;
    s->ncpus = ncpus;
    s->refetch = calloc(RV_SLOTS, sizeof *s->refetch);
    s->zero = calloc(1, VM_PAGE_SIZE + 8);
    if (!s->refetch || !s->zero)
        goto oom;
    for (unsigned i = 0; i < RV_SLOTS; i++)
        s->refetch[i].op = RV_OP_REFETCH;      /* raw 0 matches the zero frame */
    rv_exec_prepare(s);
    for (unsigned i = 0; i < ncpus; i++) {
        struct rv_cpu *rc = &s->cpu[i];
        rc->cpu = machine_cpu(m, i);
        rc->fetch_slots = s->refetch;
        rc->fetch_host = s->zero;
        cpu_xc_init(rc->cpu, &rc->xc);
        if (rv_icache_init(&rc->ic, pages))
            goto oom;
    }
    return s;
oom:
    snprintf(err, errlen, "rv_sys_create: out of memory for the decoded-instruction caches");
    rv_sys_destroy(s);
    return NULL;
}

void rv_sys_destroy(struct rv_sys *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < s->ncpus; i++)
        if (s->cpu[i].ic.hash)
            rv_icache_destroy(&s->cpu[i].ic);
    free(s->refetch);
    free(s->zero);
    free(s);
}

void rv_sys_set_time(struct rv_sys *s, rv_time_fn fn, void *arg)
{
    s->time_fn = fn;
    s->time_arg = arg;
}

void rv_sys_set_trace(struct rv_sys *s, rv_trace_fn fn, void *arg)
{
    s->trace_fn = fn;
    s->trace_arg = arg;
    for (unsigned i = 0; i < s->ncpus; i++)
        cpu_xc_init(s->cpu[i].cpu, &s->cpu[i].xc);     /* cached pages would not be reported */
}

void rv_hart_init(struct rv_hart *h, struct rv_sys *s, uint64_t entry)
{
    /* a hart at this address before (freed and allocated again) left
     * nothing behind: no CPU may take this one for it */
    for (unsigned i = 0; i < s->ncpus; i++)
        if (s->cpu[i].owner == h) {
            rv_resv_drop(s, &s->cpu[i]);
            s->cpu[i].owner = NULL;
        }
    memset(h, 0, sizeof *h);
    h->sys = s;
    h->pc = entry;
    h->refetch = true;
}

void rv_sys_stats(const struct rv_sys *s, struct rv_stats *out)
{
    *out = s->st;
}

const char *rv_exc_name(unsigned cause)
{
    switch (cause) {
    case RV_EXC_FETCH_MISALIGNED: return "instruction-address-misaligned";
    case RV_EXC_FETCH_ACCESS: return "instruction-access-fault";
    case RV_EXC_ILLEGAL: return "illegal-instruction";
    case RV_EXC_BREAKPOINT: return "breakpoint";
    case RV_EXC_LOAD_MISALIGNED: return "load-address-misaligned";
    case RV_EXC_LOAD_ACCESS: return "load-access-fault";
    case RV_EXC_STORE_MISALIGNED: return "store-address-misaligned";
    case RV_EXC_STORE_ACCESS: return "store-access-fault";
    case RV_EXC_ECALL_U: return "ecall";
    case RV_EXC_FETCH_PAGE_FAULT: return "instruction-page-fault";
    case RV_EXC_LOAD_PAGE_FAULT: return "load-page-fault";
    case RV_EXC_STORE_PAGE_FAULT: return "store-page-fault";
    }
    return "unknown-exception";
}
