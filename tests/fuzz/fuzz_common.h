/* fuzz_common.h — what every trace-reader fuzz harness checks.
 *
 * The input is read twice from memory, strictly and with skip_bad, and
 * these must hold whatever the bytes:
 *   - no crash, leak or undefined behaviour (the sanitizers watch);
 *   - every record is valid: size >= 1, kind READ/WRITE/FETCH, and
 *     va + size - 1 does not wrap;
 *   - an error always comes with a message naming the input;
 *   - the strict records are a prefix of the skip_bad records, and if the
 *     strict read succeeded, skip_bad read the same and skipped nothing;
 *   - trace_next keeps answering the same after the end or an error.
 * Reading stops after FUZZ_MAX_RECORDS so a decompression bomb costs
 * time, not the run.
 */
#ifndef VMLAB_FUZZ_COMMON_H
#define VMLAB_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmlab/trace.h>

#define FUZZ_MAX_RECORDS 200000
#define FUZZ_KEEP 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check(int cond, const char *what)
{
    if (!cond) {
        fprintf(stderr, "fuzz invariant broken: %s\n", what);
        abort();
    }
}

struct fuzz_run {
    int rc;                 /* last trace_next answer, -2 if open failed */
    uint64_t n;
    uint64_t skipped;
    struct trace_record keep[FUZZ_KEEP];
};

static void fuzz_read(const uint8_t *data, size_t size, enum trace_format fmt, int skip_bad,
                      struct fuzz_run *run)
{
    char err[512] = "";
    struct trace_options opt = {.skip_bad = skip_bad != 0, .name = "fuzz"};
    struct trace_reader *r = trace_open_mem(data, size, fmt, &opt, err, sizeof err);
    run->n = 0;
    run->skipped = 0;
    if (!r) {
        fuzz_check(strncmp(err, "fuzz", 4) == 0, "open error names the input");
        run->rc = -2;
        return;
    }
    fuzz_check(trace_reader_format(r) != TRACE_AUTO, "a format is chosen");
    struct trace_record rec;
    while (run->n < FUZZ_MAX_RECORDS && (run->rc = trace_next(r, &rec)) == 1) {
        fuzz_check(rec.size >= 1, "size >= 1");
        fuzz_check((unsigned)rec.kind <= VM_ACCESS_FETCH, "known kind");
        fuzz_check(rec.va + (rec.size - 1) >= rec.va, "no wrap-around");
        if (run->n < FUZZ_KEEP)
            run->keep[run->n] = rec;
        run->n++;
    }
    if (run->n == FUZZ_MAX_RECORDS) {
        run->rc = 2;   /* stopped early */
    } else {
        fuzz_check(trace_next(r, &rec) == run->rc, "final answer repeats");
        if (run->rc < 0)
            fuzz_check(strncmp(trace_error(r), "fuzz", 4) == 0, "error names the input");
        else
            fuzz_check(trace_error(r)[0] == 0, "no message without an error");
    }
    fuzz_check(trace_records(r) == run->n, "trace_records counts");
    run->skipped = trace_skipped(r);
    if (!skip_bad)
        fuzz_check(run->skipped == 0, "nothing skipped in strict mode");
    trace_close(r);
}

static struct fuzz_run fuzz_strict, fuzz_lenient;

static int fuzz_both(const uint8_t *data, size_t size, enum trace_format fmt)
{
    fuzz_read(data, size, fmt, 0, &fuzz_strict);
    fuzz_read(data, size, fmt, 1, &fuzz_lenient);
    struct fuzz_run *s = &fuzz_strict, *l = &fuzz_lenient;
    if (s->rc == 2 || l->rc == 2)
        return 0;
    fuzz_check((s->rc == -2) == (l->rc == -2), "open succeeds or fails alike");
    fuzz_check(s->n <= l->n, "strict reads no more than lenient");
    uint64_t k = s->n < FUZZ_KEEP ? s->n : FUZZ_KEEP;
    for (uint64_t i = 0; i < k; i++)
        fuzz_check(s->keep[i].va == l->keep[i].va && s->keep[i].size == l->keep[i].size &&
                   s->keep[i].kind == l->keep[i].kind, "strict records prefix lenient ones");
    if (s->rc == 0)
        fuzz_check(l->rc == 0 && l->n == s->n && l->skipped == 0, "clean input reads alike");
    return 0;
}

#endif
