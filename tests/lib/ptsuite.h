/* ptsuite.h — the project's PintOS suite (tests/pintos/): its cases
 * (tests/pintos/ck/NAME.ck, the format test_pintos.c describes), the file
 * system each runs in, and one run of `vmlab run --abi pintos`. Shared by
 * tests/test_pintos.c (which checks the runs) and bench/bench_pintos.c
 * (which times them). Paths are relative to the project root. */
#ifndef VMLAB_TESTS_PTSUITE_H
#define VMLAB_TESTS_PTSUITE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/run.h"

#define PT_CASE_ITEMS 16

struct pt_counter_check {
    char name[64], op[3];
    uint64_t value;
};

struct pt_file_check {
    char name[64];
    long long size;   /* -1: absent */
};

struct pt_case {
    char name[64];
    char run[4096], files[2048], dirs[256], opts[1024], stdin_name[128];
    int status;
    bool per_name, san;
    struct pt_counter_check counters[PT_CASE_ITEMS];
    int ncounters;
    struct pt_file_check checks[PT_CASE_ITEMS];
    int nchecks;
    char *expect;   /* the expected stdout */
};

/* The PintOS programs' directory: $(B)/pintos beside the vmlab under test
 * (vmlab_bin()). false if they were not built (no cross compiler). */
bool pt_programs(char *dir, size_t len);
/* The cases' file names (NAME.ck), sorted; *n of them. Free with
 * pt_names_free. NULL if tests/pintos/ck cannot be read. */
char **pt_case_names(size_t *n);
void pt_names_free(char **names, size_t n);
/* Parse tests/pintos/ck/FILE. 0, or -1 (malformed: a message in err). */
int pt_case_load(const char *file, struct pt_case *c, char *err, size_t errlen);
void pt_case_free(struct pt_case *c);

/* One run of a case: a scratch directory `top` holding only the fs, the
 * command run in it, what it printed, how long it took. */
struct pt_outcome {
    char top[PATH_MAX], fs[PATH_MAX];
    struct run_result r;   /* stderr: the JSON report */
    double seconds;        /* wall time of the run */
    uint64_t instructions; /* guest instructions (the report's); UINT64_MAX if unknown */
};
/* Make the fs (the programs and files the case names) and run the case.
 * 0, or -1 and a message (the fs could not be made). pt_outcome_free
 * removes the scratch directory. */
int pt_case_run(const struct pt_case *c, const char *programs, struct pt_outcome *o, char *err,
                size_t errlen);
void pt_outcome_free(struct pt_outcome *o);

/* Helpers. */
void pt_join(char *out, size_t len, const char *a, const char *b);
char *pt_slurp(const char *path, size_t *len);
int pt_copy_file(const char *from, const char *to);
int pt_entries(const char *dir);   /* entries of dir but . and .., or -1 */

#endif
