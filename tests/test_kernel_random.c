/* test_kernel_random.c — random operation sequences against a flat shadow
 * copy, over many seeds: map, unmap, store, load, copy_out/copy_in, pin,
 * create and exit processes, under memory pressure, on every format;
 * plus PCID reuse and stealing: two processes with the same addresses never
 * see each other's data whatever the PCID budget. */
#include "ktest.h"

#define BASE   0x10000000ull
#define REGION 24          /* pages per region */
#define NREG   4
#define NPROC  3

struct region {
    bool mapped;
    bool writable;
    uint64_t data[REGION][4];   /* four words per page, at offsets 0, 1000, 2000, 4088 */
};

struct model_proc {
    struct process *p;
    struct region reg[NREG];
};

static const unsigned offs[4] = {0, 1000, 2000, 4088};

static vaddr_t reg_base(int r) { return BASE + (vaddr_t)r * 0x100000; }

static int run_seed(uint64_t seed, int fmt, const char *policy, int nops)
{
    uint64_t seed0 = seed;
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = 8 + seed % 24;
    kc.swap_bytes = 2048 * 4096;
    kc.policy = policy;
    kc.format = fmt;
    kc.nasids = 1 + (unsigned)(seed % 3);
    enum pt_arch arch = pt_format(fmt)->arch;
    struct kt t = kt_make_cfg(arch, 1, &kc);
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct model_proc mp[NPROC];
    memset(mp, 0, sizeof mp);
    int errors = 0;
#define BAD(...)                                   \
    do {                                           \
        if (errors++ < 3)                          \
            tap_diag(__VA_ARGS__);                 \
    } while (0)
    for (int op = 0; op < nops; op++) {
        int j = (int)(kt_rng(&seed) % NPROC);
        struct model_proc *m = &mp[j];
        if (!m->p) {
            m->p = kernel_process_create(t.k, "rand");
            memset(m->reg, 0, sizeof m->reg);
        }
        int r = (int)(kt_rng(&seed) % NREG);
        struct region *rg = &m->reg[r];
        unsigned what = (unsigned)(kt_rng(&seed) % 100);
        kernel_switch_to(cpu, m->p);
        if (what < 5) {   /* map */
            bool w = kt_rng(&seed) % 4 != 0;
            int rc = kernel_map_anon(m->p, reg_base(r), REGION * 4096,
                                     VM_PROT_READ | (w ? VM_PROT_WRITE : 0), 0);
            if (rc != (rg->mapped ? -17 : 0))
                BAD("map returned %d (mapped %d)", rc, rg->mapped);
            if (!rg->mapped) {
                rg->mapped = true;
                rg->writable = w;
                memset(rg->data, 0, sizeof rg->data);
            }
        } else if (what < 8) {   /* unmap */
            int rc = kernel_unmap(m->p, reg_base(r), cpu);
            if (rc != (rg->mapped ? 0 : -22))
                BAD("unmap returned %d", rc);
            rg->mapped = false;
        } else if (what < 10) {   /* exit */
            kernel_switch_to(cpu, NULL);
            kernel_process_exit(m->p, cpu);
            m->p = NULL;
        } else if (what < 13 && rg->mapped) {   /* copy_out + copy_in across pages */
            unsigned pg = (unsigned)(kt_rng(&seed) % (REGION - 1));
            uint64_t buf[2] = {kt_rng(&seed), kt_rng(&seed)};
            vaddr_t va = reg_base(r) + pg * 4096ull + 4088;   /* spans pages pg, pg+1 */
            int rc = kernel_copy_out(cpu, va, buf, 16);
            if (rg->writable) {
                if (rc != 0)
                    BAD("copy_out failed: %s", kernel_process_kill_message(m->p));
                rg->data[pg][3] = buf[0];
                rg->data[pg + 1][0] = buf[1];
                uint64_t back[2] = {0, 0};
                if (kernel_copy_in(cpu, back, va, 16) != 0 || back[0] != buf[0] || back[1] != buf[1])
                    BAD("copy_in mismatch");
            } else {
                if (rc != -1 || kernel_process_kill_reason(m->p) != KILL_SEGV_WRITE_RO)
                    BAD("copy_out to read-only: rc %d, %s", rc, kernel_process_kill_message(m->p));
                kernel_switch_to(cpu, NULL);
                kernel_process_exit(m->p, cpu);
                m->p = NULL;
            }
        } else {   /* load or store */
            unsigned pg = (unsigned)(kt_rng(&seed) % REGION), w = (unsigned)(kt_rng(&seed) % 4);
            vaddr_t va = reg_base(r) + pg * 4096ull + offs[w];
            bool store = kt_rng(&seed) % 2;
            uint64_t v = kt_rng(&seed);
            int rc = store ? cpu_store(cpu, va, 8, v) : cpu_load(cpu, va, 8, &v);
            enum kill_reason want = !rg->mapped ? KILL_SEGV_UNMAPPED
                                  : store && !rg->writable ? KILL_SEGV_WRITE_RO : KILL_NONE;
            if (want == KILL_NONE) {
                if (rc != 0)
                    BAD("access failed: %s", kernel_process_kill_message(m->p));
                else if (store)
                    rg->data[pg][w] = v;
                else if (v != rg->data[pg][w])
                    BAD("read 0x%llx at 0x%llx, want 0x%llx", (unsigned long long)v,
                        (unsigned long long)va, (unsigned long long)rg->data[pg][w]);
            } else {
                if (rc != -1 || kernel_process_kill_reason(m->p) != want)
                    BAD("bad access at 0x%llx: rc %d, reason %s, want %s", (unsigned long long)va, rc,
                        kill_reason_names[kernel_process_kill_reason(m->p)], kill_reason_names[want]);
                kernel_switch_to(cpu, NULL);
                kernel_process_exit(m->p, cpu);
                m->p = NULL;
            }
        }
    }
    /* everything still mapped reads back */
    for (int j = 0; j < NPROC; j++) {
        if (!mp[j].p)
            continue;
        kernel_switch_to(cpu, mp[j].p);
        for (int r = 0; r < NREG; r++) {
            if (!mp[j].reg[r].mapped)
                continue;
            for (unsigned pg = 0; pg < REGION; pg++)
                for (unsigned w = 0; w < 4; w++) {
                    uint64_t v = 0;
                    if (cpu_load(cpu, reg_base(r) + pg * 4096ull + offs[w], 8, &v) != 0 ||
                        v != mp[j].reg[r].data[pg][w])
                        BAD("final check: proc %d region %d page %u word %u", j, r, pg, w);
                }
        }
        kernel_switch_to(cpu, NULL);
        kernel_process_exit(mp[j].p, cpu);
    }
    struct kernel_usage u;
    kernel_usage(t.k, &u);
    if (u.user_frames_used || u.swap_slots_used || u.asids_used || u.kernel_frames_used != 1 ||
        u.pinned_frames)
        BAD("leak: frames %llu slots %llu asids %u pt %llu pinned %llu",
            (unsigned long long)u.user_frames_used, (unsigned long long)u.swap_slots_used,
            u.asids_used, (unsigned long long)u.kernel_frames_used,
            (unsigned long long)u.pinned_frames);
    if (errors)
        tap_diag("(seed 0x%llx, format %s, policy %s)", (unsigned long long)seed0, pt_format(fmt)->name,
                 policy);
    cpu_detach(cpu);
    kt_free(&t);
    return errors;
}

/* Same addresses, different data, one PCID for three processes. */
static void test_pcid_reuse(enum pt_arch arch)
{
    struct kernel_config kc;
    kernel_config_default(&kc);
    kc.user_frames = 64;
    kc.nasids = 1;
    struct kt t = kt_make_cfg(arch, 1, &kc);
    struct cpu *cpu = machine_cpu(t.m, 0);
    cpu_attach(cpu);
    struct process *p[3];
    for (int i = 0; i < 3; i++) {
        p[i] = kernel_process_create(t.k, "pcid");
        kernel_map_anon(p[i], BASE, 8 * 4096, VM_PROT_READ | VM_PROT_WRITE, 0);
        kernel_switch_to(cpu, p[i]);
        for (int pg = 0; pg < 8; pg++)
            cpu_store(cpu, BASE + pg * 4096ull, 8, (uint64_t)(i * 100 + pg));
    }
    bool good = true;
    for (int round = 0; round < 30; round++) {
        int i = round % 3;
        kernel_switch_to(cpu, p[i]);
        for (int pg = 0; pg < 8; pg++) {
            uint64_t v = 0;
            good &= cpu_load(cpu, BASE + pg * 4096ull, 8, &v) == 0 && v == (uint64_t)(i * 100 + pg);
        }
    }
    ok(good, "%s: 3 processes sharing 1 PCID never see each other's pages",
       arch == PT_ARCH_X86 ? "x86" : "riscv");
    ok(kt_stat(t.k, VMSTAT_ASID_STEAL) >= 30, "PCID stolen at each switch (%llu)",
       (unsigned long long)kt_stat(t.k, VMSTAT_ASID_STEAL));
    struct process_usage pu;
    kernel_process_usage(p[2], &pu);
    is_u64(pu.asid, 1, "the running process holds PCID 1");
    kernel_process_usage(p[0], &pu);
    is_u64(pu.asid, 0, "the others hold none");
    kernel_switch_to(cpu, NULL);
    for (int i = 0; i < 3; i++)
        kernel_process_exit(p[i], cpu);
    kt_no_leaks(t.k, "pcid reuse");
    cpu_detach(cpu);
    kt_free(&t);
}

int main(void)
{
    test_pcid_reuse(PT_ARCH_X86);
    test_pcid_reuse(PT_ARCH_RISCV);
    const int fmts[] = {PT_X86_64, PT_X86_64_5, PT_SV39, PT_SV48, PT_SV57};
    const char *pols[] = {"clock", "fifo", "lru", "random", "aging", "clock-noflush", "linux"};
    int seeds = kt_sanitized() ? 30 : 150;
    int nops = kt_sanitized() ? 1500 : 3000;
    int failed_seeds = 0;
    for (int s = 1; s <= seeds; s++) {
        int e = run_seed((uint64_t)s * 0x9e3779b97f4a7c15ull + 1, fmts[s % 5], pols[s % 7], nops);
        if (e)
            failed_seeds++;
    }
    is_i64(failed_seeds, 0, "%d seeds x %d random ops vs a flat shadow copy (5 formats, 7 policies)",
           seeds, nops);
    return tap_done();
}
