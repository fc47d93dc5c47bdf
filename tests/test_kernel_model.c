/* test_kernel_model.c — random sequences of the memory calls a C library
 * makes, checked page by page against a simple model of what each process
 * must see: mmap (anonymous, private file, shared file; MAP_FIXED over
 * whatever was there), partial munmap, mprotect (read-only, read-write,
 * PROT_NONE), madvise(MADV_DONTNEED), brk growing and shrinking, fork and
 * writes after it, exits, kernel copy-out/copy-in, and read/write of the
 * shared file beside its mappings -- over many seeds, formats and
 * policies, with memory small enough that everything is evicted, swapped
 * and read back. Every access the model forbids must kill with the right
 * reason; at the end nothing is held, and the shared file on the host
 * holds exactly what the model says. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "hw/cpu_impl.h"
#include "ktest.h"

#define ARENA 0x20000000ull
#define HEAP  0x11000ull       /* the test executable's break */
#define HEAPMAX 48u            /* pages the heap may reach */
#define NF 64u                 /* pages of each file */
#define MAXP 4
#define WORDS 2                /* checked words per page: offsets 0 and 4088 */

enum kind { UNMAPPED, ANON, PRIV, SHARED };
struct mpage {
    uint8_t kind, prot;        /* prot: VM_PROT_* */
    uint16_t fpage;            /* PRIV, SHARED: the file page */
    uint64_t w[WORDS];         /* ANON, PRIV: contents */
};
struct mproc {
    struct process *p;
    struct mpage *pg;          /* the arena, npages */
    struct mpage heap[HEAPMAX];
    vaddr_t brk;
};

static unsigned npages;
static uint64_t shared_w[NF][WORDS];   /* the shared file, as the model has it */
static char spath[64], ppath[64], epath[64];
static int sfd, pfd;

static uint64_t priv_word(unsigned fpage, unsigned w)
{
    return ((uint64_t)fpage << 32) ^ (w ? 0xfeedull : 0xbeefull);
}

static vaddr_t word_off(unsigned w) { return w ? 4088 : 0; }

static void write_files(void)
{
    sfd = open(spath, O_RDWR | O_TRUNC);
    pfd = open(ppath, O_RDWR | O_TRUNC);
    for (unsigned f = 0; f < NF; f++)
        for (unsigned w = 0; w < WORDS; w++) {
            uint64_t pv = priv_word(f, w), sv = pv ^ 0x5a5a;
            shared_w[f][w] = sv;
            if (pwrite(pfd, &pv, 8, f * 4096 + word_off(w)) != 8 ||
                pwrite(sfd, &sv, 8, f * 4096 + word_off(w)) != 8)
                abort();
        }
    if (ftruncate(sfd, NF * 4096) || ftruncate(pfd, NF * 4096))
        abort();
}

/* The model's page for va of m, or NULL outside the arena and heap. */
static struct mpage *mpage_of(struct mproc *m, vaddr_t va)
{
    if (va >= ARENA && va < ARENA + npages * 4096ull)
        return &m->pg[(va - ARENA) / 4096];
    if (va >= HEAP && va < HEAP + HEAPMAX * 4096ull)
        return &m->heap[(va - HEAP) / 4096];
    return NULL;
}

static uint64_t model_read(const struct mpage *mp, unsigned w)
{
    return mp->kind == SHARED ? shared_w[mp->fpage][w] : mp->w[w];
}

static void model_write(struct mpage *mp, unsigned w, uint64_t v)
{
    if (mp->kind == SHARED)
        shared_w[mp->fpage][w] = v;
    else
        mp->w[w] = v;
}

static void model_fill(struct mpage *mp, enum kind kind, unsigned prot, unsigned fpage)
{
    mp->kind = (uint8_t)kind;
    mp->prot = (uint8_t)prot;
    mp->fpage = (uint16_t)fpage;
    for (unsigned w = 0; w < WORDS; w++)
        mp->w[w] = kind == PRIV ? priv_word(fpage, w) : 0;
}

struct world {
    struct kt t;
    struct cpu *c;
    struct mproc m[MAXP];
    uint64_t s;
    int errors;
};

#define BAD(W, ...)                        \
    do {                                   \
        if ((W)->errors++ < 4)             \
            tap_diag(__VA_ARGS__);         \
    } while (0)

static void proc_free(struct world *W, int j)
{
    kernel_switch_to(W->c, NULL);
    kernel_process_exit(W->m[j].p, W->c);
    free(W->m[j].pg);
    memset(&W->m[j], 0, sizeof W->m[j]);
}

static void proc_new(struct world *W, int j)
{
    struct mproc *m = &W->m[j];
    m->p = kernel_process_create_abi(W->t.k, "model", KERNEL_ABI_LINUX);
    m->pg = calloc(npages, sizeof *m->pg);
    struct kernel_image img;
    char err[256];
    if (!m->p || !m->pg || kernel_exec(m->p, epath, &img, W->c, err, sizeof err) != 0)
        abort();
    m->brk = img.brk;
}

/* An access the model forbids kills; say which reason it must be. */
static enum kill_reason expect(const struct mpage *mp, bool write)
{
    if (!mp || mp->kind == UNMAPPED)
        return KILL_SEGV_UNMAPPED;
    if (!mp->prot)
        return KILL_SEGV_PROT_NONE;
    if (write && !(mp->prot & VM_PROT_WRITE))
        return KILL_SEGV_WRITE_RO;
    return KILL_NONE;
}

/* One load or store of word w at va; returns false if the process died. */
static bool access_one(struct world *W, int j, vaddr_t va, unsigned w, bool write)
{
    struct mproc *m = &W->m[j];
    struct mpage *mp = mpage_of(m, va);
    enum kill_reason want = expect(mp, write);
    kernel_switch_to(W->c, m->p);
    uint64_t v = write ? kt_rng(&W->s) : 0;
    int rc = write ? cpu_store(W->c, va + word_off(w), 8, v) : cpu_load(W->c, va + word_off(w), 8, &v);
    if (want != KILL_NONE) {
        if (rc == 0 || kernel_process_kill_reason(m->p) != want)
            BAD(W, "%s at 0x%llx: rc %d, %s, want %s", write ? "store" : "load", (unsigned long long)va, rc,
                kill_reason_names[kernel_process_kill_reason(m->p)], kill_reason_names[want]);
        proc_free(W, j);
        return false;
    }
    if (rc != 0) {
        BAD(W, "access at 0x%llx failed: %s", (unsigned long long)va, kernel_process_kill_message(m->p));
        proc_free(W, j);
        return false;
    }
    if (write)
        model_write(mp, w, v);
    else if (v != model_read(mp, w))
        BAD(W, "proc %d: 0x%llx word %u holds 0x%llx, want 0x%llx (kind %u)", j, (unsigned long long)va, w,
            (unsigned long long)v, (unsigned long long)model_read(mp, w), mp->kind);
    return true;
}

static void check_all(struct world *W, int j)
{
    struct mproc *m = &W->m[j];
    kernel_switch_to(W->c, m->p);
    for (unsigned i = 0; i < npages + HEAPMAX; i++) {
        vaddr_t va = i < npages ? ARENA + i * 4096ull : HEAP + (i - npages) * 4096ull;
        struct mpage *mp = mpage_of(m, va);
        if (expect(mp, false) != KILL_NONE)
            continue;
        for (unsigned w = 0; w < WORDS; w++) {
            uint64_t v = 0;
            if (cpu_load(W->c, va + word_off(w), 8, &v) != 0 || v != model_read(mp, w))
                BAD(W, "check: proc %d 0x%llx word %u: 0x%llx want 0x%llx", j, (unsigned long long)va, w,
                    (unsigned long long)v, (unsigned long long)model_read(mp, w));
        }
    }
}

static void op_mmap(struct world *W, int j, unsigned a, unsigned n)
{
    struct mproc *m = &W->m[j];
    unsigned k = 1 + (unsigned)(kt_rng(&W->s) % 3);
    unsigned prot = kt_rng(&W->s) % 3 ? VM_PROT_READ | VM_PROT_WRITE : VM_PROT_READ;
    unsigned f0 = (unsigned)(kt_rng(&W->s) % (NF - n + 1));
    int fd = k == ANON ? -1 : k == PRIV ? pfd : sfd;
    unsigned flags = KERNEL_MAP_FIXED | (k == SHARED ? KERNEL_MAP_SHARED : KERNEL_MAP_PRIVATE) |
                     (k == ANON ? KERNEL_MAP_ANONYMOUS : 0);
    vaddr_t out = 0;
    int rc = kernel_mmap(m->p, ARENA + a * 4096ull, n * 4096ull, prot, flags, fd, k == ANON ? 0 : f0 * 4096ull,
                         &out);
    if (rc != 0 || out != ARENA + a * 4096ull) {
        BAD(W, "mmap fixed: %d", rc);
        return;
    }
    for (unsigned i = 0; i < n; i++)
        model_fill(&m->pg[a + i], (enum kind)k, prot, f0 + i);
    /* give fresh anonymous pages words worth keeping: a copy that loses
     * the unwritten word of a page must show */
    if (k == ANON && (prot & VM_PROT_WRITE)) {
        kernel_switch_to(W->c, m->p);
        for (unsigned i = 0; i < n; i++)
            for (unsigned w = 0; w < WORDS; w++) {
                uint64_t v = kt_rng(&W->s);
                if (cpu_store(W->c, ARENA + (a + i) * 4096ull + word_off(w), 8, v) == 0)
                    m->pg[a + i].w[w] = v;
                else
                    BAD(W, "fill of a fresh mapping failed: %s", kernel_process_kill_message(m->p));
            }
    }
}

static void op_range(struct world *W, int j, unsigned what, unsigned a, unsigned n)
{
    struct mproc *m = &W->m[j];
    vaddr_t va = ARENA + a * 4096ull;
    unsigned hole = n;
    for (unsigned i = 0; i < n; i++)
        if (m->pg[a + i].kind == UNMAPPED) {
            hole = i;
            break;
        }
    int rc;
    if (what == 0) {   /* munmap */
        rc = kernel_munmap(m->p, va, n * 4096ull, W->c);
        if (rc != 0)
            BAD(W, "munmap: %d", rc);
        for (unsigned i = 0; i < n; i++)
            m->pg[a + i].kind = UNMAPPED;
    } else if (what == 1) {   /* mprotect: the part before the first hole */
        unsigned r = (unsigned)(kt_rng(&W->s) % 3);
        unsigned prot = r == 0 ? 0 : r == 1 ? VM_PROT_READ : VM_PROT_READ | VM_PROT_WRITE;
        rc = kernel_mprotect(m->p, va, n * 4096ull, prot, W->c);
        if (rc != (hole < n ? -ENOMEM : 0))
            BAD(W, "mprotect: %d (hole at %u of %u)", rc, hole, n);
        for (unsigned i = 0; i < hole; i++)
            m->pg[a + i].prot = (uint8_t)prot;
    } else {   /* madvise(DONTNEED): every mapped page of the range */
        rc = kernel_madvise(m->p, va, n * 4096ull, KERNEL_MADV_DONTNEED, W->c);
        if (rc != (hole < n ? -ENOMEM : 0))
            BAD(W, "madvise: %d", rc);
        for (unsigned i = 0; i < n; i++) {
            struct mpage *mp = &m->pg[a + i];
            if (mp->kind == ANON || mp->kind == PRIV)
                model_fill(mp, (enum kind)mp->kind, mp->prot, mp->fpage);
        }
    }
}

static void op_brk(struct world *W, int j)
{
    struct mproc *m = &W->m[j];
    vaddr_t want = HEAP - 0x1000 + kt_rng(&W->s) % ((HEAPMAX + 1) * 4096ull);
    vaddr_t got = 0;
    int rc = kernel_brk(m->p, want, &got, W->c);
    if (want < HEAP) {
        if (rc != -ENOMEM || got != m->brk)
            BAD(W, "brk below the heap: %d 0x%llx", rc, (unsigned long long)got);
        return;
    }
    if (rc != 0 || got != want) {
        BAD(W, "brk 0x%llx: %d 0x%llx", (unsigned long long)want, rc, (unsigned long long)got);
        return;
    }
    unsigned old_end = (unsigned)((VM_ALIGN_UP(m->brk, 4096) - HEAP) / 4096);
    unsigned new_end = (unsigned)((VM_ALIGN_UP(want, 4096) - HEAP) / 4096);
    for (unsigned i = new_end; i < old_end; i++)
        m->heap[i].kind = UNMAPPED;
    for (unsigned i = old_end; i < new_end; i++)
        model_fill(&m->heap[i], ANON, VM_PROT_READ | VM_PROT_WRITE, 0);
    m->brk = want;
}

static void op_fork(struct world *W, int j)
{
    int k = 0;
    while (k < MAXP && W->m[k].p)
        k++;
    if (k == MAXP)
        return;
    struct mproc *m = &W->m[j], *c = &W->m[k];
    kernel_switch_to(W->c, NULL);
    if (kernel_process_fork(m->p, "kid", W->c, &c->p) != 0) {
        BAD(W, "fork failed");
        return;
    }
    c->pg = malloc(npages * sizeof *c->pg);
    memcpy(c->pg, m->pg, npages * sizeof *c->pg);
    memcpy(c->heap, m->heap, sizeof c->heap);
    c->brk = m->brk;
}

/* copy_out then copy_in of 16 bytes across pages i, i+1 (both read-write) */
static void op_copy(struct world *W, int j, unsigned i)
{
    struct mproc *m = &W->m[j];
    struct mpage *a = &m->pg[i], *b = &m->pg[i + 1];
    if (expect(a, true) != KILL_NONE || expect(b, true) != KILL_NONE)
        return;
    kernel_switch_to(W->c, m->p);
    uint64_t out[2] = {kt_rng(&W->s), kt_rng(&W->s)}, back[2] = {0, 0};
    vaddr_t va = ARENA + i * 4096ull + 4088;
    if (kernel_copy_out(W->c, va, out, 16) != 0 || kernel_copy_in(W->c, back, va, 16) != 0 ||
        back[0] != out[0] || back[1] != out[1]) {
        BAD(W, "copy out/in at 0x%llx: %s", (unsigned long long)va, kernel_process_kill_message(m->p));
        return;
    }
    model_write(a, 1, out[0]);
    model_write(b, 0, out[1]);
}

/* read(2)/write(2) of one word of the shared file */
static void op_file(struct world *W)
{
    unsigned f = (unsigned)(kt_rng(&W->s) % NF), w = (unsigned)(kt_rng(&W->s) % WORDS);
    uint64_t v = kt_rng(&W->s);
    if (kt_rng(&W->s) % 2) {
        if (kernel_file_pwrite(W->t.k, sfd, &v, 8, f * 4096 + word_off(w)) != 8)
            BAD(W, "pwrite");
        shared_w[f][w] = v;
    } else if (kernel_file_pread(W->t.k, sfd, &v, 8, f * 4096 + word_off(w)) != 8 || v != shared_w[f][w]) {
        BAD(W, "pread of file page %u word %u: 0x%llx want 0x%llx", f, w, (unsigned long long)v,
            (unsigned long long)shared_w[f][w]);
    }
}

static int run_seed(uint64_t seed, int fmt, const char *policy, bool thp, int nops)
{
    struct world Wd = {.s = seed}, *W = &Wd;
    struct kernel_config kc;
    kernel_config_default(&kc);
    /* a third of the seeds without memory pressure, where fork's sharing
     * lasts until the writes (COW copies); the rest evict all the time */
    kc.user_frames = thp ? 1536 : seed % 3 == 0 ? 512 : 24 + seed % 48;
    kc.swap_bytes = 4096ull * 4096;
    kc.policy = policy;
    kc.format = fmt;
    kc.thp = thp;
    kc.elf_machine = 62;   /* the test executable is x86-64's, on every format */
    npages = thp ? 1024 : 96;
    W->t = kt_make_cfg(pt_format(fmt)->arch, 1, &kc);
    W->c = machine_cpu(W->t.m, 0);
    cpu_attach(W->c);
    write_files();
    proc_new(W, 0);
    for (int op = 0; op < nops; op++) {
        int j = (int)(kt_rng(&W->s) % MAXP);
        if (!W->m[j].p) {
            if (kt_rng(&W->s) % 8 == 0)
                proc_new(W, j);
            continue;
        }
        unsigned what = (unsigned)(kt_rng(&W->s) % 100);
        unsigned n = 1 + (unsigned)(kt_rng(&W->s) % (thp ? 600 : 24));
        if (n > NF)
            n = NF;
        unsigned a = (unsigned)(kt_rng(&W->s) % (npages - n + 1));
        if (what < 30) {
            unsigned i = (unsigned)(kt_rng(&W->s) % (npages + HEAPMAX));
            vaddr_t va = i < npages ? ARENA + i * 4096ull : HEAP + (i - npages) * 4096ull;
            access_one(W, j, va, (unsigned)(kt_rng(&W->s) % WORDS), kt_rng(&W->s) % 2);
        } else if (what < 60) {
            /* mostly where something is mapped */
            unsigned i = (unsigned)(kt_rng(&W->s) % npages);
            for (unsigned tries = 0; tries < 8 && W->m[j].pg[i].kind == UNMAPPED; tries++)
                i = (unsigned)(kt_rng(&W->s) % npages);
            access_one(W, j, ARENA + i * 4096ull, (unsigned)(kt_rng(&W->s) % WORDS), what < 45);
        } else if (what < 68) {
            op_mmap(W, j, a, n);
        } else if (what < 72) {
            op_range(W, j, 0, a, n);
        } else if (what < 77) {
            op_range(W, j, 1, a, n);
        } else if (what < 80) {
            op_range(W, j, 2, a, n);
        } else if (what < 84) {
            op_brk(W, j);
        } else if (what < 89) {
            op_fork(W, j);
        } else if (what < 91) {
            proc_free(W, j);
        } else if (what < 94) {
            op_copy(W, j, (unsigned)(kt_rng(&W->s) % (npages - 1)));
        } else if (what < 98) {
            op_file(W);
        } else {
            check_all(W, j);
        }
        /* the faults' refills (tlb_fill.absent after a miss) never hold a
         * page twice */
        int tc = op % 16 == 15 ? tlb_check(&W->c->tlb) : 0;
        if (tc)
            BAD(W, "op %d: the CPU's TLBs hold an entry twice or disagree with their keys (tlb_check %d)",
                op, tc);
    }
    for (int j = 0; j < MAXP; j++)
        if (W->m[j].p) {
            check_all(W, j);
            proc_free(W, j);
        }
    struct kernel_usage u;
    kernel_usage(W->t.k, &u);
    if (u.user_frames_used || u.swap_slots_used || u.rmaps || u.pinned_frames || u.processes ||
        u.kernel_frames_used != 1 || u.pagecache_pages)
        BAD(W, "leak: frames %llu slots %llu rmaps %llu pinned %llu procs %u pt %llu cached %llu",
            (unsigned long long)u.user_frames_used, (unsigned long long)u.swap_slots_used,
            (unsigned long long)u.rmaps, (unsigned long long)u.pinned_frames, u.processes,
            (unsigned long long)u.kernel_frames_used, (unsigned long long)u.pagecache_pages);
    for (unsigned f = 0; f < NF; f++)
        for (unsigned w = 0; w < WORDS; w++) {
            uint64_t v = 0;
            if (pread(sfd, &v, 8, f * 4096 + word_off(w)) != 8 || v != shared_w[f][w])
                BAD(W, "the shared file's page %u word %u: 0x%llx want 0x%llx", f, w, (unsigned long long)v,
                    (unsigned long long)shared_w[f][w]);
        }
    close(sfd);
    close(pfd);
    if (W->errors)
        tap_diag("(seed %llu, %s, %s%s, %llu frames)", (unsigned long long)seed, pt_format(fmt)->name, policy,
                 thp ? ", thp" : "", (unsigned long long)kc.user_frames);
    cpu_detach(W->c);
    kt_free(&W->t);
    return W->errors;
}

int main(void)
{
    strcpy(spath, "/tmp/vmlab-model-s-XXXXXX");
    strcpy(ppath, "/tmp/vmlab-model-p-XXXXXX");
    strcpy(epath, "/tmp/vmlab-model-e-XXXXXX");
    close(mkstemp(spath));
    close(mkstemp(ppath));
    close(mkstemp(epath));
    struct kt_seg seg = {.off = 0, .va = 0x10000, .filesz = 0x1000, .memsz = 0x1000, .flags = 5};
    kt_write_elf(epath, 62, 2, 0x10000, &seg, 1);
    const int fmts[] = {PT_X86_64, PT_SV39, PT_X86_64_5, PT_SV48};
    int seeds = kt_sanitized() ? 14 : 120, nops = kt_sanitized() ? 1200 : 4000, bad = 0;
    for (int sd = 1; sd <= seeds; sd++) {
        const char *pol = kernel_policy_names[sd % 8];
        if (!strcmp(pol, "opt"))
            pol = "clock";   /* OPT needs an oracle of the future */
        bad += run_seed((uint64_t)sd * 0x9e3779b97f4a7c15ull, fmts[sd % 4], pol, sd % 10 == 0, nops) != 0;
    }
    is_i64(bad, 0, "%d seeds x %d random memory calls, forks and accesses match the model", seeds, nops);
    unlink(spath);
    unlink(ppath);
    unlink(epath);
    return tap_done();
}
