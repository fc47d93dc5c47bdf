/* test_explain.c — `vmlab explain`: address splits printed exactly, and bad
 * input refused with exit status 2 and a message naming it. Runs the binary
 * named by $VMLAB (make check sets it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/run.h"
#include "lib/tap.h"

/* Run `$VMLAB args`, capturing stdout and stderr; returns the exit status. */
static int run(const char *args, char *out, size_t outlen, char *err, size_t errlen)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s %s", vmlab_bin(), args);
    struct run_result r;
    if (run_cmd(cmd, &r))
        return -1;
    snprintf(out, outlen, "%s", r.out);
    snprintf(err, errlen, "%s", r.err);
    run_free(&r);
    return r.status;
}

/* `vmlab explain --counters`: one line per counter, names from the
 * counter tables; docs/counters.md names exactly the same counters (its
 * tables' first column), so the legend cannot fall behind the code. */
static void counters_legend(void)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s explain --counters", vmlab_bin());
    struct run_result r;
    run_cmd(cmd, &r);
    is_i64(r.status, 0, "explain --counters: exit 0");
    static char names[256][64];
    int n = 0, malformed = 0;
    for (const char *line = r.out; line && *line && n < 256;) {
        const char *eol = strchr(line, '\n');
        size_t k = strcspn(line, " ");
        if (!eol || k == 0 || k >= 64 || (size_t)(eol - line) <= k + 2)
            malformed++;
        else
            snprintf(names[n++], 64, "%.*s", (int)k, line);
        line = eol ? eol + 1 : NULL;
    }
    ok(n > 60 && malformed == 0, "one line per counter, name then meaning (%d counters)", n);
    bool have[4] = {false};
    for (int i = 0; i < n; i++) {
        have[0] |= !strcmp(names[i], "pgfault");
        have[1] |= !strcmp(names[i], "page-faults");
        have[2] |= !strcmp(names[i], "footprint");
        have[3] |= !strcmp(names[i], "kill_pageout-io-error");
    }
    ok(have[0] && have[1] && have[2] && have[3], "machine, kernel, replay and kill counters all listed");
    run_free(&r);

    FILE *f = fopen("docs/counters.md", "r");
    static char doc[1 << 16];
    size_t len = f ? fread(doc, 1, sizeof doc - 1, f) : 0;
    doc[len] = 0;
    if (f)
        fclose(f);
    int missing = 0, unknown = 0, listed = 0;
    for (int i = 0; i < n; i++) {
        char row[128];
        snprintf(row, sizeof row, "\n| `%.63s` |", names[i]);
        if (!strstr(doc, row)) {
            tap_diag("docs/counters.md does not explain %s", names[i]);
            missing++;
        }
    }
    for (const char *p = doc; (p = strstr(p, "\n| `")); p++) {
        const char *q = p + 4, *end = strchr(q, '`');
        if (!end)
            break;
        listed++;
        bool known = false;
        for (int i = 0; i < n && !known; i++)
            known = strlen(names[i]) == (size_t)(end - q) && !strncmp(names[i], q, (size_t)(end - q));
        if (!known) {
            tap_diag("docs/counters.md explains '%.*s', which is no counter", (int)(end - q), q);
            unknown++;
        }
    }
    ok(missing == 0, "docs/counters.md explains every counter explain --counters lists");
    ok(unknown == 0 && listed == n, "and no other (%d rows, %d counters)", listed, n);
}

int main(void)
{
    counters_legend();
    char out[8192], err[4096];
    int rc = run("explain 0x7fffdeadbeef", out, sizeof out, err, sizeof err);
    is_i64(rc, 0, "explain x86-64 VA: exit 0");
    is_str(out,
           "x86-64 0x00007fffdeadbeef\n"
           "  canonical: yes\n"
           "  4 KiB    page:  PML4[255] (bits 47:39)  PDPT[511] (bits 38:30)  PD[245] (bits 29:21)  PT[219] (bits 20:12)  offset 0xeef (bits 11:0)\n"
           "  2 MiB    page:  PML4[255] (bits 47:39)  PDPT[511] (bits 38:30)  PD[245] (bits 29:21)  offset 0xdbeef (bits 20:0)\n"
           "  1 GiB    page:  PML4[255] (bits 47:39)  PDPT[511] (bits 38:30)  offset 0x1eadbeef (bits 29:0)\n"
           "  page number (4 KiB): 0x7fffdeadb\n"
           "\n"
           "TLB reach (golden-cove; entries x page size):\n"
           "  L1 ITLB  4 KiB pages: 256 x 4 KiB = 1 MiB; 2 MiB pages: 32 x 2 MiB = 64 MiB; 1 GiB pages: 32 x 2 MiB = 64 MiB\n"
           "  L1 DTLB  4 KiB pages: 96 x 4 KiB = 384 KiB; 2 MiB pages: 32 x 2 MiB = 64 MiB; 1 GiB pages: 8 x 1 GiB = 8 GiB\n"
           "  L2 TLB   4 KiB pages: 2048 x 4 KiB = 8 MiB; 2 MiB pages: 2048 x 2 MiB = 4 GiB; 1 GiB pages: 2048 x 1 GiB = 2 TiB\n",
           "explain 0x7fffdeadbeef: the whole picture, and golden-cove's reach (1G pages in the ITLB as 2M pieces)");

    /* the 32-bit formats: 10 + 10 + 12 bits (SDM vol. 3A 4.3; RISC-V Sv32) */
    rc = run("explain --format ia32 0x0041f7a0", out, sizeof out, err, sizeof err);
    is_i64(rc, 0, "ia32: exit 0");
    ok(strstr(out, "ia32 0x0041f7a0\n  fits 32 bits: yes\n"
                   "  4 KiB    page:  PD[1] (bits 31:22)  PT[31] (bits 21:12)  offset 0x7a0 (bits 11:0)\n"
                   "  4 MiB    page:  PD[1] (bits 31:22)  offset 0x1f7a0 (bits 21:0)  (with CR4.PSE)\n"
                   "  page number (4 KiB): 0x41f\n") == out,
       "ia32 0x0041f7a0: PD[1] PT[31], 4 MiB pages with PSE (%s)", out);
    ok(strstr(out, "L1 DTLB  4 KiB pages: 96 x 4 KiB = 384 KiB; 4 MiB pages: 96 x 4 KiB = 384 KiB"),
       "golden-cove's L1 DTLB has no 4 MiB array: 4 MiB pages in 4 KiB pieces");
    rc = run("explain -f sv32 --tlb haswell 0xbfffe123", out, sizeof out, err, sizeof err);
    ok(rc == 0 && strstr(out, "VPN[1][767] (bits 31:22)  VPN[0][1022] (bits 21:12)  offset 0x123 (bits 11:0)") &&
           strstr(out, "4 MiB    page:  VPN[1][767] (bits 31:22)  offset 0x3fe123 (bits 21:0)\n"),
       "sv32 0xbfffe123 split");
    ok(strstr(out, "TLB reach (haswell;") &&
           strstr(out, "L1 DTLB  4 KiB pages: 64 x 4 KiB = 256 KiB; 4 MiB pages: 32 x 4 MiB = 128 MiB\n") &&
           strstr(out, "L2 TLB   4 KiB pages: 1024 x 4 KiB = 4 MiB; 4 MiB pages: 1024 x 4 MiB = 4 GiB\n"),
       "haswell's reach for Sv32 pages");
    rc = run("explain -f ia32 0x100000000", out, sizeof out, err, sizeof err);
    ok(rc == 0 && strstr(out, "fits 32 bits: no (bits 63..32 must be 0: a 32-bit CPU cannot form it; vmlab raises #GP(0))"),
       "ia32: an address above 4 GiB does not fit, says #GP");
    rc = run("explain -f sv32 0xffffffff80000000", out, sizeof out, err, sizeof err);
    ok(rc == 0 && strstr(out, "fits 32 bits: no") && strstr(out, "raises a page fault"),
       "sv32: no sign extension, a page fault");
    rc = run("explain --tlb bogus 0x1", out, sizeof out, err, sizeof err);
    ok(rc == 2 && strstr(err, "'bogus'"), "unknown TLB preset: exit 2, named (%d)", rc);

    rc = run("explain --format x86-64-5 0x00ff800000001234", out, sizeof out, err, sizeof err);
    is_i64(rc, 0, "x86-64-5: exit 0");
    ok(strstr(out, "canonical: yes") != NULL, "x86-64-5 0x00ff800000001234 canonical");
    ok(strstr(out, "4 KiB    page:  PML5[255] (bits 56:48)  PML4[256] (bits 47:39)  PDPT[0] (bits 38:30)  PD[0] (bits 29:21)  PT[1] (bits 20:12)  offset 0x234 (bits 11:0)") != NULL,
       "x86-64-5 4K split");

    rc = run("explain 0x0000800000000000", out, sizeof out, err, sizeof err);
    is_i64(rc, 0, "non-canonical x86-64: still explained, exit 0");
    ok(strstr(out, "canonical: no (bits 63..48 must all equal bit 47; an access raises #GP(0), not #PF)") != NULL,
       "x86-64 non-canonical says #GP");

    rc = run("explain -f sv39 0x4000000000", out, sizeof out, err, sizeof err);
    ok(rc == 0 && strstr(out, "canonical: no (bits 63..39 must all equal bit 38; an access raises a page fault)"),
       "sv39 non-canonical says page fault");

    rc = run("explain -f sv57 0xff00000000000000", out, sizeof out, err, sizeof err);
    ok(rc == 0 && strstr(out, "canonical: yes"), "sv57 0xff00000000000000 canonical");
    ok(strstr(out, "256 TiB  page:  VPN[4][256] (bits 56:48)  offset 0x0 (bits 47:0)") != NULL,
       "sv57 has 256 TiB pages");
    ok(strstr(out, "512 GiB  page:  VPN[4][256] (bits 56:48)  VPN[3][0] (bits 47:39)  offset 0x0 (bits 38:0)") != NULL,
       "sv57 has 512 GiB pages");

    rc = run("explain -f sv48 0x123456789abc 4096", out, sizeof out, err, sizeof err);
    ok(rc == 0 && strstr(out, "VPN[3][36] (bits 47:39)  VPN[2][209] (bits 38:30)  VPN[1][179] (bits 29:21)  VPN[0][393] (bits 20:12)  offset 0xabc"),
       "sv48 0x123456789abc split");
    ok(strstr(out, "sv48 0x0000000000001000") != NULL, "a decimal second address (4096)");

    /* bad input: exit 2 and a message that names it */
    rc = run("explain zzz", out, sizeof out, err, sizeof err);
    ok(rc == 2 && strstr(err, "'zzz'"), "explain zzz: exit 2, names the input (%d)", rc);
    rc = run("explain 0x12g", out, sizeof out, err, sizeof err);
    ok(rc == 2 && strstr(err, "'0x12g'"), "trailing garbage: exit 2 (%d)", rc);
    rc = run("explain 0x10000000000000000", out, sizeof out, err, sizeof err);
    ok(rc == 2 && strstr(err, "0x10000000000000000"), "65-bit address: exit 2 (%d)", rc);
    rc = run("explain ''", out, sizeof out, err, sizeof err);
    ok(rc == 2 && err[0], "empty address: exit 2 (%d)", rc);
    rc = run("explain -- -5", out, sizeof out, err, sizeof err);
    ok(rc == 2 && strstr(err, "'-5'"), "negative address: exit 2 (%d)", rc);
    rc = run("explain --format sv64 0x1000", out, sizeof out, err, sizeof err);
    ok(rc == 2 && strstr(err, "'sv64'"), "unknown format: exit 2 and named (%d)", rc);
    rc = run("explain", out, sizeof out, err, sizeof err);
    ok(rc == 2 && strstr(err, "usage"), "no address: usage, exit 2 (%d)", rc);
    rc = run("explain --bogus 0x1", out, sizeof out, err, sizeof err);
    ok(rc == 2, "unknown option: exit 2 (%d)", rc);
    rc = run("explain --help", out, sizeof out, err, sizeof err);
    ok(rc == 0 && strstr(out, "usage: vmlab explain"), "--help: exit 0, usage on stdout");
    return tap_done();
}
