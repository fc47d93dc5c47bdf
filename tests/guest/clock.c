/* clock.c — virtual time and the run's seeded randomness (vmlab only: the
 * numbers it prints are the run's, reproducible, not the host's): sleeps,
 * clocks, getrandom, AT_RANDOM's bytes, and a refused signal handler. */
#include <errno.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>

#include "guest.h"

static void handler(int sig) { (void)sig; }

int main(void)
{
    struct timespec a, b, r;
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec d = {0, 2500000};   /* 2.5 ms */
    CHECK(nanosleep(&d, NULL) == 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long slept = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
    clock_gettime(CLOCK_REALTIME, &r);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    unsigned char rnd16[16];
    CHECK(getrandom(rnd16, sizeof rnd16, 0) == 16);
    const unsigned char *at = (const unsigned char *)getauxval(AT_RANDOM);
    errno = 0;
    int refused = signal(SIGUSR1, handler) == SIG_ERR && errno == EINVAL;
    printf("slept %ld ns (asked 2500000), realtime %lld.%09ld, tv %lld.%06ld\n", slept,
           (long long)r.tv_sec, r.tv_nsec, (long long)tv.tv_sec, (long)tv.tv_usec);
    printf("getrandom %02x%02x%02x%02x AT_RANDOM %02x%02x%02x%02x handler refused %d\n", rnd16[0],
           rnd16[1], rnd16[2], rnd16[3], at[0], at[1], at[2], at[3], refused);
    return 0;
}
