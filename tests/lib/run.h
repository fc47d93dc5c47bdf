/* run.h — run a shell command from a test and capture what it printed. */
#ifndef VMLAB_TESTS_RUN_H
#define VMLAB_TESTS_RUN_H

struct run_result {
    int status;      /* exit code; 128 + signal if killed; -1 if it could not run */
    char *out, *err; /* everything written to stdout and stderr, NUL-terminated */
};

/* Run `cmd` with /bin/sh -c, stdin from /dev/null. */
int run_cmd(const char *cmd, struct run_result *r);
void run_free(struct run_result *r);

/* The vmlab command under test: $VMLAB (set by make check), else build/vmlab. */
const char *vmlab_bin(void);

#endif
