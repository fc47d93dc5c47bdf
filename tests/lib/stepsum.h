/* stepsum.h — `vmlab step --json-lines` read back, and its events summed
 * the way each counter of a report counts (test_step_cli, test_step_run). */
#ifndef VMLAB_TESTS_STEPSUM_H
#define VMLAB_TESTS_STEPSUM_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/jsontree.h"

/* The JSON lines of an output, parsed; n set. NULL entries for bad lines
 * (*all_ok false, the first said in a diagnostic). */
struct json **json_lines(const char *out, size_t *n, bool *all_ok);
void json_lines_free(struct json **v, size_t n);

struct step_sums {
    uint64_t steps, dloads, dstores, iloads, dload_miss, dstore_miss, iload_miss, dl1_miss,
        il1_miss, stlb, dirty_rewalks, walks, refs, ad, pwc_hits, pwc_misses, page_faults, pgfault,
        major, minor, zero, swpin, steal, swpout, drop, scan, activate, deactivate, flushed,
        sent, cow_copy, cow_reuse;
};
/* Add one step's events. */
void step_sum(const struct json *step, struct step_sums *t);
/* Every sum against the report's stats object (a diagnostic per
 * difference); skip_accesses: the steps are not the accesses counted (a
 * program's steps hold the system calls' copies). */
bool step_sums_compare(const char *what, const struct json *stats, const struct step_sums *t,
                       bool skip_accesses);
/* The whole check: the steps of steps_out (`vmlab step --json-lines`)
 * summed against the stats of report_out (`--json`), as above; *n the
 * steps read. False if either does not parse or a sum differs. */
bool step_sums_match(const char *what, const char *steps_out, const char *report_out,
                     bool skip_accesses, size_t *n);

#endif
