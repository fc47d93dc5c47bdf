/* stack.c — stack growth: a fault at or above sp - 32 (RISC-V's slack: a
 * compiler moves sp first, then stores above it) within 1 MiB below
 * USER_STACK grows the stack; anything further below sp, or beyond the
 * 1 MiB, kills. System calls' buffers on the stack grow it by the sp saved
 * at the call. */
#include "common.h"

static inline uintptr_t get_sp(void)
{
    uintptr_t sp;
    __asm__ volatile("mv %0, sp" : "=r"(sp));
    return sp;
}

/* With sp = newsp for the moment: store a byte at newsp - below, and
 * return it read back. */
uint8_t store_below(uintptr_t newsp, uintptr_t below, uint8_t value);
__asm__(".globl store_below\n"
        "store_below:\n"
        "    mv t0, sp\n"
        "    mv sp, a0\n"
        "    sub t1, sp, a1\n"
        "    sb a2, 0(t1)\n"
        "    lbu a0, 0(t1)\n"
        "    mv sp, t0\n"
        "    ret\n");

/* Far below anything this program touched: the stack's top page is where
 * its frames are. */
static uintptr_t fresh_sp(void)
{
    return (get_sp() & ~(PGSIZE - 1)) - 32 * PGSIZE;
}

static NO_INLINE int deep(int n)
{
    volatile char frame[4000];
    frame[0] = (char)n;
    frame[3999] = (char)n;
    int r = n > 0 ? deep(n - 1) : 0;
    return r + (frame[0] == (char)n) + (frame[3999] == (char)n);
}

static NO_INLINE unsigned big_array(void)
{
    volatile uint32_t a[32768];   /* 128 KiB */
    for (unsigned i = 0; i < 32768; i++)
        a[i] = i * 2654435761u;
    unsigned sum = 0;
    for (unsigned i = 0; i < 32768; i++)
        sum += a[i] == i * 2654435761u;
    return sum;
}

static NO_INLINE int read_to_stack(void)
{
    char buf[20000];   /* its pages are not touched before the read */
    int fd = open_or_fail("sample.txt");
    int n = read(fd, buf + 100, sample_size);
    return n == (int)sample_size && !memcmp(buf + 100, sample_text, sample_size);
}

int main(int argc, char *argv[])
{
    test_name = "stack";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "array")) {
        CHECK(big_array() == 32768, "a 128 KiB array on the stack, written and read back");
    } else if (!strcmp(m, "deep")) {
        CHECK(deep(150) == 302, "150 nested calls with 4000-byte frames (600 KiB)");
    } else if (!strcmp(m, "slack")) {
        uintptr_t sp = fresh_sp();
        CHECK(store_below(sp, 32, 0x5a) == 0x5a, "a store at sp - 32 grows the stack");
        CHECK(store_below(sp - PGSIZE, 1, 0xa5) == 0xa5, "a store at sp - 1 grows it");
        CHECK(store_below(sp - 3 * PGSIZE, 0, 0x3c) == 0x3c, "a store at sp grows it");
    } else if (!strcmp(m, "slack33")) {
        msg("a store at sp - 33");
        store_below(fresh_sp(), 33, 1);
        fail("should have been killed");
    } else if (!strcmp(m, "far")) {
        msg("a store at sp - 4096");
        store_below(fresh_sp(), PGSIZE, 1);
        fail("should have been killed");
    } else if (!strcmp(m, "max")) {
        uintptr_t bottom = USER_STACK - STACK_MAX;
        CHECK(store_below(bottom + 32, 32, 7) == 7, "a store at USER_STACK - 1 MiB grows the stack");
    } else if (!strcmp(m, "over")) {
        uintptr_t bottom = USER_STACK - STACK_MAX;
        msg("a store at USER_STACK - 1 MiB - 1, sp 31 bytes above it");
        store_below(bottom + 31, 32, 7);
        fail("should have been killed");
    } else if (!strcmp(m, "syscall")) {
        CHECK(read_to_stack(), "read() into a stack buffer whose pages were never touched");
    } else if (!strcmp(m, "syscall-below")) {
        int fd = open_or_fail("sample.txt");
        msg("read() into sp - 8192");
        read(fd, opaque(get_sp() - 2 * PGSIZE), 10);
        fail("should have been killed");
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
