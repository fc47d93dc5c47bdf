/* sweep_grid.c — a sweep's axes and its points.
 *
 * An axis is any replay option that takes a value, or one of four of the
 * sweep's own that stand for replay options: tlb-entries (a one-level TLB
 * of N entries per side, LRU, no page-walk caches: --tlb none
 * --tlb-geometry l1i=NxW,l1d=NxW,repl=lru), l2-entries (one unified TLB of
 * N entries at the L2 level, no L1s: the TLB a software refill handler
 * writes, so that hardware and software refill are compared on the same
 * TLB: --tlb none --tlb-geometry l2=NxW,repl=lru), tlb-ways (the W of
 * either; full by default) and page-size (4k or 2m: --thp never or
 * always). A point
 * is the base options then one replay option per axis, parsed by
 * replay_opts_handle and checked by replay_opts_finish exactly as `vmlab
 * replay` parses and checks its command line: a value or a combination
 * replay would refuse is refused here, before anything runs.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/sweep.h"

enum { PSEUDO_TLB_ENTRIES = -1, PSEUDO_TLB_WAYS = -2, PSEUDO_PAGE_SIZE = -3, PSEUDO_L2_ENTRIES = -4 };

/* Axes that are not plain "one replay option of the same name". */
struct axis_kind {
    const char *name;
    int val;                       /* the replay option, or a PSEUDO_* */
    enum axis_family family;
    bool categorical;              /* never drawn as x, even if its values read as numbers */
    bool whole;                    /* a value holds commas: one value per --grid */
    const char *sets[3];           /* the replay options it decides (NULL: its own name) */
    const char *hint;              /* the shorthand that gives its values */
};

static const struct axis_kind special[] = {
    {"frames", 'n', AF_MEMORY, false, false, {"frames", "mem"}, "--frames-list or --mem-list"},
    {"mem", 'm', AF_MEMORY, false, false, {"frames", "mem"}, "--mem-list or --frames-list"},
    {"swap", 's', AF_MEMORY, false, false, {NULL}, NULL},
    {"policy", 'p', AF_OTHER, true, false, {NULL}, "--policies"},
    {"tlb-geometry", 0, AF_TLB, true, true, {NULL}, NULL},
    {"cost", 0, AF_OTHER, true, true, {NULL}, NULL},
    {"sw-pt-entries", 0, AF_SWPT, false, false, {NULL}, NULL},
    {"tlb-entries", PSEUDO_TLB_ENTRIES, AF_TLB, false, false, {"tlb", "tlb-geometry"},
     "--tlb-sizes and --tlb-ways"},
    {"l2-entries", PSEUDO_L2_ENTRIES, AF_TLB, false, false, {"tlb", "tlb-geometry"}, NULL},
    {"tlb-ways", PSEUDO_TLB_WAYS, AF_TLB, false, false, {"-"}, "--tlb-ways"},
    {"page-size", PSEUDO_PAGE_SIZE, AF_OTHER, true, false, {"thp"}, "--page-sizes"},
};

/* Replay options that are no axis, and why. */
static const struct { const char *name, *why; } not_axes[] = {
    {"refs", "a reference string is an input: give it with --refs (one input)"},
    {"format", "it says how the inputs are read: give it once"},
    {"limit", "the inputs are read once, as far as --limit: give it once"},
    {"swap-file", "each run swaps on its own file PATH.<run>: give --swap-file PATH once"},
    {"output", "a sweep writes PREFIX.csv and PREFIX.html (--out PREFIX)"},
};

const char sweep_grid_help[] =
    "grid (memory sizes x policies by default):\n"
    "      --grid OPT=V1,V2  an axis: every run takes each value of the replay option\n"
    "                        --OPT (frames, mem, policy, pt, tlb, tlb-geometry, thp,\n"
    "                        swap, opt-ties, seed, cost, ...) or of the sweep's own\n"
    "                        tlb-entries (a one-level TLB of N entries per side),\n"
    "                        l2-entries (one unified TLB of N entries at the L2\n"
    "                        level, no L1s: the one a software refill handler\n"
    "                        writes), tlb-ways (the ways of either; default full),\n"
    "                        page-size (4k, 2m);\n"
    "                        repeatable; the runs are every combination. tlb-geometry\n"
    "                        and cost take one value per --grid (theirs hold commas)\n"
    "      --frames-list L   the same as --grid frames=L (default 16,32,...,2048)\n"
    "      --mem-list L      the same as --grid mem=L, e.g. 64K,256K,1M\n"
    "      --policies L      the same as --grid policy=L (default fifo,lru,clock,opt)\n"
    "      --tlb-sizes L     --grid tlb-entries=L --grid page-size=4k,2m: TLB sizes x\n"
    "                        page sizes instead of the memory grid\n"
    "      --tlb-ways N      --grid tlb-ways=N (with --tlb-sizes)\n"
    "      --page-sizes L    the page sizes of --tlb-sizes (default 4k,2m; 2m = --thp always)\n";

static const struct axis_kind *special_kind(const char *name)
{
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        if (!strcmp(special[i].name, name))
            return &special[i];
    return NULL;
}

/* Every option a run can take, axis or base: replay's, then the run
 * options a program's runs take (run_opts.h). */
static const struct option *sweep_options(void)
{
    static struct option all[96];
    if (!all[0].name)
        options_append(all, options_append(all, 0, 96, replay_long_options, SIZE_MAX), 96,
                       run_long_options, RUN_SWEEP_OPTIONS);
    return all;
}

static bool is_run_option(int val) { return val >= RUN_OPT_CPUS && val < RUN_OPT_END; }

static int option_val(const char *name)
{
    for (const struct option *o = sweep_options(); o->name; o++)
        if (!strcmp(o->name, name))
            return o->val;
    return 0;
}

const char *sweep_option_name(int val)
{
    for (const struct option *o = sweep_options(); o->name; o++)
        if (o->val == val)
            return o->name;
    return "?";
}

static bool is_pseudo(const struct sweep_axis *a) { return a->val < 0; }

static const struct axis_kind *kind_of(const struct sweep_axis *a)
{
    return special_kind(a->name);
}

/* Does axis a decide replay option `name`? */
static bool axis_sets(const struct sweep_axis *a, const char *name)
{
    const struct axis_kind *k = kind_of(a);
    if (!k || !k->sets[0])
        return !strcmp(a->name, name);
    for (int i = 0; i < 3 && k->sets[i]; i++)
        if (!strcmp(k->sets[i], name))
            return true;
    return false;
}

/* Say which options may be axes. */
static void list_axes(void)
{
    fprintf(stderr, "vmlab sweep: the axes are the replay options (and with --run the run "
                    "options cpus, quantum, root, abi, max-insns)");
    for (const struct option *o = replay_long_options; o->name; o++) {
        bool denied = false;
        for (size_t i = 0; i < sizeof not_axes / sizeof not_axes[0]; i++)
            denied |= !strcmp(not_axes[i].name, o->name);
        if (o->has_arg == required_argument && !denied)
            fprintf(stderr, " %s", o->name);
    }
    fprintf(stderr, ", and tlb-entries, l2-entries, tlb-ways, page-size\n");
}

/* The axis named name, made if new. NULL (said) if name is no axis. */
static struct sweep_axis *axis_named(struct sweep *s, const char *name, const char *origin)
{
    for (size_t i = 0; i < s->naxes; i++)
        if (!strcmp(s->axis[i].name, name))
            return &s->axis[i];
    for (size_t i = 0; i < sizeof not_axes / sizeof not_axes[0]; i++)
        if (!strcmp(not_axes[i].name, name)) {
            fprintf(stderr, "vmlab sweep: %s: %s is no axis: %s\n", origin, name, not_axes[i].why);
            return NULL;
        }
    const struct axis_kind *k = special_kind(name);
    int val = k && k->val ? k->val : option_val(name);
    bool takes_value = false;
    for (const struct option *o = sweep_options(); o->name; o++)
        if (o->val == val)
            takes_value = o->has_arg == required_argument;
    if (!val || (val > 0 && !takes_value)) {
        fprintf(stderr, "vmlab sweep: %s: '%s' is %s\n", origin, name,
                val ? "an option that takes no value: it cannot be an axis" : "no axis");
        list_axes();
        return NULL;
    }
    if (s->naxes == SWEEP_MAX_AXES || strlen(name) >= sizeof s->axis[0].name) {
        fprintf(stderr, "vmlab sweep: %s: at most %d axes\n", origin, SWEEP_MAX_AXES);
        return NULL;
    }
    struct sweep_axis *a = &s->axis[s->naxes++];
    memset(a, 0, sizeof *a);
    snprintf(a->name, sizeof a->name, "%s", name);
    a->val = val;
    a->family = k ? k->family : AF_OTHER;
    return a;
}

/* One value of a pseudo-axis: 0, or -1 (said). */
static int check_pseudo(const struct sweep_axis *a, const char *v, const char *origin)
{
    uint64_t n;
    switch (a->val) {
    case PSEUDO_TLB_ENTRIES:
    case PSEUDO_L2_ENTRIES:
        if (!parse_u64(v, &n) && n >= 1 && n <= (1u << 20))
            return 0;
        fprintf(stderr, "vmlab sweep: %s: %s '%s' is not valid: expected a number of "
                        "entries from 1 to 1048576\n", origin, a->name, v);
        return -1;
    case PSEUDO_TLB_WAYS:
        if (!parse_u64(v, &n) && n >= 1 && n <= 4096)
            return 0;
        fprintf(stderr, "vmlab sweep: %s: tlb-ways '%s' is not valid: expected 1 to 4096\n",
                origin, v);
        return -1;
    default:
        if (!strcmp(v, "4k") || !strcmp(v, "2m"))
            return 0;
        fprintf(stderr, "vmlab sweep: %s: page-size '%s' is not valid: expected 4k or 2m\n",
                origin, v);
        return -1;
    }
}

static int add_value(struct sweep_axis *a, const char *v, const char *origin)
{
    if (!*v) {
        fprintf(stderr, "vmlab sweep: %s: an empty value for %s\n", origin, a->name);
        return -1;
    }
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->values[i], v)) {
            fprintf(stderr, "vmlab sweep: %s: %s '%s' is given twice\n", origin, a->name, v);
            return -1;
        }
    if (a->n == SWEEP_MAX_VALUES) {
        fprintf(stderr, "vmlab sweep: %s: at most %d values for %s\n", origin, SWEEP_MAX_VALUES,
                a->name);
        return -1;
    }
    char cmd[96];
    snprintf(cmd, sizeof cmd, "sweep: %s", origin);
    if (is_pseudo(a)) {
        if (check_pseudo(a, v, origin))
            return -1;
    } else if (is_run_option(a->val)) {
        struct run_config probe;
        run_config_default(&probe);
        if (run_opts_handle(&probe, a->val, v, cmd) < 0)
            return -1;
    } else {
        struct replay_opts probe;
        replay_opts_init(&probe, 0, NULL);
        if (replay_opts_handle(&probe, a->val, v, cmd) < 0)
            return -1;
    }
    char **grown = realloc(a->values, (a->n + 1) * sizeof *grown);
    if (!grown || !(grown[a->n] = strdup(v))) {
        if (grown)
            a->values = grown;
        fprintf(stderr, "vmlab sweep: out of memory\n");
        return -1;
    }
    a->values = grown;
    a->n++;
    return 0;
}

int sweep_axis_add(struct sweep *s, const char *name, const char *list, const char *origin)
{
    struct sweep_axis *a = axis_named(s, name, origin);
    if (!a)
        return -1;
    const struct axis_kind *k = kind_of(a);
    if (k && k->whole)
        return add_value(a, list, origin);
    char *copy = strdup(list);
    if (!copy)
        return -1;
    int rc = 0;
    const char *p = copy;
    for (char *c = copy;; c++) {   /* not strtok: an empty entry is an error, not skipped */
        if (*c && *c != ',')
            continue;
        bool last = !*c;
        *c = 0;
        if ((rc = add_value(a, p, origin)))
            break;
        if (last)
            break;
        p = c + 1;
    }
    free(copy);
    return rc;
}

/* ---- points ---- */

static bool base_given(const struct sweep *s, const char *name)
{
    int val = option_val(name);
    for (size_t i = 0; i < s->nbase; i++)
        if (s->base[i].val == val)
            return true;
    return false;
}

static const struct sweep_axis *axis_find(const struct sweep *s, int val)
{
    for (size_t i = 0; i < s->naxes; i++)
        if (s->axis[i].val == val)
            return &s->axis[i];
    return NULL;
}

/* An axis and a base option, or two axes, deciding the same thing: one of
 * them would be overridden without a word. 0, or -1 (said). */
static int check_conflicts(const struct sweep *s)
{
    for (size_t i = 0; i < s->naxes; i++) {
        const struct sweep_axis *a = &s->axis[i];
        const struct axis_kind *k = kind_of(a);
        if (is_run_option(a->val) && !s->programs) {
            fprintf(stderr, "vmlab sweep: the %s axis is a run option: it needs programs to run "
                            "(--run 'PROGRAM ARGS')\n", a->name);
            return -1;
        }
        for (const struct option *o = sweep_options(); o->name; o++) {
            if (!axis_sets(a, o->name) || !base_given(s, o->name))
                continue;
            fprintf(stderr, "vmlab sweep: --%s has no meaning here: the grid's %s axis sets it "
                    "for every run: give the values with %s%s--grid %s=...\n", o->name, a->name,
                    k && k->hint ? k->hint : "", k && k->hint ? " or " : "", a->name);
            return -1;
        }
        for (size_t j = i + 1; j < s->naxes; j++)
            for (const struct option *o = sweep_options(); o->name; o++)
                if (axis_sets(a, o->name) && axis_sets(&s->axis[j], o->name)) {
                    fprintf(stderr, "vmlab sweep: the %s and %s axes both set --%s: give one of "
                            "them\n", a->name, s->axis[j].name, o->name);
                    return -1;
                }
    }
    if (axis_find(s, PSEUDO_TLB_WAYS) && !axis_find(s, PSEUDO_TLB_ENTRIES) &&
        !axis_find(s, PSEUDO_L2_ENTRIES)) {
        fprintf(stderr, "vmlab sweep: tlb-ways shapes the one-level TLB of tlb-entries or "
                        "l2-entries: give --tlb-sizes (or --grid tlb-entries=... or "
                        "l2-entries=...) too\n");
        return -1;
    }
    return 0;
}

static void set_numeric(struct sweep_axis *a)
{
    const struct axis_kind *k = kind_of(a);
    a->numeric = !(k && k->categorical);
    free(a->num);
    a->num = calloc(a->n ? a->n : 1, sizeof *a->num);
    for (size_t i = 0; i < a->n && a->numeric; i++) {
        uint64_t v;
        if (!a->num || parse_size(a->values[i], &v))
            a->numeric = false;
        else
            a->num[i] = (double)v;
    }
}

size_t sweep_point_args(const struct sweep *s, size_t k, struct sweep_pair *out, size_t max)
{
    const struct point *p = &s->pt[k];
    size_t n = 0;
#define PUT(v, a) do { if (n < max) out[n] = (struct sweep_pair){(v), (a)}; n++; } while (0)
    for (size_t i = 0; i < s->nbase; i++)
        PUT(s->base[i].val, s->base[i].arg);
    if (s->swap_file)
        PUT(option_val("swap-file"), p->swap_path);
    for (size_t i = 0; i < s->naxes; i++) {
        const struct sweep_axis *a = &s->axis[i];
        const char *v = a->values[p->value[i]];
        if (a->val == PSEUDO_TLB_ENTRIES || a->val == PSEUDO_L2_ENTRIES) {
            PUT(option_val("tlb"), "none");
            PUT(option_val("tlb-geometry"), p->geometry);
        } else if (a->val == PSEUDO_PAGE_SIZE) {
            PUT(option_val("thp"), strcmp(v, "2m") ? "never" : "always");
        } else if (a->val > 0) {
            PUT(a->val, v);
        }
    }
#undef PUT
    return n < max ? n : max;
}

/* The one-level TLB that the point's tlb-entries or l2-entries (and
 * tlb-ways) stand for. */
static void point_geometry(const struct sweep *s, struct point *p)
{
    const struct sweep_axis *e = NULL, *w = NULL;
    size_t ei = 0, wi = 0;
    for (size_t i = 0; i < s->naxes; i++) {
        if (s->axis[i].val == PSEUDO_TLB_ENTRIES || s->axis[i].val == PSEUDO_L2_ENTRIES)
            e = &s->axis[i], ei = i;
        if (s->axis[i].val == PSEUDO_TLB_WAYS)
            w = &s->axis[i], wi = i;
    }
    if (!e)
        return;
    const char *n = e->values[p->value[ei]], *ways = w ? w->values[p->value[wi]] : "full";
    if (e->val == PSEUDO_L2_ENTRIES)
        snprintf(p->geometry, sizeof p->geometry, "l2=%sx%s,repl=lru", n, ways);
    else
        snprintf(p->geometry, sizeof p->geometry, "l1i=%sx%s,l1d=%sx%s,repl=lru", n, ways, n, ways);
}

/* Make point k's options; 0, or -1 (replay's message said, not the point). */
static int make_point(struct sweep *s, size_t k, size_t per_input)
{
    struct point *p = &s->pt[k];
    p->input = k / per_input;
    size_t rem = k % per_input;
    for (size_t i = 0; i < s->naxes; i++) {
        p->value[i] = rem % s->axis[i].n;
        rem /= s->axis[i].n;
    }
    point_geometry(s, p);
    if (s->swap_file)   /* runs at once must not share one swap file */
        snprintf(p->swap_path, sizeof p->swap_path, "%s.%zu", s->swap_file, k + 1);
    struct sweep_pair args[SWEEP_MAX_AXES * 2 + 64];
    size_t n = sweep_point_args(s, k, args, sizeof args / sizeof args[0]);
    const struct sweep_input *in = &s->in[p->input];
    bool program = in->kind == IN_PROGRAM;
    replay_opts_init(&p->o, 0, NULL);
    run_config_default(&p->rc);
    for (size_t i = 0; i < n; i++)
        if (is_run_option(args[i].val) ? run_opts_handle(&p->rc, args[i].val, args[i].arg, "sweep") < 0
                                       : replay_opts_handle(&p->o, args[i].val, args[i].arg, "sweep") < 0)
            return -1;
    if (program ? run_opts_finish(&p->o, &p->rc, "sweep") : replay_opts_finish(&p->o, "sweep"))
        return -1;
    if (program) {
        if (run_abi_own_files(p->rc.abi)) {
            fprintf(stderr, "vmlab sweep: --abi %s: its programs are files of its own file system "
                            "(--fs DIR), which runs at once would share: run them with vmlab run "
                            "--abi %s --fs DIR\n", p->rc.abi, p->rc.abi);
            return -1;
        }
        if (!strcmp(p->o.cfg.policy, "opt")) {
            fprintf(stderr, "vmlab sweep: --policy opt cannot run a program: the future is "
                            "unknown while it runs (sweep its run trace: vmlab run --trace-out "
                            "FILE.vmt)\n");
            return -1;
        }
    }
    p->o.cfg.input_name = in->name;
    p->o.cfg.input_bytes = in->kind == IN_FILE ? in->bytes : 0;
    if (in->id.set) {
        p->o.cfg.input_dev = (uint64_t)in->id.dev;
        p->o.cfg.input_ino = (uint64_t)in->id.ino;
    }
    return 0;
}

int sweep_make_points(struct sweep *s)
{
    if (check_conflicts(s))
        return -1;
    if ((axis_find(s, PSEUDO_TLB_ENTRIES) || axis_find(s, PSEUDO_L2_ENTRIES)) &&
        !axis_find(s, 'n') && !axis_find(s, 'm') &&
        !base_given(s, "frames") && !base_given(s, "mem")) {
        /* a TLB study: enough memory that paging stays out of it */
        struct sweep_pair *grown = realloc(s->base, (s->nbase + 1) * sizeof *grown);
        if (!grown)
            return -1;
        s->base = grown;
        s->base[s->nbase++] = (struct sweep_pair){'n', strdup("65536")};
    }
    size_t per_input = 1;
    for (size_t i = 0; i < s->naxes; i++) {
        set_numeric(&s->axis[i]);
        if (per_input > SWEEP_MAX_POINTS / s->axis[i].n) {
            per_input = SWEEP_MAX_POINTS + 1;
            break;
        }
        per_input *= s->axis[i].n;
    }
    if (per_input > SWEEP_MAX_POINTS / (s->nin ? s->nin : 1)) {
        fprintf(stderr, "vmlab sweep: the grid has more than %d runs\n", SWEEP_MAX_POINTS);
        return -1;
    }
    s->npt = per_input * s->nin;
    if (!(s->pt = calloc(s->npt ? s->npt : 1, sizeof *s->pt))) {
        fprintf(stderr, "vmlab sweep: out of memory\n");
        return -1;
    }
    size_t bad = 0;
    for (size_t k = 0; k < s->npt && bad < 5; k++) {
        if (!make_point(s, k, per_input))
            continue;
        char label[512];
        sweep_point_label(s, k, label, sizeof label);
        const struct sweep_axis *ps = axis_find(s, PSEUDO_PAGE_SIZE);
        bool huge = ps && !strcmp(ps->values[s->pt[k].value[ps - s->axis]], "2m");
        fprintf(stderr, "vmlab sweep: run %zu (%s) cannot run%s: nothing was run\n", k + 1,
                label[0] ? label : "the only one",
                huge && s->pt[k].o.cfg.fmt->xlen == 32 ? " (use --page-sizes 4k)" : "");
        if (++bad == 5)
            fprintf(stderr, "vmlab sweep: (stopped checking at 5 such runs)\n");
    }
    return bad ? -1 : 0;
}

void sweep_point_label(const struct sweep *s, size_t k, char *buf, size_t len)
{
    const struct point *p = &s->pt[k];
    size_t used = 0;
    buf[0] = 0;
#define ADD(...) do { if (used < len) used += (size_t)snprintf(buf + used, len - used, __VA_ARGS__); } while (0)
    if (s->nin > 1)
        ADD("%s", s->in[p->input].name);
    bool varies = false;
    for (size_t i = 0; i < s->naxes; i++)
        varies |= s->axis[i].n > 1;
    for (int numeric = 0; numeric < 2; numeric++)   /* words first, then the numbers */
        for (size_t i = 0; i < s->naxes; i++) {
            const struct sweep_axis *a = &s->axis[i];
            if ((varies && a->n < 2) || a->numeric != (bool)numeric)
                continue;
            ADD("%s", used ? ", " : "");
            if (a->numeric)
                ADD("%s %s", a->values[p->value[i]], a->name);
            else
                ADD("%s", a->values[p->value[i]]);
        }
#undef ADD
}

bool sweep_varies(const struct sweep *s, const char *option)
{
    for (size_t i = 0; i < s->naxes; i++)
        if (axis_sets(&s->axis[i], option))
            return true;
    return false;
}

int sweep_x_axis(const struct sweep *s)
{
    int first = -1;
    for (size_t i = 0; i < s->naxes; i++)
        if (s->axis[i].numeric) {
            if (s->axis[i].n > 1)
                return (int)i;
            if (first < 0)
                first = (int)i;
        }
    return first;
}

int sweep_series_axis(const struct sweep *s, int x)
{
    for (size_t i = 0; i < s->naxes; i++)
        if ((int)i != x && s->axis[i].n > 1)
            return (int)i;
    return -1;
}

void sweep_free(struct sweep *s)
{
    for (size_t i = 0; i < s->naxes; i++) {
        for (size_t j = 0; j < s->axis[i].n; j++)
            free(s->axis[i].values[j]);
        free(s->axis[i].values);
        free(s->axis[i].num);
    }
    for (size_t i = 0; i < s->nbase; i++)
        free((char *)s->base[i].arg);
    free(s->base);
    for (size_t i = 0; i < s->nin; i++) {
        free(s->in[i].path);
        if (s->in[i].kind == IN_PROGRAM)
            free((void *)s->in[i].argv);
    }
    free(s->in);
    free(s->pt);
    replay_opts_free(&s->opts);
}
