/* test_replay_32.c — `vmlab replay` and `vmlab sweep` with the 32-bit
 * formats from the command line: a course trace replays under ia32 and
 * sv32 with the whole 4 GiB for the user, an address a format cannot hold
 * is refused with a message naming the input and the record (exit 1), and
 * the combinations not available yet (--thp always) are refused up front
 * (exit 2). Runs the binary named by $VMLAB (make check sets it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/run.h"
#include "lib/tap.h"

static int run(const char *args, struct run_result *r)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s %s", vmlab_bin(), args);
    if (run_cmd(cmd, r))
        return -1;
    return r->status;
}

int main(void)
{
    struct run_result r;
    char path[64], args[512];
    snprintf(path, sizeof path, "/tmp/vmlab-test-32-%d.rw", (int)getpid());
    FILE *f = fopen(path, "w");
    if (!f)
        return 1;
    /* a course trace's top and bottom, then an address above 4 GiB on line 4 */
    fprintf(f, "0041f7a0 R\nfffff000 W\nbfffe123 R\n100000000 W\n0041f7a4 R\n");
    fclose(f);

    for (int i = 0; i < 2; i++) {
        const char *fmt = i ? "sv32" : "ia32";
        snprintf(args, sizeof args, "replay --no-progress --pt %s --limit 3 %s", fmt, path);
        int rc = run(args, &r);
        ok(rc == 0 && strstr(r.out, "page tables") && strstr(r.out, fmt) &&
               !strstr(r.out, "folded"), "%s: the first three records (up to 0xfffff000) replay, none folded",
           fmt);
        ok(strstr(r.out, "TLB reach (entries x page size):") && strstr(r.out, "4 MiB pages:"),
           "%s: the report shows the TLB reach for 4 KiB and 4 MiB pages", fmt);
        run_free(&r);

        snprintf(args, sizeof args, "replay --no-progress --pt %s %s", fmt, path);
        rc = run(args, &r);
        ok(rc == 1 && strstr(r.err, path) && strstr(r.err, "record 4 (line 4)") &&
               strstr(r.err, "0x100000000") && strstr(r.err, fmt),
           "%s: an address above 4 GiB is refused, naming the input, record and line (%d: %s)", fmt, rc,
           r.err);
        run_free(&r);

        snprintf(args, sizeof args, "replay --no-progress --pt %s --policy opt %s", fmt, path);
        rc = run(args, &r);
        ok(rc == 1 && strstr(r.err, "record 4") && strstr(r.err, "does not fit"),
           "%s with opt (records loaded first): refused too (%s)", fmt, r.err);
        run_free(&r);

        snprintf(args, sizeof args, "replay --no-progress --pt %s --thp always %s", fmt, path);
        rc = run(args, &r);
        ok(rc == 2 && strstr(r.err, "--thp always") && strstr(r.err, fmt),
           "%s --thp always: refused for now, exit 2 (%s)", fmt, r.err);
        run_free(&r);

        snprintf(args, sizeof args, "sweep --pt %s --tlb-sizes 8,16 --out /tmp/vmlab-test-32-%d %s", fmt,
                 (int)getpid(), path);
        rc = run(args, &r);
        ok(rc == 2 && strstr(r.err, "--page-sizes 4k"), "%s sweep with the 2m series: refused, exit 2", fmt);
        run_free(&r);
    }
    /* the 64-bit formats still fold, and count it */
    snprintf(args, sizeof args, "replay --no-progress --pt sv39 %s", path);
    int rc = run(args, &r);
    ok(rc == 0 && !strstr(r.out, "folded"), "sv39: 0x100000000 fits the lower half");
    run_free(&r);
    snprintf(args, sizeof args, "replay --no-progress --pt x86-64 --tlb haswell %s", path);
    rc = run(args, &r);
    ok(rc == 0 && strstr(r.out, "haswell TLB") &&
           strstr(r.out, "L2 TLB   4 KiB pages: 1024 x 4 KiB = 4 MiB; 2 MiB pages: 1024 x 2 MiB = 2 GiB"),
       "--tlb haswell: the report's reach");
    run_free(&r);
    unlink(path);
    return tap_done();
}
