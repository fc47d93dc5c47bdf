/* cli_signals.c — exit statuses and signal handling shared by every
 * subcommand (cli.h). */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>

#include "cli/cli.h"
#include "replay/outfile.h"

const char cli_exit_status_help[] =
    "exit status:\n"
    "  0    success\n"
    "  1    bad input or an I/O error (a trace, an output file, the swap file)\n"
    "  2    usage error: a bad option or value; nothing was run\n"
    "  3    a simulated process was killed (out of memory, swap full or failing);\n"
    "       the report was written and says why\n"
    "  130  interrupted (Ctrl-C); the outputs hold what was done so far\n"
    "  (when several apply: 2, then 1, then 130, then 3)\n";

static int rank(int status)
{
    switch (status) {
    case VMLAB_EXIT_USAGE: return 4;
    case VMLAB_EXIT_ERROR: return 3;
    case VMLAB_EXIT_INTERRUPTED: return 2;
    case VMLAB_EXIT_KILLED: return 1;
    case VMLAB_EXIT_OK: return 0;
    default: return 3;
    }
}

int cli_exit_worst(int a, int b)
{
    return rank(b) > rank(a) ? b : a;
}

static volatile sig_atomic_t *stop_flag;

/* The stop flag is read by worker threads (a sweep's runs): it is stored
 * and loaded atomically, which is also async-signal-safe. */
static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGINT && stop_flag && !__atomic_load_n(stop_flag, __ATOMIC_RELAXED)) {
        __atomic_store_n(stop_flag, 1, __ATOMIC_RELAXED);   /* stop cleanly; a second
                                                              Ctrl-C ends vmlab at once */
        errno = saved;
        return;
    }
    temp_remove_all();
    signal(sig, SIG_DFL);
    raise(sig);           /* delivered when this handler returns */
    errno = saved;
}

void cli_catch_signals(volatile sig_atomic_t *stop)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
    stop_flag = stop;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        /* A signal that only stops the work lets interrupted calls go on
         * (a write of the report is not cut short); one that ends vmlab
         * interrupts them, so that a read blocked on a pipe returns and the
         * handler runs at once, even where it is deferred to a safe point
         * (ThreadSanitizer). */
        sa.sa_flags = sigs[i] == SIGINT && stop ? SA_RESTART : 0;
        sigaction(sigs[i], &sa, NULL);
    }
}
