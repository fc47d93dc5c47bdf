/* sweep_collect.c — `vmlab sweep --collect DIR`: a plan's results back
 * into the sweep they came from.
 *
 * The sweep is rebuilt from the arguments DIR/manifest recorded, through
 * the same parser, so its runs are the plan's in the plan's order. Each
 * run's DIR/results/NNNN.json (written by `vmlab replay --json`, renamed
 * into place only once complete) is read with Jansson and checked: its
 * configuration must be the run's, its counters exactly the ones this
 * vmlab has. A run with no result is missing (it never ran), crashed (its
 * shell recorded a death by a signal, or no exit status at all) or failed
 * (an exit status and the message it left in DIR/logs/NNNN.err). The job
 * lines of every run not finished go to DIR/rerun.txt; a killed simulated
 * process is a result, not a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/replay_output.h"
#include "cli/sweep.h"

enum run_problem { RUN_OK, RUN_MISSING, RUN_CRASHED, RUN_FAILED, RUN_CORRUPT, RUN_INTERRUPTED };
static const char *const problem_names[] = {"ok", "missing", "crashed", "failed", "corrupt",
                                            "interrupted"};

/* Set counter `name` of a result; false if this vmlab has no such counter. */
static bool set_stat(struct replay_result *r, const char *name, uint64_t v)
{
    int i = cpu_stat_index(name);
    if (i >= 0)
        r->cpu.v[i] = v;
    else if ((i = vmstat_index(name)) >= 0)
        r->vm.v[i] = v;
    else if (!strcmp(name, "footprint"))
        r->footprint = v;
    else if (!strcmp(name, "records-folded"))
        r->folded = v;
    else
        return false;
    return true;
}

static bool json_text(json_t *v, char *buf, size_t len)
{
    if (json_is_string(v))
        snprintf(buf, len, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else
        return false;
    return true;
}

static double json_real_or_nan(json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : json_is_null(v) ? NAN : -1;
}

/* A program's run (`vmlab run --json`): its configuration must be the
 * point's, its counters this vmlab's; they, its times and its processes'
 * ends make the point's result, as run_point makes it in process. */
static enum run_problem read_run_result(struct point *p, const struct sweep_input *in,
                                        json_t *root, char *why, size_t len)
{
    json_t *config = json_object_get(root, "config"), *stats = json_object_get(root, "stats"),
           *run = json_object_get(root, "run"), *procs = json_object_get(root, "processes");
    if (!json_is_object(config) || !json_is_object(stats) || !json_is_object(run) ||
        !json_is_array(procs)) {
        snprintf(why, len, "not a vmlab run --json result (no config, stats, run and processes)");
        return RUN_CORRUPT;
    }
    const struct run_config *rc = &p->rc;
    char command[4096] = "", num[8][32];
    for (int i = 0, used = 0; i < in->argc && used < (int)sizeof command; i++)
        used += snprintf(command + used, sizeof command - (size_t)used, "%s%s", i ? " " : "",
                         in->argv[i]);
    snprintf(num[0], sizeof num[0], "%u", rc->ncpus);
    snprintf(num[1], sizeof num[1], "%" PRIu64, rc->frames);
    snprintf(num[2], sizeof num[2], "%" PRIu64, rc->swap_bytes);
    snprintf(num[3], sizeof num[3], "%" PRIu64, rc->quantum ? rc->quantum : (uint64_t)RUN_DEFAULT_QUANTUM);
    snprintf(num[4], sizeof num[4], "%" PRIu64, rc->seed);
    const struct { const char *key, *want; } expect[] = {
        {"command", command}, {"abi", rc->abi}, {"pt", rc->fmt->name}, {"tlb", rc->tlb_name},
        {"cpus", num[0]}, {"frames", num[1]}, {"policy", rc->policy}, {"swap_bytes", num[2]},
        {"quantum", num[3]}, {"seed", num[4]},
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        char got[4096];
        json_t *v = json_object_get(config, expect[i].key);
        if (!json_text(v, got, sizeof got) || strcmp(got, expect[i].want ? expect[i].want : "")) {
            snprintf(why, len, "not this run's result: its %s is '%.200s', the run's '%.200s'",
                     expect[i].key, v ? got : "(none)", expect[i].want ? expect[i].want : "");
            return RUN_CORRUPT;
        }
    }
    struct replay_result zero, counts;
    memset(&zero, 0, sizeof zero);
    memset(&counts, 0, sizeof counts);
    struct replay_stat st[REPLAY_MAX_STATS];
    size_t n = replay_stats(&zero, st, REPLAY_MAX_STATS), want = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(st[i].name, "records-folded"))   /* a trace's notion: a run has none */
            continue;
        want++;
        json_t *v = json_object_get(stats, st[i].name);
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            snprintf(why, len, "counter %s is %s", st[i].name, v ? "not a count" : "missing");
            return RUN_CORRUPT;
        }
        set_stat(&counts, st[i].name, (uint64_t)json_integer_value(v));
    }
    if (json_object_size(stats) != want) {
        snprintf(why, len, "it has counters this vmlab does not have (%zu, not %zu)",
                 json_object_size(stats), want);
        return RUN_CORRUPT;
    }
    json_t *eat = json_object_get(run, "effective_access_ns"), *sec = json_object_get(run, "seconds"),
           *ins = json_object_get(run, "instructions"), *intr = json_object_get(run, "interrupted");
    if (!json_is_number(eat) || !json_is_number(sec) || !json_is_integer(ins) ||
        json_integer_value(ins) < 0 || !json_is_boolean(intr) || json_array_size(procs) < 1) {
        snprintf(why, len, "its run values or processes are missing or malformed");
        return RUN_CORRUPT;
    }
    struct run_summary rs;
    memset(&rs, 0, sizeof rs);
    rs.nprocs = json_array_size(procs);
    if (!(rs.procs = calloc(rs.nprocs, sizeof *rs.procs))) {
        snprintf(why, len, "out of memory");
        return RUN_CORRUPT;
    }
    for (size_t i = 0; i < rs.nprocs; i++) {
        json_t *pr = json_array_get(procs, i), *pid = json_object_get(pr, "pid"),
               *comm = json_object_get(pr, "comm"), *sig = json_object_get(pr, "signal_number"),
               *killer = json_object_get(pr, "killer"), *wy = json_object_get(pr, "why");
        struct run_proc *q = &rs.procs[i];
        if (!json_is_integer(pid) || !json_is_string(comm) ||
            (sig && (!json_is_integer(sig) || !json_is_integer(killer) || !json_is_string(wy)))) {
            snprintf(why, len, "process %zu of its result is malformed", i + 1);
            free(rs.procs);
            return RUN_CORRUPT;
        }
        q->pid = (int)json_integer_value(pid);
        snprintf(q->comm, sizeof q->comm, "%s", json_string_value(comm));
        q->ended = true;
        if ((q->signaled = sig != NULL)) {
            q->code = (int)json_integer_value(sig);
            q->killer = (int)json_integer_value(killer);
            snprintf(q->why, sizeof q->why, "%s", json_string_value(wy));
        }
    }
    rs.cpu = counts.cpu;
    rs.vm = counts.vm;
    rs.instret = (uint64_t)json_integer_value(ins);
    rs.eat_ns = json_number_value(eat);
    rs.seconds = json_number_value(sec);
    rs.interrupted = json_is_true(intr);
    run_summary_as_replay(&rs, &p->res);
    free(rs.procs);
    p->state = p->res.killed ? PT_KILLED : p->res.interrupted ? PT_INTERRUPTED : PT_DONE;
    return p->res.interrupted ? RUN_INTERRUPTED : RUN_OK;
}

/* Read run k's result file into its point. RUN_OK, RUN_INTERRUPTED, or
 * RUN_CORRUPT with why. */
static enum run_problem read_result(struct sweep *s, size_t k, const char *path, char *why,
                                    size_t len)
{
    struct point *p = &s->pt[k];
    const struct sweep_input *in = &s->in[p->input];
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(why, len, "not JSON: line %d: %s", je.line, je.text);
        return RUN_CORRUPT;
    }
    if (in->kind == IN_PROGRAM) {
        enum run_problem rc = read_run_result(p, in, root, why, len);
        json_decref(root);
        return rc;
    }
    enum run_problem rc = RUN_CORRUPT;
    json_t *config = json_object_get(root, "config"), *stats = json_object_get(root, "stats"),
           *derived = json_object_get(root, "derived");
    struct replay_result zero, *res = &p->res;
    memset(&zero, 0, sizeof zero);
    memset(res, 0, sizeof *res);
    struct replay_row row;
    if (!json_is_object(config) || !json_is_object(stats) || !json_is_object(derived)) {
        snprintf(why, len, "not a vmlab replay --json result (no config, stats and derived)");
        goto out;
    }
    if (replay_row_fill(&row, &p->o, in->path ? in->path : in->name, &zero)) {
        snprintf(why, len, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < row.nconfig; i++) {
        char got[1024];
        if (!json_text(json_object_get(config, row.name[i]), got, sizeof got) ||
            strcmp(got, row.value[i])) {
            snprintf(why, len, "not this run's result: its %s is '%.200s', the run's '%.200s'", row.name[i],
                     json_object_get(config, row.name[i]) ? got : "(none)", row.value[i]);
            replay_row_free(&row);
            goto out;
        }
    }
    replay_row_free(&row);
    if (json_object_size(config) != row.nconfig) {
        snprintf(why, len, "its configuration has keys this vmlab does not write");
        goto out;
    }
    struct replay_stat st[REPLAY_MAX_STATS];
    size_t n = replay_stats(&zero, st, REPLAY_MAX_STATS);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(stats, st[i].name);
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            snprintf(why, len, "counter %s is %s", st[i].name, v ? "not a count" : "missing");
            goto out;
        }
        set_stat(res, st[i].name, (uint64_t)json_integer_value(v));
    }
    if (json_object_size(stats) != n) {
        snprintf(why, len, "it has counters this vmlab does not have (%zu, not %zu)",
                 json_object_size(stats), n);
        goto out;
    }
    json_t *eat = json_object_get(derived, "effective_access_ns"),
           *sec = json_object_get(derived, "seconds"), *rec = json_object_get(derived, "records"),
           *skip = json_object_get(derived, "skipped_lines"), *kill = json_object_get(derived, "killed"),
           *msg = json_object_get(derived, "kill_message"),
           *intr = json_object_get(derived, "interrupted");
    if (!(json_is_number(eat) || json_is_null(eat)) || !json_is_number(sec) ||
        !json_is_integer(rec) || !json_is_integer(skip) || !json_is_boolean(kill) ||
        !json_is_string(msg) || !json_is_boolean(intr) || json_integer_value(rec) < 0 ||
        json_integer_value(skip) < 0) {
        snprintf(why, len, "its derived values are missing or malformed");
        goto out;
    }
    res->eat_ns = json_real_or_nan(eat);
    res->seconds = json_number_value(sec);
    res->records = (uint64_t)json_integer_value(rec);
    res->skipped = (uint64_t)json_integer_value(skip);
    res->killed = json_is_true(kill);
    res->interrupted = json_is_true(intr);
    snprintf(res->kill_msg, sizeof res->kill_msg, "%s", json_string_value(msg));
    p->state = res->killed ? PT_KILLED : res->interrupted ? PT_INTERRUPTED : PT_DONE;
    rc = res->interrupted ? RUN_INTERRUPTED : RUN_OK;
out:
    json_decref(root);
    return rc;
}

/* The first line of a file (up to len), "" if none. */
static void first_line(const char *path, char *buf, size_t len)
{
    buf[0] = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(buf, (int)len, f))
        buf[strcspn(buf, "\n")] = 0;
    fclose(f);
}

/* A run without a result: what its log says happened. */
static enum run_problem no_result(const char *log, char *why, size_t len)
{
    char path[PATH_MAX + 200], rc[64], msg[400];
    snprintf(path, sizeof path, "%s.rc", log);
    first_line(path, rc, sizeof rc);
    snprintf(path, sizeof path, "%s.err", log);
    struct stat st;
    bool started = stat(path, &st) == 0;
    first_line(path, msg, sizeof msg);
    int status = rc[0] ? atoi(rc) : -1;
    if (!started && status < 0) {
        snprintf(why, len, "never ran (no result, no log)");
        return RUN_MISSING;
    }
    if (status < 0) {
        snprintf(why, len, "no exit status (it died with its shell, or is still running)%s%s", msg[0] ? "; " : "", msg);
        return RUN_CRASHED;
    }
    if (status == 0) {
        snprintf(why, len, "its result file is gone (the run ended with status 0)");
        return RUN_MISSING;
    }
    if (status > 128) {
        snprintf(why, len, "killed by signal %d%s%s", status - 128, msg[0] ? "; " : "", msg);
        return RUN_CRASHED;
    }
    snprintf(why, len, "exit status %d%s%s", status, msg[0] ? ": " : "", msg);
    return RUN_FAILED;
}

/* The lines of jobs.txt, malloc'd (one block); NULL (said) on failure. */
static char **read_jobs(const char *dir, size_t want, char **block)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/jobs.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "vmlab sweep: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 0, n = 0;
    *block = NULL;
    ssize_t got = getdelim(block, &cap, 0, f);   /* the whole file */
    fclose(f);
    char **lines = calloc(want + 1, sizeof *lines);
    for (char *c = got > 0 ? *block : NULL; c && *c && lines && n <= want;) {
        lines[n++] = c;
        char *nl = strchr(c, '\n');
        if (!nl)
            break;
        *nl = 0;
        c = nl + 1;
    }
    if (!lines || n != want) {
        fprintf(stderr, "vmlab sweep: %s: %zu lines, but the manifest has %zu runs\n", path, n,
                want);
        free(lines);
        free(*block);
        return NULL;
    }
    return lines;
}

static int write_rerun(const char *dir, char **jobs, const enum run_problem *problem, size_t n)
{
    char path[PATH_MAX + 16], err[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/rerun.txt", dir);
    struct outfile o;
    FILE *f;
    if (outfile_open(&o, path, NULL, err, sizeof err) || !(f = outfile_stream(&o))) {
        fprintf(stderr, "vmlab sweep: %s\n", err);
        return -1;
    }
    for (size_t k = 0; k < n; k++)
        if (problem[k] != RUN_OK)
            fprintf(f, "%s\n", jobs[k]);
    if (outfile_commit(&o, err, sizeof err)) {
        fprintf(stderr, "vmlab sweep: %s\n", err);
        return -1;
    }
    return 0;
}

/* The manifest's recorded sweep, rebuilt into s; its inputs' paths. */
static int rebuild(struct sweep *s, json_t *m, const char *mpath, char ***argvp,
                   int (*parse)(struct sweep *s, int argc, char **argv))
{
    json_t *args = json_object_get(m, "arguments"), *ins = json_object_get(m, "inputs"),
           *runs = json_object_get(m, "runs"), *ver = json_object_get(m, "vmlab_version");
    if (!json_is_array(args) || !json_is_array(ins) || !json_is_integer(runs)) {
        fprintf(stderr, "vmlab sweep: %s: not a vmlab sweep manifest\n", mpath);
        return -1;
    }
    if (!json_is_string(ver) || strcmp(json_string_value(ver), VMLAB_VERSION))
        fprintf(stderr, "vmlab sweep: %s: planned by vmlab %s, collected by %s: a result that "
                "does not match this vmlab's counters is reported as corrupt\n", mpath,
                json_is_string(ver) ? json_string_value(ver) : "(unknown)", VMLAB_VERSION);
    size_t argc = json_array_size(args) + 1;
    char **argv = calloc(argc + 1, sizeof *argv);
    if (!argv)
        return -1;
    argv[0] = "sweep";
    for (size_t i = 1; i < argc; i++) {
        json_t *a = json_array_get(args, i - 1);
        if (!json_is_string(a)) {
            fprintf(stderr, "vmlab sweep: %s: an argument is not a string\n", mpath);
            free(argv);
            return -1;
        }
        argv[i] = (char *)json_string_value(a);
    }
    /* the arguments name files as the planning shell saw them: from its
     * directory, where this node has it (a cluster shares it) */
    json_t *cwd = json_object_get(m, "cwd");
    int here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool moved = here >= 0 && json_is_string(cwd) && chdir(json_string_value(cwd)) == 0;
    int rc = parse(s, (int)argc, argv);
    if (moved && fchdir(here) != 0) {
        fprintf(stderr, "vmlab sweep: cannot return to the directory collect started in: %s\n",
                strerror(errno));
        rc = -1;
    }
    if (here >= 0)
        close(here);
    *argvp = argv;   /* the sweep keeps pointers into it (inputs' names): freed after it */
    if (rc) {
        fprintf(stderr, "vmlab sweep: %s: its arguments do not make a sweep with this vmlab\n", mpath);
        return -1;
    }
    if (s->npt != (size_t)json_integer_value(runs) || s->nin != json_array_size(ins)) {
        fprintf(stderr, "vmlab sweep: %s: it says %" JSON_INTEGER_FORMAT " runs of %zu inputs; its "
                "arguments make %zu of %zu\n", mpath, json_integer_value(runs),
                json_array_size(ins), s->npt, s->nin);
        return -1;
    }
    for (size_t i = 0; i < s->nin; i++) {
        json_t *path = json_object_get(json_array_get(ins, i), "path");
        free(s->in[i].path);
        s->in[i].path = json_is_string(path) ? strdup(json_string_value(path)) : NULL;
        if (s->in[i].kind == IN_PROGRAM)   /* its argv[0] was the path just freed */
            ((char **)s->in[i].argv)[0] = s->in[i].path ? s->in[i].path : "";
        s->in[i].id.set = false;   /* the names are relative to the plan's directory */
    }
    return 0;
}

/* Each input's accesses per run and lines skipped, from a run of it that
 * finished (a killed run stopped early). */
static void learn_inputs(struct sweep *s)
{
    for (size_t k = 0; k < s->npt; k++) {
        struct point *p = &s->pt[k];
        struct sweep_input *in = &s->in[p->input];
        if (p->state == PT_DONE && !in->nrecs_known) {
            in->nrecs = (size_t)p->res.records;
            in->skipped = p->res.skipped;
            in->nrecs_known = true;
        }
    }
}

int sweep_collect(const char *dir, const char *prefix, bool partial, bool quiet,
                  int (*parse)(struct sweep *s, int argc, char **argv))
{
    char mpath[PATH_MAX + 16];
    snprintf(mpath, sizeof mpath, "%s/manifest", dir);
    json_error_t je;
    json_t *m = json_load_file(mpath, JSON_REJECT_DUPLICATES, &je);
    if (!m || !json_is_object(m)) {
        fprintf(stderr, "vmlab sweep: %s: %s\n", mpath, m ? "not a JSON object" : je.text);
        json_decref(m);
        return VMLAB_EXIT_ERROR;
    }
    struct sweep s;
    memset(&s, 0, sizeof s);
    int status = VMLAB_EXIT_ERROR;
    char *block = NULL, **jobs = NULL, **argv = NULL;
    enum run_problem *problem = NULL;
    if (rebuild(&s, m, mpath, &argv, parse) || !(jobs = read_jobs(dir, s.npt, &block)) ||
        !(problem = calloc(s.npt, sizeof *problem)))
        goto out;
    s.quiet = quiet;
    s.collected = true;
    json_t *digits = json_object_get(m, "result_digits");
    int width = json_is_integer(digits) ? (int)json_integer_value(digits) : 4;
    size_t nproblem[6] = {0};
    for (size_t k = 0; k < s.npt; k++) {
        char path[PATH_MAX + 64], why[600], label[512];
        snprintf(path, sizeof path, "%s/results/%0*zu.json", dir, width, k + 1);
        struct stat st;
        if (stat(path, &st) == 0) {
            problem[k] = read_result(&s, k, path, why, sizeof why);
        } else {
            snprintf(path, sizeof path, "%s/logs/%0*zu", dir, width, k + 1);
            problem[k] = no_result(path, why, sizeof why);
        }
        nproblem[problem[k]]++;
        if (problem[k] == RUN_OK)
            continue;
        if (problem[k] == RUN_INTERRUPTED)
            snprintf(why, sizeof why, "interrupted (Ctrl-C): its counts stop midway");
        sweep_point_label(&s, k, label, sizeof label);
        fprintf(stderr, "vmlab sweep: run %zu (%s): %s: %s\n", k + 1, label,
                problem_names[problem[k]], why);
        if (problem[k] != RUN_INTERRUPTED) {
            s.pt[k].state = problem[k] == RUN_MISSING ? PT_NOT_RUN : PT_FAILED;
            snprintf(s.pt[k].err, sizeof s.pt[k].err, "%s: %.480s", problem_names[problem[k]], why);
        }
    }
    if (write_rerun(dir, jobs, problem, s.npt))
        goto out;
    size_t bad = s.npt - nproblem[RUN_OK];
    if (bad) {
        char list[1024], sbatch[PATH_MAX + 1200] = "";
        size_t used = 0;
        for (size_t k = 0; k < s.npt && used < sizeof list - 16; k++)
            if (problem[k] != RUN_OK)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%zu", used ? "," : "",
                                         k + 1);
        if (used < sizeof list - 16)
            snprintf(sbatch, sizeof sbatch, " (Slurm: 'sbatch --array=%s %s/sbatch.sh')", list, dir);
        fprintf(stderr, "vmlab sweep: %zu of %zu runs did not finish (%zu missing, %zu crashed, "
                "%zu failed, %zu corrupt, %zu interrupted); %s/rerun.txt has their job lines: "
                "'parallel --will-cite < %s/rerun.txt' runs them%s; then collect again%s\n", bad,
                s.npt, nproblem[RUN_MISSING], nproblem[RUN_CRASHED], nproblem[RUN_FAILED],
                nproblem[RUN_CORRUPT], nproblem[RUN_INTERRUPTED], dir, dir, sbatch,
                partial ? "" : " (or give --partial for a report of what there is)");
        if (!partial)
            goto out;
    }
    learn_inputs(&s);
    status = VMLAB_EXIT_OK;
    for (size_t k = 0; k < s.npt; k++)
        if (s.pt[k].state == PT_KILLED) {
            char label[512];
            sweep_point_label(&s, k, label, sizeof label);
            fprintf(stderr, "vmlab sweep: run %zu (%s): the process was killed after %" PRIu64
                    " accesses: %s\n", k + 1, label, s.pt[k].res.records, s.pt[k].res.kill_msg);
            status = VMLAB_EXIT_KILLED;
        }
    status = sweep_write_outputs(&s, prefix, status, false);
out:
    free(problem);
    free(jobs);
    free(block);
    sweep_free(&s);
    free(argv);
    json_decref(m);
    return status;
}
