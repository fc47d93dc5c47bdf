/* lazy.c — lazy loading seen through get_phys_addr: every page of code,
 * constants, data, bss and mappings has no frame until it is touched, and
 * touching one brings in that one only. */
#include "common.h"

#define N 16
static char bss[N * PGSIZE] __attribute__((aligned(4096)));
static char data[N * PGSIZE] __attribute__((aligned(4096))) = {[0] = 1, [8 * PGSIZE] = 2};
static const char ro[N * PGSIZE] __attribute__((aligned(4096))) = {[0] = 3, [8 * PGSIZE] = 4};

/* A function alone on its page. */
int far_function(void);
__asm__(".section .text.lazy,\"ax\",@progbits\n"
        ".balign 4096\n"
        ".globl far_function\n"
        "far_function:\n"
        "    li a0, 42\n"
        "    ret\n"
        ".balign 4096\n"
        ".previous\n");

/* Which of the N pages at base are present: a string of N '0'/'1'. */
static const char *present(const void *base)
{
    static char s[N + 1];
    for (int i = 0; i < N; i++) {
        uint64_t pa = get_phys_addr((const char *)base + i * PGSIZE);
        if (pa & (PGSIZE - 1))
            fail("get_phys_addr of page %d: %#lx is not page-aligned", i, (unsigned long)pa);
        s[i] = pa ? '1' : '0';
    }
    s[N] = 0;
    return s;
}

int main(int argc, char *argv[])
{
    test_name = "lazy";
    msg("begin");
    const char *m = argc > 1 ? argv[1] : "";
    if (!strcmp(m, "bss")) {
        msg("bss:  %s", present(bss));
        bss[5 * PGSIZE + 17] = 1;
        msg("written page 5: %s", present(bss));
        volatile char c = bss[10 * PGSIZE];
        (void)c;
        msg("read page 10:   %s", present(bss));
    } else if (!strcmp(m, "data")) {
        /* through pointers the compiler cannot see through: it would fold the constants */
        volatile const char *d = opaque((uintptr_t)data), *r = opaque((uintptr_t)ro);
        msg("data: %s", present(data));
        CHECK(d[8 * PGSIZE] == 2, "page 8 holds its initial value");
        msg("data: %s", present(data));
        msg("rodata: %s", present(ro));
        CHECK(r[8 * PGSIZE] == 4 && r[0] == 3, "pages 0 and 8 of the constants hold theirs");
        msg("rodata: %s", present(ro));
    } else if (!strcmp(m, "code")) {
        CHECK(get_phys_addr((void *)main) != 0, "main's page is present");
        CHECK(get_phys_addr((void *)far_function) == 0, "a function never called is not");
        CHECK(far_function() == 42, "call it");
        CHECK(get_phys_addr((void *)far_function) != 0, "now it is");
    } else if (!strcmp(m, "stack")) {
        volatile int local = 1;
        CHECK(get_phys_addr((void *)&local) != 0, "the stack's page in use is present");
        CHECK(get_phys_addr((void *)(USER_STACK - 64 * PGSIZE)) == 0, "64 pages below the top: not");
        CHECK(get_phys_addr((void *)USER_STACK) == 0, "USER_STACK itself: nothing there");
        CHECK(get_phys_addr((void *)KERN_BASE) == 0 && get_phys_addr(NULL) == 0,
              "KERN_BASE and 0: nothing there");
    } else if (!strcmp(m, "distinct")) {
        uint64_t pa[8];
        for (int i = 0; i < 8; i++) {
            bss[i * 2 * PGSIZE] = (char)i;
            pa[i] = get_phys_addr(bss + i * 2 * PGSIZE);
        }
        bool distinct = true;
        for (int i = 0; i < 8; i++)
            for (int j = 0; j < i; j++)
                distinct &= pa[i] != pa[j] && pa[i] != 0;
        CHECK(distinct, "8 pages written: 8 distinct frames");
        msg("bss:  %s", present(bss));
    } else if (!strcmp(m, "mmap")) {
        CHECK(create("pages", N * PGSIZE), "create pages, %d pages", N);
        int fd = open_or_fail("pages");
        char *p = mmap(opaque(0x10000000), N * PGSIZE, 1, fd, 0);
        CHECK(p != MAP_FAILED, "mmap it");
        msg("mapping: %s", present(p));
        p[3 * PGSIZE] = 'x';
        volatile char c = p[12 * PGSIZE];
        (void)c;
        msg("written page 3, read page 12: %s", present(p));
        munmap(p);
        msg("unmapped: %s", present(p));
    } else if (!strcmp(m, "evict")) {
        /* with 64 frames, touching 200 other pages takes this one's frame */
        static char many[200 * PGSIZE] __attribute__((aligned(4096)));
        many[0] = 'a';
        CHECK(get_phys_addr(many) != 0, "a page written: present");
        for (int i = 1; i < 200; i++)
            many[i * PGSIZE] = 'b';
        CHECK(get_phys_addr(many) == 0, "after 199 more pages it was evicted: not present");
        CHECK(many[0] == 'a', "reading it brings its contents back from swap");
        CHECK(get_phys_addr(many) != 0, "present again");
    } else {
        fail("unknown mode '%s'", m);
    }
    msg("end");
    return 0;
}
