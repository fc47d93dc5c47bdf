/* run.h — run a shell command from a test and capture what it printed. */
#ifndef VMLAB_TESTS_RUN_H
#define VMLAB_TESTS_RUN_H

#include <stdint.h>

struct run_result {
    int status;      /* exit code; 128 + signal if killed; -1 if it could not run */
    char *out, *err; /* everything written to stdout and stderr, NUL-terminated */
};

/* Run `cmd` with /bin/sh -c, stdin from /dev/null. */
int run_cmd(const char *cmd, struct run_result *r);
void run_free(struct run_result *r);

/* run_cmd of a printf-formatted command (at most 4095 bytes). */
struct run_result run_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The vmlab command under test: $VMLAB (set by make check), else build/vmlab. */
const char *vmlab_bin(void);

/* The number after "KEY": in a vmlab JSON report: NAN, or UINT64_MAX for
 * json_u64, when the key is absent (the first occurrence counts). */
double json_number(const char *json, const char *key);
uint64_t json_u64(const char *json, const char *key);

#endif
