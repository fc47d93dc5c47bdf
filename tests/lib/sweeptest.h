/* sweeptest.h — helpers of the sweep tests: commands, files, CSV tables. */
#ifndef VMLAB_TESTS_SWEEPTEST_H
#define VMLAB_TESTS_SWEEPTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/run.h"

/* Run a formatted shell command; stderr made one line ('|' for newlines). */
struct run_result st_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A whole file, NUL-terminated (NULL if it cannot be read); *len its size. */
char *st_slurp(const char *path, size_t *len);
/* Occurrences of needle in hay (0 for a NULL hay). */
size_t st_count(const char *hay, const char *needle);

/* An RFC 4180 CSV read into rows of fields (row 0: the header). */
struct st_csv {
    size_t nrows, ncols;
    char ***cell;                  /* cell[row][col] */
};
/* 0, or -1 if it cannot be read or its rows are not all as wide. */
int st_csv_read(const char *path, struct st_csv *t);
void st_csv_free(struct st_csv *t);
/* The column named name, -1 if none. */
int st_csv_col(const struct st_csv *t, const char *name);
/* Are a's and b's rows equal but for column `skip` (by name; NULL: none)?
 * false (and a diagnostic naming the first difference) if not. */
bool st_csv_same(const struct st_csv *a, const struct st_csv *b, const char *skip);

#endif
