/* sweep_input.c — a sweep's inputs: trace files, standard input, --refs,
 * or `-- PROGRAM ARGS` (under Valgrind's lackey, as `vmlab replay`); or
 * RISC-V programs (--run 'PROGRAM ARGS'), which every run of the grid
 * runs afresh, as `vmlab run` does.
 *
 * Each input is one more dimension of the sweep: every run of the grid is
 * made for each. In process, an input is read into memory once (as far as
 * --limit) and replayed by all its runs, then freed before the next. A
 * plan names every input by its absolute path and records its size and
 * SHA-256 (Nettle's), so that a result can be tied to the bytes it came
 * from.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "cli/sweep.h"

/* Where ptr sits in the command line as given, -1 if not there. */
static int original_index(const struct replay_opts *o, const char *ptr)
{
    for (int i = 0; o->argv0 && i < o->argc0; i++)
        if (o->argv0[i] == ptr)
            return i;
    return -1;
}

static int add_input(struct sweep *s, enum input_kind kind, const char *name)
{
    for (size_t i = 0; i < s->nin; i++)
        if (!strcmp(s->in[i].name, name)) {
            fprintf(stderr, "vmlab sweep: the input '%s' is given twice\n", name);
            return -1;
        }
    struct sweep_input *grown = realloc(s->in, (s->nin + 1) * sizeof *grown);
    if (!grown) {
        fprintf(stderr, "vmlab sweep: out of memory\n");
        return -1;
    }
    s->in = grown;
    struct sweep_input *in = &s->in[s->nin++];
    memset(in, 0, sizeof *in);
    in->kind = kind;
    in->name = name;
    return 0;
}

int sweep_inputs_parse(struct sweep *s, int argc, char **argv, int first, const struct replay_opts *o)
{
    bool dashdash = first > 0 && first <= argc && !strcmp(argv[first - 1], "--");
    int dd = dashdash ? original_index(o, argv[first - 1]) : -1;
    int files_end = first;   /* getopt put the files given before "--" first */
    while (files_end < argc && (!dashdash || original_index(o, argv[files_end]) < dd))
        files_end++;
    if (s->programs) {
        if (first < argc || o->refs) {
            fprintf(stderr, "vmlab sweep: --run's programs and traces are not swept together "
                    "(a trace replays, a program runs): sweep a program's run trace "
                    "(vmlab run --trace-out FILE.vmt) with the traces, or the programs alone\n");
            return -1;
        }
        return 0;
    }
    if (o->refs) {
        if (files_end > first || dashdash) {
            fprintf(stderr, "vmlab sweep: --refs and another input exclude each other: --refs "
                            "is one input\n");
            return -1;
        }
        if (add_input(s, IN_REFS, "--refs"))
            return -1;
        s->in[0].bytes = strlen(o->refs);
        return 0;
    }
    bool stdin_seen = false;
    for (int i = first; i < files_end; i++) {
        bool is_stdin = !strcmp(argv[i], "-");
        if (is_stdin && stdin_seen) {
            fprintf(stderr, "vmlab sweep: standard input ('-') can be read once only\n");
            return -1;
        }
        stdin_seen |= is_stdin;
        if (add_input(s, is_stdin ? IN_STDIN : IN_FILE, argv[i]))
            return -1;
        struct sweep_input *in = &s->in[s->nin - 1];
        struct stat st;
        if (is_stdin) {
            if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode))
                in->id = file_id_of_fd(STDIN_FILENO);   /* "- < FILE" */
        } else {
            if (stat(argv[i], &st) == 0 && S_ISREG(st.st_mode))
                in->bytes = (uint64_t)st.st_size;
            in->id = file_id_of_path(argv[i]);
        }
    }
    if (dashdash) {
        if (files_end >= argc) {
            fprintf(stderr, "vmlab sweep: no program after --\n");
            return -1;
        }
        if (add_input(s, IN_COMMAND, argv[files_end]))
            return -1;
        s->in[s->nin - 1].argv = argv + files_end;
    }
    if (!s->nin) {
        fprintf(stderr, "vmlab sweep: no input: give trace FILEs, - for standard input, --refs "
                        "LIST, or -- PROGRAM ARGS\n");
        return -1;
    }
    return 0;
}

/* The words of spec, split at blanks: a NULL-ended malloc'd vector, its
 * count in *argc; NULL if out of memory. */
static char **split_words(const char *spec, int *argc)
{
    size_t n = 0, len = strlen(spec);
    for (const char *c = spec; *c;) {
        c += strspn(c, " \t");
        if (*c)
            n++;
        c += strcspn(c, " \t");
    }
    char **v = malloc((n + 1) * sizeof *v + len + 1);
    if (!v)
        return NULL;
    char *text = memcpy((char *)(v + n + 1), spec, len + 1);
    n = 0;
    for (char *c = text; *c;) {
        c += strspn(c, " \t");
        if (!*c)
            break;
        v[n++] = c;
        c += strcspn(c, " \t");
        if (*c)
            *c++ = 0;
    }
    v[n] = NULL;
    *argc = (int)n;
    return v;
}

int sweep_input_add_program(struct sweep *s, const char *spec)
{
    int argc;
    char **argv = split_words(spec, &argc);
    if (!argv) {
        fprintf(stderr, "vmlab sweep: out of memory\n");
        return -1;
    }
    if (!argc) {
        fprintf(stderr, "vmlab sweep: --run '%s': no program\n", spec);
        free(argv);
        return -1;
    }
    /* its absolute path is its name in every run, in process or planned:
     * a job runs from any directory, and both see the same argv[0] */
    char *path = realpath(argv[0], NULL);
    struct stat st;
    if (!path || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "vmlab sweep: --run '%s': %s: %s\n", spec, argv[0],
                path ? "not a regular file" : strerror(errno));
        free(path);
        free(argv);
        return -1;
    }
    if (add_input(s, IN_PROGRAM, spec)) {
        free(path);
        free(argv);
        return -1;
    }
    struct sweep_input *in = &s->in[s->nin - 1];
    argv[0] = path;
    in->path = path;
    in->argv = argv;
    in->argc = argc;
    in->bytes = (uint64_t)st.st_size;
    in->id = file_id_of_path(path);
    s->programs = true;
    return 0;
}

int sweep_input_run_trace(struct sweep *s, size_t i, void **bytes, size_t *len, char *err,
                          size_t errlen)
{
    struct sweep_input *in = &s->in[i];
    if (in->kind != IN_FILE)
        return 0;
    struct trace_options topt = {.name = in->name};
    struct trace_reader *r = trace_open(in->name, s->opts.format, &topt, err, errlen);
    if (!r)
        return -1;
    bool run = trace_reader_version(r) >= 2;
    trace_close(r);
    if (!run)
        return 0;
    FILE *f = fopen(in->name, "rb");
    size_t cap = 1 << 20, n = 0;
    char *b = f ? malloc(cap) : NULL;
    for (size_t got; b && (got = fread(b + n, 1, cap - n, f)) > 0;) {
        n += got;
        char *nb = n == cap ? realloc(b, cap *= 2) : b;
        if (!nb)
            free(b);
        b = nb;
    }
    bool bad = !b || ferror(f);
    if (f)
        fclose(f);
    if (bad) {
        snprintf(err, errlen, "%s: cannot read the run trace: %s", in->name,
                 b ? strerror(errno) : "out of memory");
        free(b);
        return -1;
    }
    *bytes = b;
    *len = n;
    return 1;
}

int sweep_input_load(struct sweep *s, size_t i, struct trace_record **recs, size_t *n, char *err,
                     size_t errlen)
{
    struct sweep_input *in = &s->in[i];
    struct trace_options topt = {.skip_bad = s->opts.skip_bad};
    struct trace_reader *r;
    switch (in->kind) {
    case IN_REFS:
        topt.name = "--refs";
        r = trace_open_mem(s->opts.refs, strlen(s->opts.refs), TRACE_REFS, &topt, err, errlen);
        break;
    case IN_COMMAND:
        r = trace_open_command(in->argv, &topt, err, errlen);
        break;
    default:
        r = trace_open(in->name, s->opts.format, &topt, err, errlen);
        break;
    }
    if (!r)
        return -1;
    int rc = replay_load(r, recs, n, s->opts.cfg.limit, err, errlen);
    in->skipped = trace_skipped(r);
    trace_close(r);
    if (rc == 0) {
        in->nrecs = *n;
        in->nrecs_known = true;
    }
    return rc;
}

/* The SHA-256 of a file's bytes, as hex. 0, or -1 with errno. */
static int sha256_file(const char *path, char hex[65])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    unsigned char buf[1 << 16];
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) != 0) {
        if (got < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        sha256_update(&ctx, (size_t)got, buf);
    }
    close(fd);
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return 0;
}

int sweep_inputs_identify(struct sweep *s)
{
    for (size_t i = 0; i < s->nin; i++) {
        struct sweep_input *in = &s->in[i];
        if (in->kind == IN_STDIN || in->kind == IN_COMMAND) {
            fprintf(stderr, "vmlab sweep: a planned sweep's inputs are files every node reads "
                    "at the same path: %s cannot be one%s\n",
                    in->kind == IN_STDIN ? "standard input" : "a program run under Valgrind",
                    in->kind == IN_STDIN ? "" : " (record it first: vmlab record -o FILE.vmt -- "
                                                "PROGRAM ARGS)");
            return -1;
        }
        if (in->kind == IN_REFS) {
            struct sha256_ctx ctx;
            uint8_t d[SHA256_DIGEST_SIZE];
            sha256_init(&ctx);
            sha256_update(&ctx, strlen(s->opts.refs), (const uint8_t *)s->opts.refs);
            sha256_digest(&ctx, sizeof d, d);
            for (int k = 0; k < SHA256_DIGEST_SIZE; k++)
                snprintf(in->sha256 + 2 * k, 3, "%02x", d[k]);
            continue;
        }
        struct stat st;
        if ((!in->path && !(in->path = realpath(in->name, NULL))) || stat(in->path, &st) != 0 ||
            sha256_file(in->path, in->sha256) != 0) {
            fprintf(stderr, "vmlab sweep: %s: %s\n", in->name, strerror(errno));
            return -1;
        }
        in->bytes = (uint64_t)st.st_size;
    }
    return 0;
}

bool sweep_is_input(const struct sweep *s, const char *path)
{
    for (size_t i = 0; i < s->nin; i++)
        if (s->in[i].id.set && file_id_names(s->in[i].id, path))
            return true;
    return false;
}
