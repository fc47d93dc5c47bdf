/* cmd_explain.c — `vmlab explain`: how a virtual address splits.
 *
 * For each page size the format supports, shows the table index at every
 * level above the page and the offset within it, and whether the address
 * is canonical: the picture from every OS lecture, made exact.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmlab/pt.h>

#include "cli/cli.h"
#include "replay/replay.h"

static const char *const level_names_x86[] = {"PT", "PD", "PDPT", "PML4", "PML5"};
static const char *const level_names_rv[] = {"VPN[0]", "VPN[1]", "VPN[2]", "VPN[3]", "VPN[4]"};

static void explain_usage(FILE *out)
{
    fprintf(out,
            "usage: vmlab explain [--format x86-64|x86-64-5|sv39|sv48|sv57] VA...\n"
            "       vmlab explain --counters\n"
            "\n"
            "Show how each virtual address VA (hex with 0x, or decimal) splits into\n"
            "page-table indices and a page offset, for every page size the format\n"
            "supports, and whether it is canonical.\n"
            "\n"
            "  -f, --format F   page-table format (default x86-64)\n"
            "      --counters   instead: what each counter of the replay report means\n"
            "  -h, --help       this text\n\n%s", cli_exit_status_help);
}

static const char *size_name(unsigned level)
{
    static const char *const n[] = {"4 KiB", "2 MiB", "1 GiB", "512 GiB", "256 TiB"};
    return n[level];
}

static void explain_one(const struct pt_format *f, uint64_t va)
{
    const char *const *names = f->arch == PT_ARCH_X86 ? level_names_x86 : level_names_rv;
    bool canon = pt_canonical(f, va);
    printf("%s 0x%016" PRIx64 "\n", f->name, va);
    printf("  canonical: %s", canon ? "yes" : "no");
    if (!canon)
        printf(" (bits 63..%u must all equal bit %u; an access %s)", f->va_bits, f->va_bits - 1,
               f->arch == PT_ARCH_X86 ? "raises #GP(0), not #PF" : "raises a page fault");
    printf("\n");
    for (int leaf = 0; leaf <= (int)f->max_leaf_level; leaf++) {
        printf("  %-8s page:", size_name((unsigned)leaf));
        for (int l = (int)f->levels - 1; l >= leaf; l--) {
            unsigned lo = pt_level_shift((unsigned)l), hi = lo + 8;
            printf("  %s[%u] (bits %u:%u)", names[l], pt_index(va, (unsigned)l), hi, lo);
        }
        unsigned shift = pt_level_shift((unsigned)leaf);
        printf("  offset 0x%" PRIx64 " (bits %u:0)\n", (uint64_t)(va & ((UINT64_C(1) << shift) - 1)), shift - 1);
    }
    printf("  page number (4 KiB): 0x%" PRIx64 "\n", (uint64_t)((va & ((UINT64_C(1) << f->va_bits) - 1)) >> 12));
}

static int parse_va(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

/* --counters: one line per counter of the replay report, name and meaning,
 * in report order, straight from the counter tables (the machine's in
 * vmlab/stats.h, the kernel's in vmlab/kernel.h, the replay's own), so a
 * counter added to a table appears here by itself. docs/counters.md is
 * the longer legend; a test checks that the two name the same counters. */
static int explain_counters(void)
{
    struct replay_result zero;
    memset(&zero, 0, sizeof zero);
    struct replay_stat st[REPLAY_MAX_STATS];
    size_t n = replay_stats(&zero, st, REPLAY_MAX_STATS);
    for (size_t i = 0; i < n; i++)
        printf("%-30s %s\n", st[i].name, st[i].desc);
    return VMLAB_EXIT_OK;
}

int cmd_explain(int argc, char **argv)
{
    enum { OPT_COUNTERS = 1000 };
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"counters", no_argument, NULL, OPT_COUNTERS},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool counters = false;
    const struct pt_format *f = pt_format(PT_X86_64);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!(f = pt_format_by_name(optarg))) {
                fprintf(stderr, "vmlab explain: unknown format '%s' (x86-64, x86-64-5, sv39, sv48, sv57)\n",
                        optarg);
                return 2;
            }
            break;
        case OPT_COUNTERS:
            counters = true;
            break;
        case 'h':
            explain_usage(stdout);
            return 0;
        default:
            explain_usage(stderr);
            return 2;
        }
    }
    if (counters) {
        if (optind < argc) {
            fprintf(stderr, "vmlab explain: --counters takes no address\n");
            return VMLAB_EXIT_USAGE;
        }
        return explain_counters();
    }
    if (optind >= argc) {
        explain_usage(stderr);
        return 2;
    }
    for (int i = optind; i < argc; i++) {
        uint64_t va;
        if (parse_va(argv[i], &va)) {
            fprintf(stderr, "vmlab explain: '%s' is not an address (use hex with 0x, or decimal)\n",
                    argv[i]);
            return 2;
        }
        if (i > optind)
            printf("\n");
        explain_one(f, va);
    }
    return 0;
}
