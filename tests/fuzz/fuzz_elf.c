/* fuzz_elf.c — libFuzzer harness for elf_parse.
 *
 * Any input must be parsed without a crash or an out-of-bounds access
 * (ASan/UBSan), and every accepted image must satisfy the contract the
 * kernel relies on: page-aligned mappings below user_top and above page 0,
 * file ranges inside the input, read_bytes <= mem_bytes, no two mappings
 * overlapping, the entry point inside an executable mapping, and an error
 * message on every rejection. */
#include "os/elf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(c)                                                              \
    do {                                                                      \
        if (!(c)) {                                                           \
            fprintf(stderr, "fuzz_elf: contract broken: %s (line %d)\n", #c, __LINE__); \
            abort();                                                          \
        }                                                                     \
    } while (0)

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check(const unsigned char *data, size_t size, uint64_t user_top)
{
    static struct elf_image img;
    char err[256];
    int r = elf_parse(data, size, user_top, &img, err, sizeof err);
    CHECK(r == 0 || r == -1);
    if (r != 0) {
        CHECK(err[0] != 0 && strlen(err) < sizeof err);
        return;
    }
    CHECK(img.nsegments >= 1 && img.nsegments <= ELF_MAX_SEGMENTS);
    bool entry_ok = false;
    for (unsigned k = 0; k < img.nsegments; k++) {
        const struct elf_segment *s = &img.seg[k];
        CHECK(s->vaddr % ELF_PAGE_SIZE == 0 && s->mem_bytes % ELF_PAGE_SIZE == 0);
        CHECK(s->file_offset % ELF_PAGE_SIZE == 0);
        CHECK(s->vaddr >= ELF_PAGE_SIZE && s->mem_bytes > 0);
        CHECK(s->mem_bytes <= user_top && s->vaddr <= user_top - s->mem_bytes);
        CHECK(s->read_bytes <= s->mem_bytes);
        CHECK(s->file_offset <= size && s->read_bytes <= size - s->file_offset);
        for (unsigned j = 0; j < k; j++)
            CHECK(s->vaddr >= img.seg[j].vaddr + img.seg[j].mem_bytes ||
                  img.seg[j].vaddr >= s->vaddr + s->mem_bytes);
        if (s->executable && img.entry >= s->vaddr && img.entry - s->vaddr < s->mem_bytes)
            entry_ok = true;
    }
    CHECK(entry_ok);
    CHECK(img.machine == 62 || img.machine == 243);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    /* Copy into an exact-size heap block so ASan sees any overread. */
    unsigned char *copy = malloc(size ? size : 1);
    if (size)
        memcpy(copy, data, size);
    check(copy, size, 0x800000000000ull);    /* x86-64 4-level user space */
    check(copy, size, 0x4000000000ull);      /* RISC-V Sv39 user space */
    check(copy, size, UINT64_MAX);
    free(copy);
    return 0;
}
