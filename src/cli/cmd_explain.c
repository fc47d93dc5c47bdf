/* cmd_explain.c — `vmlab explain`: how a virtual address splits.
 *
 * For each page size the format supports, shows the table index at every
 * level above the page and the offset within it, and whether the address
 * is canonical (32-bit formats: whether it fits 32 bits): the picture from
 * every OS lecture, made exact. Then the reach of each level of a TLB
 * (entries x page size) for the format's page sizes.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmlab/pt.h>
#include <vmlab/tlb.h>

#include "cli/cli.h"
#include "replay/replay.h"

static const char *const level_names_x86[] = {"PT", "PD", "PDPT", "PML4", "PML5"};
static const char *const level_names_rv[] = {"VPN[0]", "VPN[1]", "VPN[2]", "VPN[3]", "VPN[4]"};

static void explain_usage(FILE *out)
{
    fprintf(out,
            "usage: vmlab explain [--format F] [--tlb PRESET] VA...\n"
            "       vmlab explain --counters\n"
            "\n"
            "Show how each virtual address VA (hex with 0x, or decimal) splits into\n"
            "page-table indices and a page offset, for every page size the format\n"
            "supports, and whether it is canonical; then the reach of each TLB level\n"
            "(entries x page size).\n"
            "\n"
            "  -f, --format F   page-table format: x86-64 (default), x86-64-5, sv39, sv48,\n"
            "                   sv57, ia32 (32-bit paging), sv32\n"
            "      --tlb P      TLB preset for the reach: golden-cove (x86 default), zen4\n"
            "                   (RISC-V default), haswell, r3000, tiny, none\n"
            "      --counters   instead: what each counter of the replay report means\n"
            "  -h, --help       this text\n\n%s", cli_exit_status_help);
}

static void explain_one(const struct pt_format *f, uint64_t va)
{
    const char *const *names = f->arch == PT_ARCH_X86 ? level_names_x86 : level_names_rv;
    bool canon = pt_canonical(f, va);
    printf("%s 0x%0*" PRIx64 "\n", f->name, f->halves ? 16 : 8, va);
    if (f->halves) {
        printf("  canonical: %s", canon ? "yes" : "no");
        if (!canon)
            printf(" (bits 63..%u must all equal bit %u; an access %s)", f->va_bits, f->va_bits - 1,
                   f->arch == PT_ARCH_X86 ? "raises #GP(0), not #PF" : "raises a page fault");
    } else {
        printf("  fits 32 bits: %s", canon ? "yes" : "no");
        if (!canon)
            printf(" (bits 63..32 must be 0: a 32-bit CPU cannot form it; vmlab raises %s)",
                   f->arch == PT_ARCH_X86 ? "#GP(0)" : "a page fault");
    }
    printf("\n");
    for (int leaf = 0; leaf <= (int)f->max_leaf_level; leaf++) {
        unsigned shift = pt_fmt_shift(f, (unsigned)leaf);
        printf("  %-8s page:", tlb_page_size_name(shift));
        for (int l = (int)f->levels - 1; l >= leaf; l--) {
            unsigned lo = pt_fmt_shift(f, (unsigned)l), hi = lo + f->index_bits - 1;
            printf("  %s[%u] (bits %u:%u)", names[l], pt_fmt_index(f, va, (unsigned)l), hi, lo);
        }
        printf("  offset 0x%" PRIx64 " (bits %u:0)%s\n", (uint64_t)(va & ((UINT64_C(1) << shift) - 1)),
               shift - 1, f->id == PT_IA32 && leaf > 0 ? "  (with CR4.PSE)" : "");
    }
    printf("  page number (4 KiB): 0x%" PRIx64 "\n", (uint64_t)((va & ((UINT64_C(1) << f->va_bits) - 1)) >> 12));
}

/* entries x page size of each TLB level, for the format's page sizes */
static void explain_reach(const struct pt_format *f, const struct tlb_config *t)
{
    static const char *const name[] = {"L1 ITLB", "L1 DTLB", "L2 TLB"};
    const struct tlb_level *lv[] = {&t->l1i, &t->l1d, &t->l2};
    printf("\nTLB reach (%s; entries x page size):\n", t->name);
    for (unsigned i = 0; i < 3; i++) {
        char buf[512];
        tlb_reach_describe(lv[i], f, buf, sizeof buf);
        printf("  %-8s %s\n", name[i], buf);
    }
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
        {"tlb", required_argument, NULL, 'T'},
        {"counters", no_argument, NULL, OPT_COUNTERS},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool counters = false;
    const struct pt_format *f = pt_format(PT_X86_64);
    const struct tlb_config *tlb = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (!(f = pt_format_by_name(optarg))) {
                fprintf(stderr, "vmlab explain: unknown format '%s' (x86-64, x86-64-5, sv39, sv48, sv57, "
                                "ia32, sv32)\n", optarg);
                return 2;
            }
            break;
        case 'T':
            if (!(tlb = tlb_preset(optarg))) {
                fprintf(stderr, "vmlab explain: unknown TLB preset '%s' (golden-cove, zen4, haswell, "
                                "tiny, none)\n", optarg);
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
    explain_reach(f, tlb ? tlb : tlb_preset(f->arch == PT_ARCH_X86 ? "golden-cove" : "zen4"));
    return 0;
}
