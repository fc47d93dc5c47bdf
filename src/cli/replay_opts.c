/* replay_opts.c — parsing the options replay and sweep share. */
#include "cli/replay_opts.h"
#include "replay/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    OPT_REFS = 1000, OPT_PT, OPT_TLB, OPT_TLB_GEOMETRY, OPT_THP, OPT_SWAP_FILE, OPT_SEED,
    OPT_COST, OPT_LIMIT, OPT_SKIP_BAD, OPT_JSON, OPT_CSV, OPT_NO_PROGRESS, OPT_QUIET,
    OPT_SWAP_FILE_OVERWRITE, OPT_OPT_TIES, OPT_TLB_REFILL, OPT_SW_PT, OPT_SW_PT_ENTRIES,
};

const struct option replay_long_options[] = {
    {"format", required_argument, NULL, 'f'},
    {"refs", required_argument, NULL, OPT_REFS},
    {"frames", required_argument, NULL, 'n'},
    {"mem", required_argument, NULL, 'm'},
    {"policy", required_argument, NULL, 'p'},
    {"pt", required_argument, NULL, OPT_PT},
    {"tlb", required_argument, NULL, OPT_TLB},
    {"tlb-geometry", required_argument, NULL, OPT_TLB_GEOMETRY},
    {"tlb-refill", required_argument, NULL, OPT_TLB_REFILL},
    {"sw-pt", required_argument, NULL, OPT_SW_PT},
    {"sw-pt-entries", required_argument, NULL, OPT_SW_PT_ENTRIES},
    {"thp", required_argument, NULL, OPT_THP},
    {"swap", required_argument, NULL, 's'},
    {"swap-file", required_argument, NULL, OPT_SWAP_FILE},
    {"swap-file-overwrite", no_argument, NULL, OPT_SWAP_FILE_OVERWRITE},
    {"opt-ties", required_argument, NULL, OPT_OPT_TIES},
    {"seed", required_argument, NULL, OPT_SEED},
    {"cost", required_argument, NULL, OPT_COST},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"skip-bad", no_argument, NULL, OPT_SKIP_BAD},
    {"json", no_argument, NULL, OPT_JSON},
    {"csv", no_argument, NULL, OPT_CSV},
    {"output", required_argument, NULL, 'o'},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"quiet", no_argument, NULL, OPT_QUIET},
    {"help", no_argument, NULL, 'h'},
    {0},
};

const char replay_options_help[] =
    "input:\n"
    "  -f, --format F        auto (default), rw, lackey, refs, vmt; gzip/xz/zstd input is\n"
    "                        decompressed transparently\n"
    "      --refs LIST       a reference string of page numbers, e.g. 7,0,1,2,0,3 (3w = a write)\n"
    "      --skip-bad        count and skip malformed lines instead of stopping\n"
    "      --limit N         replay only the first N accesses\n"
    "system:\n"
    "  -n, --frames N        user pool in 4 KiB frames: the memory-pressure knob (default 1024)\n"
    "  -m, --mem SIZE        the same as a size: 4M, 512K, 1G\n"
    "  -p, --policy P        clock (default), clock-noflush, fifo, lru, opt, random, aging,\n"
    "                        linux (active/inactive lists)\n"
    "      --opt-ties R      opt among pages never used again: lowest-frame (default, as\n"
    "                        course simulators) or clean-first (fewer pages written out)\n"
    "      --pt F            page tables: x86-64 (default), x86-64-5, sv39, sv48, sv57,\n"
    "                        ia32 (32-bit paging), sv32\n"
    "      --tlb PRESET      golden-cove (x86 default), zen4 (RISC-V default), haswell,\n"
    "                        r3000 (MIPS: software refill), tiny, none\n"
    "      --tlb-geometry S  explicit geometry over the preset, e.g.\n"
    "                        l1d=64x4,l1i=64xfull:4k+2m,l2=1536x12,pwc=2/4/8/32,repl=plru\n"
    "      --tlb-refill hardware|software  who fills the TLB on a miss: the page walker\n"
    "                        (default), or the kernel's refill handler, as on MIPS (the\n"
    "                        L2 TLB is the one it writes; --tlb r3000 is MIPS's own)\n"
    "      --sw-pt S         what that handler reads: linear (default; the page tables'\n"
    "                        leaf level as one array in kernel space), hashed (a hashed\n"
    "                        page table), inverted (an inverted page table), or none\n"
    "                        (hardware refill); any but none implies --tlb-refill software\n"
    "      --sw-pt-entries N entries of the hashed page table (default 2 per user frame)\n"
    "      --thp never|always  2 MiB pages for aligned anonymous memory (default never)\n"
    "  -s, --swap SIZE       swap device size (default 1G; 0: no swap)\n"
    "      --swap-file PATH  swap on this new file, removed at the end (default: an\n"
    "                        unlinked temporary file); never an existing file unless\n"
    "      --swap-file-overwrite  is given too (its contents are lost; never the input)\n"
    "      --seed N          seed for random replacement and random TLB replacement\n"
    "      --cost SPEC       latencies in ns for the effective access time, e.g.\n"
    "                        access=1,stlb-hit=2.5,walk-ref=10,minor-fault=1000,\n"
    "                        major-fault=100000,swap-out=100000,refill-trap=20,\n"
    "                        refill-probe=10 (the defaults)\n"
    "output:\n"
    "      --json            one JSON object {\"config\", \"stats\", \"derived\"}\n"
    "      --csv             a header line and one row\n"
    "  -o, --output FILE     write the report to FILE (replaced only once it is complete)\n"
    "      --no-progress     no progress line on stderr (it appears only on a terminal)\n"
    "      --quiet           no report, exit status only\n";

size_t options_append(struct option *table, size_t n, size_t cap, const struct option *add,
                      size_t max)
{
    for (size_t i = 0; i < max && add[i].name; i++) {
        if (n + 1 >= cap)
            abort();
        table[n++] = add[i];
    }
    memset(&table[n], 0, sizeof table[n]);
    return n;
}

void replay_opts_init(struct replay_opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    replay_config_default(&o->cfg);
    o->format = TRACE_AUTO;
    o->argc0 = argc;
    o->argv0 = argv && argc > 0 ? malloc((size_t)argc * sizeof *argv) : NULL;
    if (o->argv0)
        memcpy(o->argv0, argv, (size_t)argc * sizeof *argv);
}

void replay_opts_free(struct replay_opts *o)
{
    free(o->argv0);
    o->argv0 = NULL;
}

static int option_index(int c)
{
    for (int i = 0; replay_long_options[i].name; i++)
        if (replay_long_options[i].val == c)
            return i;
    return -1;
}

bool replay_opts_given(const struct replay_opts *o, const char *name)
{
    for (int i = 0; replay_long_options[i].name; i++)
        if (!strcmp(replay_long_options[i].name, name))
            return (o->given >> i) & 1;
    return false;
}

int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
        return -1;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
        return -1;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return -1;
    uint64_t mult = 1;
    switch (*end) {
    case 'k': case 'K': mult = 1ull << 10; end++; break;
    case 'm': case 'M': mult = 1ull << 20; end++; break;
    case 'g': case 'G': mult = 1ull << 30; end++; break;
    case 't': case 'T': mult = 1ull << 40; end++; break;
    }
    if (*end == 'i' || *end == 'I')
        end++;
    if (*end == 'b' || *end == 'B')
        end++;
    if (*end || v * (double)mult > 1.8e19)
        return -1;
    *out = (uint64_t)(v * (double)mult);
    return 0;
}

static int bad(const char *cmd, const char *opt, const char *arg, const char *expect)
{
    fprintf(stderr, "vmlab %s: %s '%s' is not valid: %s\n", cmd, opt, arg, expect);
    return -1;
}

int replay_opts_handle(struct replay_opts *o, int c, const char *arg, const char *cmd)
{
    uint64_t v;
    int idx = option_index(c);
    if (idx >= 0)
        o->given |= 1ull << idx;
    switch (c) {
    case 'f':
        if (trace_format_parse(arg, &o->format))
            return bad(cmd, "--format", arg, "expected auto, rw, lackey, refs or vmt");
        return 1;
    case OPT_REFS:
        o->refs = arg;
        return 1;
    case 'n':
    case 'm': {
        /* the machine holds PHYSMEM_MAX_BYTES; the page-table pool takes its share */
        uint64_t max = replay_max_frames();
        char maxsize[32], expect[160];
        report_size_text(max * VM_PAGE_SIZE, maxsize, sizeof maxsize);
        if (c == 'n') {
            snprintf(expect, sizeof expect, "expected a number of frames from 1 to %llu (%s: the "
                     "machine's memory less its page-table pool)", (unsigned long long)max, maxsize);
            if (parse_u64(arg, &v) || v < 1 || v > max)
                return bad(cmd, "--frames", arg, expect);
            o->cfg.frames = v;
        } else {
            snprintf(expect, sizeof expect, "expected a size from 4K to %s (%llu frames: the "
                     "machine's memory less its page-table pool), e.g. 64M", maxsize,
                     (unsigned long long)max);
            if (parse_size(arg, &v) || v < VM_PAGE_SIZE || v / VM_PAGE_SIZE > max)
                return bad(cmd, "--mem", arg, expect);
            o->cfg.frames = v / VM_PAGE_SIZE;
        }
        return 1;
    }
    case 'p':
        for (int i = 0; kernel_policy_names[i]; i++)
            if (!strcmp(arg, kernel_policy_names[i])) {
                o->cfg.policy = kernel_policy_names[i];
                return 1;
            }
        return bad(cmd, "--policy", arg,
                   "expected clock, clock-noflush, fifo, lru, opt, random, aging or linux");
    case OPT_PT:
        if (!(o->cfg.fmt = pt_format_by_name(arg)))
            return bad(cmd, "--pt", arg, "expected x86-64, x86-64-5, sv39, sv48, sv57, ia32 or sv32");
        return 1;
    case OPT_TLB:
        if (!tlb_preset(arg))
            return bad(cmd, "--tlb", arg, "expected golden-cove, zen4, haswell, r3000, tiny or none");
        o->tlb_preset = arg;
        o->tlb_set = true;
        return 1;
    case OPT_TLB_GEOMETRY:
        o->tlb_geometry = arg;
        return 1;
    case OPT_TLB_REFILL:
        if (!strcmp(arg, "hardware"))
            o->cfg.tlb_refill = TLB_REFILL_HARDWARE;
        else if (!strcmp(arg, "software"))
            o->cfg.tlb_refill = TLB_REFILL_SOFTWARE;
        else
            return bad(cmd, "--tlb-refill", arg, "expected hardware or software");
        return 1;
    case OPT_SW_PT:
        if ((o->sw_pt_none = !strcmp(arg, "none")))
            return 1;
        for (int i = 0; i < KERNEL_SW_PT_NR; i++)
            if (!strcmp(arg, kernel_sw_pt_names[i])) {
                o->cfg.sw_pt = i;
                return 1;
            }
        return bad(cmd, "--sw-pt", arg, "expected linear, hashed, inverted or none");
    case OPT_SW_PT_ENTRIES:
        if (parse_u64(arg, &v) || v < 8 || v > (1ull << 26))
            return bad(cmd, "--sw-pt-entries", arg, "expected a number of entries from 8 to 67108864");
        o->cfg.sw_pt_entries = v;
        return 1;
    case OPT_THP:
        if (strcmp(arg, "never") && strcmp(arg, "always"))
            return bad(cmd, "--thp", arg, "expected never or always");
        o->cfg.thp = !strcmp(arg, "always");
        return 1;
    case 's':
        if (parse_size(arg, &v) || v > (1ull << 40))
            return bad(cmd, "--swap", arg, "expected a size up to 1T, e.g. 256M (0: no swap)");
        o->cfg.swap_bytes = v;
        return 1;
    case OPT_SWAP_FILE:
        if (!*arg)
            return bad(cmd, "--swap-file", arg, "expected a file name");
        o->cfg.swap_path = arg;
        return 1;
    case OPT_SWAP_FILE_OVERWRITE:
        o->cfg.swap_overwrite = true;
        return 1;
    case OPT_OPT_TIES:
        if (!strcmp(arg, "lowest-frame"))
            o->cfg.opt_ties = OPT_TIES_LOWEST_FRAME;
        else if (!strcmp(arg, "clean-first"))
            o->cfg.opt_ties = OPT_TIES_CLEAN_FIRST;
        else
            return bad(cmd, "--opt-ties", arg, "expected lowest-frame or clean-first");
        return 1;
    case OPT_SEED:
        if (parse_u64(arg, &v))
            return bad(cmd, "--seed", arg, "expected a number");
        o->cfg.seed = v;
        return 1;
    case OPT_COST: {
        char err[256];
        if (replay_cost_parse(&o->cfg.cost, arg, err, sizeof err)) {
            fprintf(stderr, "vmlab %s: --cost: %s\n", cmd, err);
            return -1;
        }
        return 1;
    }
    case OPT_LIMIT:
        if (parse_u64(arg, &v) || v == 0)
            return bad(cmd, "--limit", arg, "expected a positive number of accesses");
        o->cfg.limit = v;
        return 1;
    case OPT_SKIP_BAD:
        o->skip_bad = true;
        return 1;
    case OPT_JSON:
        o->json = true;
        return 1;
    case OPT_CSV:
        o->csv = true;
        return 1;
    case 'o':
        if (!*arg)
            return bad(cmd, "--output", arg, "expected a file name ('-': standard output)");
        o->output = arg;
        return 1;
    case OPT_NO_PROGRESS:
        o->no_progress = true;
        return 1;
    case OPT_QUIET:
        o->quiet = true;
        return 1;
    }
    return 0;
}

/* --tlb-refill, --sw-pt and --sw-pt-entries together: a structure other
 * than none means software refill; none, or software refill's absence,
 * means no structure. 0, or -1 (said). */
static int refill_finish(struct replay_opts *o, const char *cmd)
{
    bool refill_given = replay_opts_given(o, "tlb-refill");
    bool structure = replay_opts_given(o, "sw-pt") && !o->sw_pt_none;
    if (structure && !refill_given)
        o->cfg.tlb_refill = TLB_REFILL_SOFTWARE;
    bool soft = o->cfg.tlb_refill == TLB_REFILL_SOFTWARE;
    if (structure && !soft) {
        fprintf(stderr, "vmlab %s: --sw-pt %s is what the kernel's TLB refill handler reads: it "
                        "has no meaning with --tlb-refill hardware\n", cmd,
                kernel_sw_pt_names[o->cfg.sw_pt]);
        return -1;
    }
    if (o->sw_pt_none && soft) {
        fprintf(stderr, "vmlab %s: --sw-pt none means hardware refill: it contradicts "
                        "--tlb-refill software\n", cmd);
        return -1;
    }
    if (replay_opts_given(o, "sw-pt-entries") && (!soft || o->cfg.sw_pt != KERNEL_SW_PT_HASHED)) {
        fprintf(stderr, "vmlab %s: --sw-pt-entries sizes the hashed page table: give --sw-pt "
                        "hashed too\n", cmd);
        return -1;
    }
    unsigned l2 = 0;
    for (unsigned i = 0; i < TLB_MAX_ARRAYS; i++)
        l2 += o->cfg.tlb.l2.array[i].entries;
    if (soft && !l2) {
        fprintf(stderr, "vmlab %s: software TLB refill writes the L2 TLB, which the %s TLB has "
                        "not: use --tlb r3000 (MIPS's), a preset with an L2, or --tlb-geometry "
                        "l2=...\n", cmd, o->cfg.tlb.name);
        return -1;
    }
    if (soft && o->cfg.sw_pt == KERNEL_SW_PT_LINEAR && o->cfg.fmt->xlen == 32) {
        fprintf(stderr, "vmlab %s: --sw-pt linear%s needs a kernel half of the address space "
                        "to hold the table, which --pt %s has not: use --sw-pt hashed or "
                        "inverted\n", cmd, replay_opts_given(o, "sw-pt") ? "" : " (the default)",
                o->cfg.fmt->name);
        return -1;
    }
    return 0;
}

int replay_opts_finish(struct replay_opts *o, const char *cmd)
{
    const char *preset = o->tlb_set ? o->tlb_preset
                       : o->cfg.fmt->arch == PT_ARCH_X86 ? "golden-cove" : "zen4";
    o->cfg.tlb = *tlb_preset(preset);
    if (o->tlb_geometry) {
        char err[512];
        if (tlb_config_parse(&o->cfg.tlb, o->tlb_geometry, err, sizeof err)) {
            fprintf(stderr, "vmlab %s: --tlb-geometry: %s\n", cmd, err);
            return -1;
        }
    }
    if (refill_finish(o, cmd))
        return -1;
    if (o->json && o->csv) {
        fprintf(stderr, "vmlab %s: --json and --csv exclude each other\n", cmd);
        return -1;
    }
    if (o->cfg.thp && o->cfg.fmt->xlen == 32) {
        /* the kernel's huge pages are 2 MiB level-1 leaves; on ia32 and
         * Sv32 a level-1 leaf maps 4 MiB */
        fprintf(stderr, "vmlab %s: --thp always is not available with --pt %s yet (the kernel's "
                        "transparent huge pages are 2 MiB; %s's large pages are 4 MiB)\n",
                cmd, o->cfg.fmt->name, o->cfg.fmt->name);
        return -1;
    }
    static const struct { const char *opt; unsigned bit; } given[] = {
        {"pt", REPLAY_GIVEN_PT}, {"tlb", REPLAY_GIVEN_TLB}, {"tlb-geometry", REPLAY_GIVEN_TLB},
        {"frames", REPLAY_GIVEN_FRAMES}, {"mem", REPLAY_GIVEN_FRAMES},
        {"policy", REPLAY_GIVEN_POLICY}, {"swap", REPLAY_GIVEN_SWAP}, {"thp", REPLAY_GIVEN_THP},
        {"seed", REPLAY_GIVEN_SEED}, {"tlb-refill", REPLAY_GIVEN_REFILL},
        {"sw-pt", REPLAY_GIVEN_REFILL}, {"sw-pt-entries", REPLAY_GIVEN_REFILL},
    };
    for (size_t i = 0; i < sizeof given / sizeof given[0]; i++)
        if (replay_opts_given(o, given[i].opt))
            o->cfg.given |= given[i].bit;
    if (o->cfg.swap_overwrite && !o->cfg.swap_path) {
        fprintf(stderr, "vmlab %s: --swap-file-overwrite needs --swap-file PATH\n", cmd);
        return -1;
    }
    return 0;
}

struct file_id replay_input_id(const struct replay_opts *o)
{
    return (struct file_id){(dev_t)o->cfg.input_dev, (ino_t)o->cfg.input_ino,
                            o->cfg.input_ino != 0};
}

/* Where ptr sits in the command line as given, -1 if not there. */
static int original_index(const struct replay_opts *o, const char *ptr)
{
    for (int i = 0; o->argv0 && i < o->argc0; i++)
        if (o->argv0[i] == ptr)
            return i;
    return -1;
}

static void note_input(struct replay_opts *o, struct file_id id)
{
    if (id.set) {
        o->cfg.input_dev = (uint64_t)id.dev;
        o->cfg.input_ino = (uint64_t)id.ino;
    }
}

struct trace_reader *replay_open_input(struct replay_opts *o, int argc, char **argv, int first,
                                       bool *is_command, const char **name, bool *usage,
                                       const char *cmd)
{
    char err[512];
    struct trace_options topt = {.skip_bad = o->skip_bad};
    struct trace_reader *r = NULL;
    *is_command = false;
    *usage = true;
    bool dashdash = first > 0 && first <= argc && !strcmp(argv[first - 1], "--");
    /* getopt moves a FILE given before "--" behind it: "FILE -- PROGRAM" */
    if (dashdash && first < argc &&
        original_index(o, argv[first]) < original_index(o, argv[first - 1])) {
        fprintf(stderr, "vmlab %s: a trace file ('%s') and -- PROGRAM exclude each other: give "
                        "one input\n", cmd, argv[first]);
        return NULL;
    }
    if (o->refs) {
        if (first < argc) {
            fprintf(stderr, "vmlab %s: --refs and an input file exclude each other\n", cmd);
            return NULL;
        }
        topt.name = "--refs";
        *name = "--refs";
        r = trace_open_mem(o->refs, strlen(o->refs), TRACE_REFS, &topt, err, sizeof err);
    } else if (dashdash) {
        if (first >= argc) {
            fprintf(stderr, "vmlab %s: no program after --\n", cmd);
            return NULL;
        }
        *is_command = true;
        *name = argv[first];
        r = trace_open_command(argv + first, &topt, err, sizeof err);
    } else {
        if (first >= argc) {
            fprintf(stderr, "vmlab %s: no input: give a trace FILE, - for standard input, "
                            "--refs LIST, or -- PROGRAM ARGS\n", cmd);
            return NULL;
        }
        if (first + 1 < argc) {
            fprintf(stderr, "vmlab %s: one input only ('%s' and '%s' given)\n", cmd, argv[first],
                    argv[first + 1]);
            return NULL;
        }
        *name = argv[first];
        struct stat st;
        bool is_stdin = !strcmp(argv[first], "-");
        if (!is_stdin && stat(argv[first], &st) == 0 && S_ISREG(st.st_mode))
            o->cfg.input_bytes = (uint64_t)st.st_size;
        if (fstat(STDIN_FILENO, &st) == 0 && is_stdin && S_ISREG(st.st_mode))
            note_input(o, file_id_of_fd(STDIN_FILENO));   /* "- < FILE" */
        else if (!is_stdin)
            note_input(o, file_id_of_path(argv[first]));
        r = trace_open(argv[first], o->format, &topt, err, sizeof err);
    }
    *usage = false;
    if (!r)
        fprintf(stderr, "vmlab %s: %s\n", cmd, err);
    o->cfg.input_name = *name;
    return r;
}
