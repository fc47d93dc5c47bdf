/* linux_stack.c — the initial stack of a new image, as Linux's
 * create_elf_tables (fs/binfmt_elf.c) lays it out for a static program:
 *
 *   stack top (0x4000000000)  8 zero bytes
 *                             the exec'd path (AT_EXECFN)
 *                             the environment strings, then below them the
 *                             argument strings (argv[0] lowest)
 *                             16 random bytes (AT_RANDOM)
 *   ... padding so that sp is 16-byte aligned ...
 *   auxv pairs, AT_NULL
 *   envp[0..envc-1], NULL
 *   argv[0..argc-1], NULL
 *   sp ->                     argc
 *
 * The auxiliary vector: AT_HWCAP (IMAFDC), AT_PAGESZ, AT_CLKTCK, AT_PHDR,
 * AT_PHENT, AT_PHNUM, AT_BASE (0: there is no interpreter, even for a
 * static PIE), AT_FLAGS, AT_ENTRY, AT_UID/EUID/GID/EGID (the host user's,
 * as qemu-user gives them), AT_SECURE 0, AT_RANDOM, AT_EXECFN. No
 * AT_SYSINFO_EHDR: without a vDSO glibc makes real clock_gettime calls,
 * which the virtual clock serves. The registers: pc = the entry point, sp,
 * and every other register 0 (a0 = 0: no function for atexit).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/linux.h"

enum {
    AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
    AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14,
    AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31,
};

/* RISC-V's AT_HWCAP: one bit per single-letter extension ('a' = bit 0). */
#define HWCAP_RV64GC ((1u << ('i' - 'a')) | (1u << ('m' - 'a')) | (1u << ('a' - 'a')) | \
                      (1u << ('f' - 'a')) | (1u << ('d' - 'a')) | (1u << ('c' - 'a')))

/* Linux refuses arguments and environment beyond a quarter of the stack
 * limit (8 MiB), and single strings beyond 32 pages. */
#define ARG_BYTES_MAX (2u << 20)
#define ARG_STRLEN_MAX (32u * 4096)

int lx_build_stack(struct task *t, const struct kernel_image *img, int argc, char *const argv[],
                   int envc, char *const envp[], const char *execfn)
{
    vaddr_t top = img->stack_top;
    /* the strings, from the top down */
    size_t strbytes = strlen(execfn) + 1;
    for (int i = 0; i < argc; i++) {
        size_t l = strlen(argv[i]) + 1;
        if (l > ARG_STRLEN_MAX)
            return -E2BIG;
        strbytes += l;
    }
    for (int i = 0; i < envc; i++) {
        size_t l = strlen(envp[i]) + 1;
        if (l > ARG_STRLEN_MAX)
            return -E2BIG;
        strbytes += l;
    }
    size_t nptr = (size_t)argc + (size_t)envc + 3;
    if (strbytes + nptr * 8 > ARG_BYTES_MAX)
        return -E2BIG;
    vaddr_t strings = top - 8 - strbytes;
    vaddr_t random = strings - 16;
    uint64_t aux[][2] = {
        {AT_HWCAP, HWCAP_RV64GC}, {AT_PAGESZ, VM_PAGE_SIZE}, {AT_CLKTCK, 100},
        {AT_PHDR, img->phdr}, {AT_PHENT, img->phent}, {AT_PHNUM, img->phnum},
        {AT_BASE, 0}, {AT_FLAGS, 0}, {AT_ENTRY, img->entry},
        {AT_UID, getuid()}, {AT_EUID, geteuid()}, {AT_GID, getgid()}, {AT_EGID, getegid()},
        {AT_SECURE, 0}, {AT_RANDOM, random}, {AT_EXECFN, top - 8 - (strlen(execfn) + 1)},
        {AT_NULL, 0},
    };
    size_t table = (1 + (size_t)argc + 1 + (size_t)envc + 1) * 8 + sizeof aux;
    vaddr_t sp = (random - table) & ~(vaddr_t)15;
    size_t len = top - sp;
    uint8_t *block = calloc(1, len);
    if (!block)
        return -ENOMEM;
#define AT(va) (block + ((va) - sp))
    uint64_t *w = (uint64_t *)block;
    *w++ = (uint64_t)argc;
    vaddr_t s = strings;
    for (int i = 0; i < argc; i++) {
        size_t l = strlen(argv[i]) + 1;
        memcpy(AT(s), argv[i], l);
        *w++ = s;
        s += l;
    }
    *w++ = 0;
    for (int i = 0; i < envc; i++) {
        size_t l = strlen(envp[i]) + 1;
        memcpy(AT(s), envp[i], l);
        *w++ = s;
        s += l;
    }
    *w++ = 0;
    memcpy(w, aux, sizeof aux);
    memcpy(AT(s), execfn, strlen(execfn) + 1);
    sys_random(t->s, AT(random), 16);
#undef AT
    int rc = sys_copy_out(t, sp, block, len);
    free(block);
    if (rc < 0)
        return rc;
    uint64_t instret = t->h.instret;   /* the process's count goes on across exec */
    rv_hart_init(&t->h, t->s->rv, img->entry);
    t->h.instret = instret;
    t->h.x[2] = sp;
    return 0;
}
