/* sweep_plan.c — `vmlab sweep --plan DIR`: a sweep as independent jobs.
 *
 * DIR/jobs.txt has one line per run, in the in-process sweep's order: a
 * `vmlab replay` command line with that run's options (`vmlab run` for a
 * program, its output to /dev/null), --json -o
 * DIR/results/NNNN.json, its stderr in DIR/logs/NNNN.err and its exit
 * status in DIR/logs/NNNN.rc. Every path is absolute (vmlab's own from
 * /proc/self/exe, the inputs', DIR's), so a line runs with `sh -c` from any
 * directory of any node that sees the same files at the same paths.
 * DIR/manifest (JSON) records the sweep's arguments, the grid, the inputs
 * with their sizes and SHA-256, and vmlab's version: --collect rebuilds the
 * sweep from it. DIR/sbatch.sh is a Slurm job array whose task i runs line
 * i of jobs.txt.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/sweep.h"

/* s with its single quotes closed and reopened: a word for sh. */
static void sh_quote(FILE *f, const char *s)
{
    bool plain = *s != 0;
    for (const char *c = s; *c && plain; c++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:+@%",
                       *c) != NULL;
    if (plain) {
        fputs(s, f);
        return;
    }
    fputc('\'', f);
    for (; *s; s++)
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    fputc('\'', f);
}

static unsigned digits_for(size_t n)
{
    unsigned d = 1;
    for (; n >= 10; n /= 10)
        d++;
    return d < 4 ? 4 : d;
}

/* Line k (0-based) of jobs.txt, without its newline. */
static void write_job(FILE *f, const struct sweep *s, size_t k, const char *vmlab, const char *dir,
                      unsigned width)
{
    struct sweep_pair args[SWEEP_MAX_AXES * 2 + 64];
    size_t n = sweep_point_args(s, k, args, sizeof args / sizeof args[0]);
    const struct sweep_input *in = &s->in[s->pt[k].input];
    bool program = in->kind == IN_PROGRAM;
    if (program)   /* an empty environment, as in process: a node's own must not shape the run */
        fputs("env -i ", f);
    sh_quote(f, vmlab);
    fputs(program ? " run" : " replay", f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, " --%s", sweep_option_name(args[i].val));
        if (args[i].arg) {
            fputc('=', f);
            sh_quote(f, args[i].arg);
        }
    }
    char path[PATH_MAX + 64];
    fputs(program ? " --json -o " : " --json --no-progress -o ", f);
    snprintf(path, sizeof path, "%s/results/%0*zu.json", dir, (int)width, k + 1);
    sh_quote(f, path);
    fputc(' ', f);
    if (program) {   /* its output discarded, as in process; its own stderr in the log */
        fputs("--", f);
        for (int i = 0; i < in->argc; i++) {
            fputc(' ', f);
            sh_quote(f, in->argv[i]);
        }
        fputs(" </dev/null >/dev/null", f);
    } else if (in->kind == IN_REFS) {
        fputs("--refs=", f);
        sh_quote(f, s->opts.refs);
    } else {
        sh_quote(f, in->path);
    }
    snprintf(path, sizeof path, "%s/logs/%0*zu", dir, (int)width, k + 1);
    fputs(" 2>", f);
    sh_quote(f, path);
    fputs(".err; s=$?; echo $s >", f);
    sh_quote(f, path);
    fputs(".rc; (exit $s)", f);   /* the line's status; the file still runs as a script */
}

static int write_jobs(const struct sweep *s, const char *vmlab, const char *dir, unsigned width,
                      const char *name)
{
    char path[PATH_MAX + 32], err[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct outfile o;
    if (outfile_open(&o, path, NULL, err, sizeof err)) {
        fprintf(stderr, "vmlab sweep: %s\n", err);
        return -1;
    }
    FILE *f = outfile_stream(&o);
    if (!f) {
        outfile_abort(&o);
        return -1;
    }
    for (size_t k = 0; k < s->npt; k++) {
        write_job(f, s, k, vmlab, dir, width);
        fputc('\n', f);
    }
    if (outfile_commit(&o, err, sizeof err)) {
        fprintf(stderr, "vmlab sweep: %s\n", err);
        return -1;
    }
    return 0;
}

static int write_text(const char *dir, const char *name, const char *text, mode_t mode)
{
    char path[PATH_MAX + 32], err[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct outfile o;
    FILE *f;
    if (outfile_open(&o, path, NULL, err, sizeof err) || !(f = outfile_stream(&o))) {
        fprintf(stderr, "vmlab sweep: %s\n", err);
        return -1;
    }
    fputs(text, f);
    if (outfile_commit(&o, err, sizeof err)) {
        fprintf(stderr, "vmlab sweep: %s\n", err);
        return -1;
    }
    if (chmod(path, mode)) {
        fprintf(stderr, "vmlab sweep: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Does a command-line word name --plan (or an abbreviation getopt takes)? */
static int plan_word(const char *a)
{
    const char *eq = strchr(a, '=');
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    if (n < 5 || strncmp(a, "--plan", n))
        return 0;
    return eq ? 1 : 2;   /* words it takes: itself, or itself and DIR */
}

static json_t *manifest(const struct sweep *s, const char *vmlab, int argc, char **argv,
                        unsigned width)
{
    json_t *m = json_object(), *args = json_array(), *grid = json_array(), *ins = json_array(),
           *base = json_array();
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        cwd[0] = 0;
    json_object_set_new(m, "vmlab_manifest", json_integer(1));
    json_object_set_new(m, "vmlab_version", json_string(VMLAB_VERSION));
    json_object_set_new(m, "vmlab", json_string(vmlab));
    json_object_set_new(m, "cwd", json_string(cwd));
    for (int i = 1; i < argc;) {
        int skip = plan_word(argv[i]);
        if (skip) {
            i += skip;
            continue;
        }
        json_array_append_new(args, json_string(argv[i++]));
    }
    json_object_set_new(m, "arguments", args);
    for (size_t a = 0; a < s->naxes; a++) {
        json_t *ax = json_object(), *vals = json_array();
        for (size_t v = 0; v < s->axis[a].n; v++)
            json_array_append_new(vals, json_string(s->axis[a].values[v]));
        json_object_set_new(ax, "axis", json_string(s->axis[a].name));
        json_object_set_new(ax, "values", vals);
        json_array_append_new(grid, ax);
    }
    json_object_set_new(m, "grid", grid);
    for (size_t i = 0; i < s->nbase; i++) {
        char opt[4200];
        snprintf(opt, sizeof opt, "--%s%s%s", sweep_option_name(s->base[i].val),
                 s->base[i].arg ? "=" : "", s->base[i].arg ? s->base[i].arg : "");
        json_array_append_new(base, json_string(opt));
    }
    json_object_set_new(m, "base_options", base);
    for (size_t i = 0; i < s->nin; i++) {
        const struct sweep_input *in = &s->in[i];
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(in->name));
        json_object_set_new(o, "path", in->path ? json_string(in->path) : json_null());
        json_object_set_new(o, "bytes", json_integer((json_int_t)in->bytes));
        json_object_set_new(o, "sha256", json_string(in->sha256));
        json_array_append_new(ins, o);
    }
    json_object_set_new(m, "inputs", ins);
    json_object_set_new(m, "runs", json_integer((json_int_t)s->npt));
    json_object_set_new(m, "result_digits", json_integer(width));
    return m;
}

/* DIR made (or empty), absolute in abs. 0, or -1 (said). */
static int make_dir(const char *dir, char abs[PATH_MAX])
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "vmlab sweep: --plan %s: %s\n", dir, strerror(errno));
        return -1;
    }
    if (!realpath(dir, abs)) {
        fprintf(stderr, "vmlab sweep: --plan %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char sub[PATH_MAX + 16];
    snprintf(sub, sizeof sub, "%s/manifest", abs);
    struct stat st;
    if (stat(sub, &st) == 0) {
        fprintf(stderr, "vmlab sweep: --plan %s: it holds a plan already (vmlab does not write "
                        "over it): choose a new directory\n", dir);
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        snprintf(sub, sizeof sub, "%s/%s", abs, i ? "logs" : "results");
        if (mkdir(sub, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "vmlab sweep: %s: %s\n", sub, strerror(errno));
            return -1;
        }
    }
    return 0;
}

int sweep_plan(struct sweep *s, const char *dir, int argc, char **argv)
{
    char vmlab[PATH_MAX], abs[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", vmlab, sizeof vmlab - 1);
    if (n <= 0) {
        fprintf(stderr, "vmlab sweep: /proc/self/exe: %s\n", strerror(errno));
        return VMLAB_EXIT_ERROR;
    }
    vmlab[n] = 0;
    if (sweep_inputs_identify(s))
        return VMLAB_EXIT_USAGE;
    if (make_dir(dir, abs))
        return VMLAB_EXIT_ERROR;
    unsigned width = digits_for(s->npt);
    if (write_jobs(s, vmlab, abs, width, "jobs.txt"))
        return VMLAB_EXIT_ERROR;
    char sbatch[PATH_MAX * 5 + 1024];
    snprintf(sbatch, sizeof sbatch,
             "#!/bin/sh\n"
             "# A Slurm job array of the %zu runs of this plan: task i runs line i of\n"
             "# jobs.txt. Submit with: sbatch %s/sbatch.sh\n"
             "# (only some runs again: sbatch --array=3,7,12 %s/sbatch.sh)\n"
             "#SBATCH --job-name=vmlab-sweep\n"
             "#SBATCH --array=1-%zu\n"
             "#SBATCH --ntasks=1\n"
             "#SBATCH --cpus-per-task=1\n"
             "#SBATCH --output=%s/logs/slurm-%%A_%%a.out\n"
             "line=$(sed -n \"${SLURM_ARRAY_TASK_ID}p\" '%s/jobs.txt')\n"
             "[ -n \"$line\" ] || { echo \"no line $SLURM_ARRAY_TASK_ID in jobs.txt\" >&2; exit 2; }\n"
             "exec sh -c \"$line\"\n",
             s->npt, abs, abs, s->npt, abs, abs);
    if (write_text(abs, "sbatch.sh", sbatch, 0755))
        return VMLAB_EXIT_ERROR;
    json_t *m = manifest(s, vmlab, argc, argv, width);
    char *text = m ? json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(m);
    size_t len = text ? strlen(text) : 0;
    char *withnl = text ? malloc(len + 2) : NULL;
    if (withnl)
        memcpy(withnl, text, len), memcpy(withnl + len, "\n", 2);
    free(text);
    int rc = withnl ? write_text(abs, "manifest", withnl, 0644) : -1;
    free(withnl);
    if (rc)
        return VMLAB_EXIT_ERROR;
    if (!s->quiet)
        printf("planned %zu runs in %s: run %s/jobs.txt with e.g.\n"
               "  parallel --will-cite -j N < %s/jobs.txt\n"
               "  xargs -P N -d '\\n' -n 1 sh -c < %s/jobs.txt\n"
               "  sbatch %s/sbatch.sh\n"
               "then: vmlab sweep --collect %s --out PREFIX\n",
               s->npt, abs, abs, abs, abs, abs, abs);
    return VMLAB_EXIT_OK;
}
