/* tap.c — see tap.h. */
#include "tap.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int planned = -1, count, failures;
static pthread_mutex_t tap_lock = PTHREAD_MUTEX_INITIALIZER;

void tap_plan(int n)
{
    planned = n;
    if (n > 0)
        printf("1..%d\n", n);
    fflush(stdout);
}

static bool report(bool cond, const char *fmt, va_list ap)
{
    pthread_mutex_lock(&tap_lock);
    count++;
    if (!cond)
        failures++;
    printf("%sok %d - ", cond ? "" : "not ", count);
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    pthread_mutex_unlock(&tap_lock);
    return cond;
}

bool tap_ok(bool cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(cond, fmt, ap);
    va_end(ap);
    return cond;
}

bool tap_eq_u64(uint64_t got, uint64_t want, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(got == want, fmt, ap);
    va_end(ap);
    if (got != want)
        tap_diag("  got 0x%" PRIx64 " (%" PRIu64 "), want 0x%" PRIx64 " (%" PRIu64 ")",
                 got, got, want, want);
    return got == want;
}

bool tap_eq_i64(int64_t got, int64_t want, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(got == want, fmt, ap);
    va_end(ap);
    if (got != want)
        tap_diag("  got %" PRId64 ", want %" PRId64, got, want);
    return got == want;
}

bool tap_eq_str(const char *got, const char *want, const char *fmt, ...)
{
    bool same = got && want ? strcmp(got, want) == 0 : got == want;
    va_list ap;
    va_start(ap, fmt);
    report(same, fmt, ap);
    va_end(ap);
    if (!same)
        tap_diag("  got \"%s\", want \"%s\"", got ? got : "(null)", want ? want : "(null)");
    return same;
}

void tap_diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&tap_lock);
    printf("# ");
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
    pthread_mutex_unlock(&tap_lock);
    va_end(ap);
}

void tap_skip(int n, const char *why)
{
    for (int i = 0; i < n; i++) {
        pthread_mutex_lock(&tap_lock);
        printf("ok %d # skip %s\n", ++count, why);
        pthread_mutex_unlock(&tap_lock);
    }
    fflush(stdout);
}

int tap_failed(void)
{
    return failures;
}

int tap_done(void)
{
    if (planned <= 0)
        printf("1..%d\n", count);
    else if (planned != count)
        printf("# planned %d tests but ran %d\n", planned, count);
    fflush(stdout);
    return failures || (planned > 0 && planned != count) || count == 0 ? 1 : 0;
}

/* ---- the watchdog ---- */

/* The limit: VMLAB_TEST_TIMEOUT seconds if set (0 = off), else 120 s, or
 * 900 s in a sanitizer build (VMLAB_SAN set), where tests run 5-20x
 * slower. */
unsigned tap_watchdog_seconds(void)
{
    const char *t = getenv("VMLAB_TEST_TIMEOUT");
    if (t && *t) {
        char *end;
        unsigned long v = strtoul(t, &end, 10);
        return *end ? 120 : (unsigned)v;
    }
    const char *san = getenv("VMLAB_SAN");
    return san && *san ? 900 : 120;
}

static void *watchdog(void *arg)
{
    unsigned secs = (unsigned)(uintptr_t)arg;
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += secs;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
        ;
    /* A hung thread may hold the lock mid-line: take it if free, so the
     * line is not torn, but print in any case. */
    (void)pthread_mutex_trylock(&tap_lock);
    fflush(stdout);
    /* not "Bail out!": that would stop prove, and the other tests with it */
    dprintf(STDOUT_FILENO, "\nnot ok %d - watchdog: %s did not finish in %u s (a hang? "
            "VMLAB_TEST_TIMEOUT sets the limit)\n", count + 1, program_invocation_short_name, secs);
    dprintf(STDERR_FILENO, "%s: watchdog: no exit after %u s\n", program_invocation_short_name,
            secs);
    _exit(1);
}

__attribute__((constructor)) static void watchdog_start(void)
{
    unsigned secs = tap_watchdog_seconds();
    if (!secs)
        return;
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 64 * 1024);
    if (pthread_create(&t, &a, watchdog, (void *)(uintptr_t)secs) != 0)
        fprintf(stderr, "%s: cannot start the test watchdog\n", program_invocation_short_name);
    pthread_attr_destroy(&a);
}
