/* test_isa_lrsc.c — LR/SC between CPUs in the deterministic model: one
 * thread interleaves two CPUs, each running a hart of one process, in
 * fixed quanta. A store from the other CPU to the reservation set breaks
 * the reservation; constrained LR/SC loops make progress at every quantum,
 * however small. */
#include "lib/rvkit.h"
#include "lib/tap.h"

enum { A0 = 10, A1 = 11, A2 = 12, A3 = 13, T0 = 5, T1 = 6 };

struct two {
    struct rvk k;            /* CPU 0, hart k.h */
    struct cpu *cpu1;
    struct rv_hart h1;
};

static void open2(struct two *t)
{
    rvk_open(&t->k, 2);
    t->cpu1 = machine_cpu(t->k.m, 1);
    cpu_attach(t->cpu1);
    kernel_switch_to(t->cpu1, t->k.p);
    rv_hart_init(&t->h1, t->k.s, RVK_CODE);
}

static void close2(struct two *t)
{
    kernel_switch_to(t->cpu1, NULL);
    cpu_detach(t->cpu1);
    rvk_close(&t->k);
}

/* One instruction of hart h on cpu at pc. */
static void step(struct rv_hart *h, struct cpu *cpu, uint64_t pc)
{
    struct rv_trap t;
    h->pc = pc;
    rv_run(h, cpu, 1, &t);
}

static void breaking(void)
{
    static const struct { const char *what; int32_t off; bool amo; bool breaks; } c[] = {
        {"a store to the reserved word", 0, false, true},
        {"a store to another word of the same 64-byte block", 40, false, true},
        {"an AMO to the reserved word", 0, true, true},
        {"a store to the next block", 64, false, false},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct two t;
        open2(&t);
        /* code: 0: lr.d a0,(a1)  4: sc.d a3,a2,(a1)  8: sd a2,off(a1)  12: amoadd.d a0,a2,(a1) */
        uint32_t code[] = {LR_D(A0, A1), SC_D(A3, A1, A2), SD(A2, A1, c[i].off), AMO(0x00, 3, A0, A1, A2)};
        rvk_poke(&t.k, RVK_CODE, code, sizeof code);
        uint64_t z = 5;
        rvk_poke(&t.k, RVK_DATA, &z, 8);
        t.k.h.x[A1] = t.h1.x[A1] = RVK_DATA;
        t.k.h.x[A2] = 7;
        t.h1.x[A2] = 5;                      /* the other CPU stores the same value: no help from values */
        step(&t.k.h, t.k.cpu, RVK_CODE);     /* CPU 0: lr.d */
        if (c[i].amo) {
            t.h1.x[A2] = 0;                  /* amoadd of 0: the value stays */
            step(&t.h1, t.cpu1, RVK_CODE + 12);
        } else {
            step(&t.h1, t.cpu1, RVK_CODE + 8);
        }
        step(&t.k.h, t.k.cpu, RVK_CODE + 4); /* CPU 0: sc.d */
        ok(t.k.h.x[A3] == (c[i].breaks ? 1u : 0u), "%s by the other CPU %s the reservation (sc.d rd %llu)",
           c[i].what, c[i].breaks ? "breaks" : "keeps", (unsigned long long)t.k.h.x[A3]);
        close2(&t);
    }
    /* the hart's own store does not break its reservation */
    struct two t;
    open2(&t);
    uint32_t own[] = {LR_D(A0, A1), SD(A0, A1, 8), SC_D(A3, A1, A2), EBREAK()};
    t.k.h.x[A1] = RVK_DATA;
    t.k.h.x[A2] = 9;
    ok(rvk_run(&t.k, own, 3) && t.k.h.x[A3] == 0, "the hart's own store to the block keeps its reservation");
    close2(&t);
}

/* Both harts add 1 to a shared counter `iters` times with a constrained
 * LR/SC loop; quanta of q instructions, alternating CPUs. */
static void progress(uint64_t q, unsigned iters)
{
    struct two t;
    open2(&t);
    uint32_t loop[] = {
        ADDI(A0, 0, 0),            /* 0: done = 0 */
        LR_W(T0, A1),              /* 4: retry: */
        ADDI(T0, T0, 1),
        SC_W(T1, A1, T0),
        BNE(T1, 0, -12),           /* 16: to retry */
        ADDI(A0, A0, 1),
        BNE(A0, A2, -20),          /* 24: to 4 */
        EBREAK(),
    };
    rvk_poke(&t.k, RVK_CODE, loop, sizeof loop);
    uint32_t zero = 0;
    rvk_poke(&t.k, RVK_DATA + 0x80, &zero, 4);
    struct rv_hart *h[2] = {&t.k.h, &t.h1};
    struct cpu *cpu[2] = {t.k.cpu, t.cpu1};
    bool done[2] = {false, false};
    for (int i = 0; i < 2; i++) {
        h[i]->pc = RVK_CODE;
        h[i]->x[A1] = RVK_DATA + 0x80;
        h[i]->x[A2] = iters;
    }
    uint64_t rounds = 0;
    while ((!done[0] || !done[1]) && rounds < 10000000) {
        for (int i = 0; i < 2; i++) {
            if (done[i])
                continue;
            struct rv_trap tr;
            if (rv_run(h[i], cpu[i], q, &tr) == RV_STOP_TRAP)
                done[i] = true;
        }
        rounds++;
    }
    uint32_t total = (uint32_t)rvk_peek(&t.k, RVK_DATA + 0x80, 4);
    struct rv_stats st;
    rv_sys_stats(t.k.s, &st);
    ok(done[0] && done[1] && total == 2 * iters,
       "quantum %llu: both CPUs finish, the counter is %u (want %u); %llu SCs failed",
       (unsigned long long)q, total, 2 * iters, (unsigned long long)st.sc_failures);
    close2(&t);
}

int main(void)
{
    breaking();
    static const uint64_t quanta[] = {1, 2, 3, 4, 5, 7, 100, 1000};
    for (size_t i = 0; i < sizeof quanta / sizeof quanta[0]; i++)
        progress(quanta[i], 300);
    return tap_done();
}
