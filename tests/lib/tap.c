/* tap.c — see tap.h. */
#include "tap.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
