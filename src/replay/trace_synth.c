/* trace_synth.c — a synthetic access stream shaped like a program's, for
 * benchmarks and tests that need big traces without a big file.
 *
 * Each step is one instruction: a fetch of 1-15 bytes running through a
 * 1 MiB code region (a branch every ~8 instructions), and, four times in
 * ten, a data access after it: stack traffic within 256 bytes of a
 * drifting stack pointer, a hot 256 KiB heap working set, or a cold
 * 256 MiB heap tail. Reads outnumber writes two to one. A 64-bit
 * xorshift generator makes the stream a pure function of the seed.
 */
#include <stdio.h>

#include <vmlab/trace.h>

#define CODE_BASE  0x400000ull
#define CODE_SIZE  (1ull << 20)
#define STACK_TOP  0x7ffffffff000ull
#define HEAP_BASE  0x10000000ull
#define HOT_SIZE   (256ull << 10)
#define COLD_SIZE  (256ull << 20)

static uint64_t rnd(struct trace_synth *s)
{
    uint64_t x = s->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return s->rng = x;
}

void trace_synth_init(struct trace_synth *s, uint64_t seed)
{
    s->rng = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
    if (!s->rng)
        s->rng = 1;
    s->pc = CODE_BASE;
    s->sp = STACK_TOP - 4096;
    s->heap = HEAP_BASE;
    s->phase = 0;
    s->has_pending = false;
}

static void data_access(struct trace_synth *s, struct trace_record *rec)
{
    static const uint32_t sizes[] = {1, 2, 4, 8, 8, 8, 4, 16};
    uint64_t r = rnd(s);
    uint32_t size = sizes[r & 7];
    rec->kind = (r >> 3) % 3 == 2 ? VM_ACCESS_WRITE : VM_ACCESS_READ;
    r >>= 8;
    unsigned where = r % 10;
    r >>= 4;
    if (where < 5) {
        if ((r & 63) == 0)   /* calls and returns move the stack pointer */
            s->sp += (r & 64) ? 64 : -64ull;
        if (s->sp > STACK_TOP - 64 || s->sp < STACK_TOP - (1u << 20))
            s->sp = STACK_TOP - 4096;
        rec->va = (s->sp + (r >> 7) % 512 - 256) & ~(uint64_t)(size - 1);
    } else if (where < 9) {
        rec->va = (s->heap + (r >> 7) % HOT_SIZE) & ~(uint64_t)(size - 1);
    } else {
        rec->va = (s->heap + (r >> 7) % COLD_SIZE) & ~(uint64_t)(size - 1);
    }
    rec->size = size;
}

void trace_synth_next(struct trace_synth *s, struct trace_record *rec)
{
    if (s->has_pending) {
        s->has_pending = false;
        *rec = s->pending;
        return;
    }
    uint64_t r = rnd(s);
    uint32_t len = 1 + (uint32_t)(r % 15 < 10 ? r % 7 : r % 15);
    r >>= 8;
    if (r % 8 == 0)
        s->pc = CODE_BASE + (r >> 3) % CODE_SIZE;
    rec->va = s->pc;
    rec->size = len;
    rec->kind = VM_ACCESS_FETCH;
    s->pc += len;
    if (s->pc >= CODE_BASE + CODE_SIZE)
        s->pc = CODE_BASE;
    if ((r >> 24) % 10 < 4) {
        data_access(s, &s->pending);
        s->has_pending = true;
    }
    s->phase++;
}

int trace_synth_write_vmt(const char *path, uint64_t n, uint64_t seed, char *err, size_t errlen)
{
    struct trace_writer *w = trace_writer_open(path, err, errlen);
    if (!w)
        return -1;
    struct trace_synth s;
    trace_synth_init(&s, seed);
    struct trace_record rec;
    for (uint64_t i = 0; i < n; i++) {
        trace_synth_next(&s, &rec);
        if (trace_write(w, &rec) < 0)
            break;
    }
    return trace_writer_close(w, err, errlen);
}
