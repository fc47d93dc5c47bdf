/* replay_output.h — a replay's result as text (like perf stat), JSON or CSV.
 *
 * Every counter keeps its name in all three: the text report's label, the
 * JSON key under "stats", the CSV column. docs/replay.md has the schema.
 * Writes go to a stdio stream; the caller checks it (outfile_commit). */
#ifndef VMLAB_CLI_REPLAY_OUTPUT_H
#define VMLAB_CLI_REPLAY_OUTPUT_H

#include <stdio.h>

#include "cli/replay_opts.h"

void replay_print_text(FILE *f, const struct replay_opts *o, const char *input,
                       const char *format_name, const struct replay_result *r);
void replay_print_json(FILE *f, const struct replay_opts *o, const char *input,
                       const struct replay_result *r);

/* A result as one table row: the configuration, every counter (as
 * replay_stats lists them), then the derived values, as (name, text)
 * pairs. The CSV of `replay --csv` and of a sweep is made of these. */
struct replay_row {
    size_t n;
    size_t nconfig;                /* [0, nconfig): the configuration; then results */
    const char *name[REPLAY_MAX_STATS + 32];
    char *value[REPLAY_MAX_STATS + 32];
};
/* 0, or -1 (out of memory; the row is then empty). */
int replay_row_fill(struct replay_row *row, const struct replay_opts *o, const char *input,
                    const struct replay_result *r);
void replay_row_free(struct replay_row *row);

/* After `vmlab CMD` replayed input (r still open): how a program run as
 * the input (-- PROGRAM, is_command) ended, if not well; the simulated
 * process's kill; an interruption. The status, made worse by the last two. */
int replay_tell_end(const char *cmd, const char *input, struct trace_reader *r, bool is_command,
                    const struct replay_result *res, int status);

/* RFC 4180: a header record and one record, each ended by CRLF. */
void replay_print_csv(FILE *f, const struct replay_opts *o, const char *input,
                      const struct replay_result *r);

/* The share of accesses that faulted: pgfault / accesses (0 if none). */
double replay_miss_ratio(const struct replay_result *r);

#endif
