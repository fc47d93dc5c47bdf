/* tap.h — a tiny Test Anything Protocol emitter for vmlab's tests.
 *
 * Each test program prints a plan, one "ok N - name" or "not ok N - name"
 * line per assertion, and exits non-zero if any assertion failed, so that
 * `prove` reports the file as failed. Checks never abort: a failing check
 * prints what it got and what it expected, and the program goes on.
 *
 * Watchdog: every program linked with this library is watched from its
 * start (a constructor). If it has not exited after VMLAB_TEST_TIMEOUT
 * seconds (default 120, or 900 when VMLAB_SAN names a sanitizer build; 0
 * turns the watchdog off), it prints "not ok - watchdog: NAME did not
 * finish in S s" and exits with status 1: a hang fails that test, by name,
 * instead of stalling `make check`; the other tests go on.
 */
#ifndef VMLAB_TESTS_TAP_H
#define VMLAB_TESTS_TAP_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

void tap_plan(int n);                 /* "1..n"; 0 = plan printed by tap_done() */
bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool tap_eq_u64(uint64_t got, uint64_t want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool tap_eq_i64(int64_t got, int64_t want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool tap_eq_str(const char *got, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tap_skip(int n, const char *why);
int tap_failed(void);                 /* failures so far */
int tap_done(void);                   /* prints the plan if deferred; returns exit status */
/* The watchdog's limit in seconds (0: off), as read from the environment. */
unsigned tap_watchdog_seconds(void);

#define ok(c, ...)      tap_ok((c), __VA_ARGS__)
#define is_u64(g, w, ...) tap_eq_u64((uint64_t)(g), (uint64_t)(w), __VA_ARGS__)
#define is_i64(g, w, ...) tap_eq_i64((int64_t)(g), (int64_t)(w), __VA_ARGS__)
#define is_str(g, w, ...) tap_eq_str((g), (w), __VA_ARGS__)

#endif
