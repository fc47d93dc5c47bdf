/* test_swap_threads.c — many threads allocating, writing, reading and
 * freeing their own swap slots on one device at once. Every page carries
 * (thread, round, slot) so a slot handed to two owners, or data landing in
 * the wrong slot, shows up as a mismatch; an owner table checked with
 * compare-and-swap catches double allocation directly. */
#include "os/swap.h"
#include "lib/tap.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define PG SWAP_SLOT_SIZE
#define NTHREADS 4
#define HOLD 24            /* slots each thread holds at a time */

static struct swap_dev *sw;
static uint64_t nslots;
static _Atomic int *owner;  /* 0 free, else thread id + 1 */
static int rounds;

struct worker {
    int id;
    uint64_t failures, full, ops, injected_seen;
};

static _Atomic bool stop_chaos;

/* Read a held slot; an injected -EIO (from the chaos thread) is retried. */
static int read_retrying(struct worker *w, uint64_t slot, unsigned char *buf)
{
    int r;
    while ((r = swap_read(sw, slot, buf)) == -EIO)
        w->injected_seen++;
    return r;
}

/* Keeps arming one-shot any-slot read errors while the workers run. */
static void *chaos(void *arg)
{
    unsigned *armed = arg;
    while (!atomic_load(&stop_chaos)) {
        swap_inject_error(sw, false, UINT64_MAX, 1, EIO);
        (*armed)++;
        for (volatile int spin = 0; spin < 20000; spin++)
            ;
    }
    swap_inject_error(sw, false, UINT64_MAX, 0, EIO);
    return NULL;
}

static void stamp(unsigned char *p, int id, uint64_t round, uint64_t slot)
{
    uint64_t x = ((uint64_t)id << 56) ^ (round << 20) ^ slot ^ 0x5bd1e995ull;
    for (size_t i = 0; i < PG; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        memcpy(p + i, &x, 8);
    }
}

static void *work(void *arg)
{
    struct worker *w = arg;
    unsigned char page[PG], back[PG];
    int64_t held[HOLD];
    uint64_t held_round[HOLD];
    int nheld = 0;
    uint64_t seed = (uint64_t)w->id * 7919 + 1;

    for (int r = 0; r < rounds; r++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        if (nheld < HOLD && (seed >> 33) % 3 != 0) {
            int64_t s = swap_alloc(sw);
            if (s < 0) {
                w->full++;
                continue;
            }
            int expect = 0;
            if (!atomic_compare_exchange_strong(&owner[s], &expect, w->id + 1))
                w->failures++;   /* slot already owned by someone: double allocation */
            stamp(page, w->id, (uint64_t)r, (uint64_t)s);
            if (swap_write(sw, (uint64_t)s, page) != 0)
                w->failures++;
            held[nheld] = s;
            held_round[nheld] = (uint64_t)r;
            nheld++;
        } else if (nheld > 0) {
            int i = (int)((seed >> 40) % (uint64_t)nheld);
            int64_t s = held[i];
            stamp(page, w->id, held_round[i], (uint64_t)s);
            if (read_retrying(w, (uint64_t)s, back) != 0 || memcmp(page, back, PG) != 0)
                w->failures++;
            if ((seed >> 20) & 1) {     /* swap-in frees the slot, as PintOS does */
                atomic_store(&owner[s], 0);
                swap_free(sw, (uint64_t)s);
                held[i] = held[--nheld];
                held_round[i] = held_round[nheld];
            }
        }
        w->ops++;
    }
    for (int i = 0; i < nheld; i++) {
        stamp(page, w->id, held_round[i], (uint64_t)held[i]);
        if (read_retrying(w, (uint64_t)held[i], back) != 0 || memcmp(page, back, PG) != 0)
            w->failures++;
        atomic_store(&owner[held[i]], 0);
        swap_free(sw, (uint64_t)held[i]);
    }
    return NULL;
}

int main(void)
{
    const char *san = getenv("VMLAB_SAN");
    rounds = (san && *san) ? 4000 : 40000;
    /* Fewer slots than the threads could hold: the device runs full. */
    nslots = NTHREADS * HOLD - 10;
    char err[256] = "";
    sw = swap_open(NULL, nslots * PG, err, sizeof err);
    ok(sw != NULL, "open swap: %s", err);
    if (!sw)
        return tap_done();
    owner = calloc(nslots, sizeof *owner);

    pthread_t t[NTHREADS];
    struct worker w[NTHREADS] = { 0 };
    pthread_t tc;
    unsigned armed = 1;
    swap_inject_error(sw, false, UINT64_MAX, 1, EIO);   /* at least one fires, however threads are scheduled */
    pthread_create(&tc, NULL, chaos, &armed);
    for (int i = 0; i < NTHREADS; i++) {
        w[i].id = i;
        pthread_create(&t[i], NULL, work, &w[i]);
    }
    uint64_t failures = 0, full = 0, ops = 0, injected = 0;
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(t[i], NULL);
        failures += w[i].failures;
        full += w[i].full;
        ops += w[i].ops;
        injected += w[i].injected_seen;
    }
    atomic_store(&stop_chaos, true);
    pthread_join(tc, NULL);
    is_u64(failures, 0, "%d threads, %llu operations: no double allocation, no wrong data",
           NTHREADS, (unsigned long long)ops);
    ok(full > 0, "the device ran full %llu times and alloc said so", (unsigned long long)full);
    is_u64(swap_slots_used(sw), 0, "every slot freed at the end");
    struct swap_stats st;
    swap_get_stats(sw, &st);
    ok(injected > 0 && injected <= armed, "%llu injected read errors hit the workers (%u armed)",
       (unsigned long long)injected, armed);
    is_u64(st.read_errors, injected, "read_errors counts exactly the injected failures");
    ok(st.writes > 0 && st.reads >= st.writes && st.write_errors == 0 &&
       st.checksum_errors == 0, "stats: %llu writes, %llu reads, no other errors",
       (unsigned long long)st.writes, (unsigned long long)st.reads);

    /* Lowest-free-first still holds after the storm. */
    bool inorder = true;
    for (uint64_t i = 0; i < nslots; i++)
        if (swap_alloc(sw) != (int64_t)i)
            inorder = false;
    ok(inorder && swap_alloc(sw) == -1, "afterwards the bitmap hands out 0..n-1 then -1");
    free(owner);
    swap_close(sw);
    return tap_done();
}
