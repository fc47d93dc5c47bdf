/* refs.c — see refs.h. */
#include "refs.h"

#include <stdlib.h>

#include <vmlab/trace.h>

#include "replay/replay.h"
#include "tap.h"

struct cpu_ref *refs_load(const char *path, size_t max, size_t *n)
{
    char err[512];
    struct trace_options topt = {0};
    struct trace_reader *rd = trace_open(path, TRACE_AUTO, &topt, err, sizeof err);
    struct trace_record *recs = NULL;
    int rc = rd ? replay_load(rd, &recs, n, max, err, sizeof err) : -1;
    if (rd)
        trace_close(rd);
    struct cpu_ref *refs = rc == 0 ? malloc((*n ? *n : 1) * sizeof *refs) : NULL;
    if (!ok(refs != NULL, "load %s", path)) {
        tap_diag("%s", err);
        free(recs);
        return NULL;
    }
    for (size_t i = 0; i < *n; i++)
        refs[i] = (struct cpu_ref){.va = recs[i].va, .size = recs[i].size, .acc = recs[i].kind};
    free(recs);
    return refs;
}
