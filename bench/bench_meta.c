/* bench_meta.c — kernel metadata bytes per mapped page, measured on a
 * process with every page of a 64 MiB region resident, beside the size of
 * Linux's struct page (64 bytes, the target) and beside a naive design
 * measured in the same run (one malloc'd record per page in a chained hash
 * table with separate frame records, as a first PintOS implementation
 * often does).
 *
 * Counted: struct page (SPT entry, kind, swap slot, reverse-map owner),
 * the SPT's bucket array, struct frame + its state word, the VMA. Page
 * tables live in simulated memory and are printed separately. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include <vmlab/kernel.h>
#include <vmlab/machine.h>

#include "os/kern.h"

#define NPAGES 16384
#define BASE 0x10000000ull

/* The naive design: what malloc really hands out for it. */
struct naive_page {
    struct naive_page *next;
    uint64_t va;
    int kind;
    bool writable, dirty;
    void *frame;
    uint64_t slot;
    void *aux;
    struct naive_page *list_prev, *list_next;
};
struct naive_frame {
    void *kva;
    struct naive_page *page;
    struct naive_frame *prev, *next;
    bool pinned;
};

static double naive_bytes_per_page(void)
{
    struct mallinfo2 before = mallinfo2();
    struct naive_page **buckets = calloc(NPAGES, sizeof *buckets);
    for (uint64_t i = 0; i < NPAGES; i++) {
        struct naive_page *pg = calloc(1, sizeof *pg);
        struct naive_frame *fr = calloc(1, sizeof *fr);
        pg->va = BASE + i * 4096;
        pg->frame = fr;
        fr->page = pg;
        pg->next = buckets[i % NPAGES];
        buckets[i % NPAGES] = pg;
    }
    struct mallinfo2 after = mallinfo2();
    double per = (double)(after.uordblks - before.uordblks) / NPAGES;
    for (uint64_t i = 0; i < NPAGES; i++) {
        struct naive_page *pg = buckets[i];
        while (pg) {
            struct naive_page *n = pg->next;
            free(pg->frame);
            free(pg);
            pg = n;
        }
    }
    free(buckets);
    return per;
}

int main(void)
{
    struct machine_config mc;
    char err[256];
    machine_config_default(&mc, PT_ARCH_X86);
    mc.mem_bytes = (NPAGES + 2048) * 4096ull;
    struct machine *m = machine_create(&mc, err, sizeof err);
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = NPAGES;
    kc.kernel_frames = 1024;
    kc.swap_bytes = 64 * 4096;
    struct kernel *k = kernel_create(m, &kc, err, sizeof err);
    if (!m || !k) {
        fprintf(stderr, "bench_meta: %s\n", err);
        return 1;
    }
    struct cpu *cpu = machine_cpu(m, 0);
    cpu_attach(cpu);
    struct process *p = kernel_process_create(k, "meta");
    kernel_map_anon(p, BASE, NPAGES * 4096ull, VM_PROT_READ | VM_PROT_WRITE, 0);
    kernel_switch_to(cpu, p);
    for (uint64_t i = 0; i < NPAGES; i++)
        cpu_touch(cpu, BASE + i * 4096, 8, VM_ACCESS_WRITE);
    struct process_usage u;
    kernel_process_usage(p, &u);
    double page = sizeof(struct page);
    double slab = (double)p->spt.slab.nchunks * 512 * sizeof(struct page) / (double)u.spt_pages - page;
    double buckets = (double)spt_bucket_bytes(&p->spt) / (double)u.spt_pages;
    double frame = sizeof(struct frame) + sizeof(uint32_t);
    double vma = (double)p->vmas.cap * sizeof(struct vma) / (double)u.resident_pages;
    double total = page + slab + buckets + frame + vma;
    double naive = naive_bytes_per_page();
    printf("kernel metadata per mapped page: %.1f bytes (struct page %.0f + slab slack %.1f + SPT "
           "buckets %.1f + struct frame and state %.0f + VMA %.2f); Linux struct page: 64; ratio %.2f "
           "(aim <= 1)\n", total, page, slab, buckets, frame, vma, total / 64);
    printf("kernel metadata per mapped page: %.1f bytes; naive malloc-per-page design (same run): "
           "%.1f bytes; ratio %.2f\n", total, naive, total / naive);
    printf("page tables (simulated memory, not counted above): %.1f bytes per mapped page "
           "(%llu table pages for %llu pages)\n",
           (double)u.pt_pages * 4096 / (double)u.resident_pages, (unsigned long long)u.pt_pages,
           (unsigned long long)u.resident_pages);
    kernel_switch_to(cpu, NULL);
    kernel_process_exit(p, cpu);
    cpu_detach(cpu);
    kernel_destroy(k);
    machine_destroy(m);
    return 0;
}
