/* test_step_run.c — `vmlab step --run` and `vmlab explore --run`: a RISC-V
 * program's accesses as steps, each with the instruction that made it.
 *
 *   1. The instruction in words (rv_disasm) against binutils' objdump
 *      (-M no-aliases) for every 4-byte instruction of a guest program,
 *      and compressed ones worked by hand (the instruction they expand to).
 *   2. A program written here, stepped: the exec's copy of the stack, the
 *      first fetch (a page fault: file read at offset 0), the load and the
 *      store, each with its pc, encoding and disassembly, the data page's
 *      file read and the store's copy-on-write break (a private file page
 *      written: copied), the exit's ecall.
 *   3. Step output summed equals `vmlab run --json`'s counters of the same
 *      program and options, for every policy a run takes, under memory
 *      pressure, with fork, exec and copy-on-write (forktree), on 2 CPUs.
 *   4. --from / --count pick exactly the steps a full run shows; the
 *      program's output goes to stderr; explore --run writes a page of
 *      the same steps; refusals and errors (exit 2 and 1).
 * The guest corpus is built into build/guest by the Makefile; without the
 * cross compiler the tests skip, saying why.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vmlab/isa.h>

#include "lib/jsontree.h"
#include "lib/ptbuild.h"
#include "lib/run.h"
#include "lib/rvguest.h"
#include "lib/stepsum.h"
#include "lib/tap.h"

#define GUEST "build/guest/"

/* ---- 1. the instruction in words ---- */

/* "a0, 8(sp)" and "a0,8(sp)" alike: no blanks, no "0x". */
static void squeeze(const char *in, char *out, size_t len)
{
    size_t n = 0;
    for (const char *p = in; *p && n + 1 < len; p++) {
        if (*p == ' ' || *p == '\t')
            continue;
        if (p[0] == '0' && p[1] == 'x') {
            p++;
            continue;
        }
        out[n++] = *p;
    }
    out[n] = 0;
}

static void against_objdump(const char *elf)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "riscv64-linux-gnu-objdump -d -M no-aliases %s", elf);
    struct run_result r = run_fmt("%s", cmd);
    if (r.status != 0) {
        tap_skip(1, "riscv64-linux-gnu-objdump is not installed (binutils-riscv64-linux-gnu, "
                    "with the cross compiler)");
        run_free(&r);
        return;
    }
    size_t n = 0, bad = 0;
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
        /* "   10788:\t022000ef          \tjal\tra,107aa <load_gp>" */
        unsigned long long pc;
        char word[16], mnem[32], ops[256] = "";
        int got = sscanf(line, " %llx: %15s %31s %255[^\n]", &pc, word, mnem, ops);
        if (got < 3 || strlen(word) != 8)
            continue;                          /* not an instruction, or a compressed one */
        char *cut = strstr(ops, " #");
        if (cut)
            *cut = 0;
        if ((cut = strstr(ops, " <")))
            *cut = 0;
        char want[320], mine[128], have[320];
        snprintf(want, sizeof want, "%s %s", mnem, ops);
        unsigned raw = (unsigned)strtoul(word, NULL, 16);
        rv_disasm(raw, pc, mine, sizeof mine);
        squeeze(want, want + 160, 160);
        squeeze(mine, have, sizeof have);
        /* the mnemonic keeps its separating blank in neither: compare whole */
        if (strcmp(want + 160, have)) {
            if (bad++ < 5)
                tap_diag("0x%llx %s: objdump '%s %s', vmlab '%s'", pc, word, mnem, ops, mine);
        }
        n++;
    }
    ok(n > 10000 && bad == 0, "rv_disasm says what objdump -M no-aliases says for each of the %zu "
       "4-byte instructions of %s (%zu differ)", n, elf, bad);
    run_free(&r);
}

static void disasm(void)
{
    static const struct { uint32_t raw; uint64_t pc; const char *text; unsigned len; } cases[] = {
        {0x022000ef, 0x10788, "jal ra, 0x107aa", 4},
        {0x6582, 0x10796, "ld a1, 0(sp)", 2},            /* c.ldsp */
        {0xeca6, 0x10910, "sd s1, 88(sp)", 2},           /* c.sdsp */
        {0x87aa, 0x1078c, "add a5, zero, a0", 2},        /* c.mv a5, a0 */
        {0x4a01, 0x1062c, "addi s4, zero, 0", 2},        /* c.li s4, 0 */
        {0x9002, 0x107a8, "ebreak", 2},                  /* c.ebreak */
        {0x00000073, 0, "ecall", 4},
        {0x04c5a52f, 0, "amoadd.w.aq a0, a2, (a1)", 4},
        {0x02c5f553, 0, "fadd.d fa0, fa1, fa2", 4},
        {0xc0102573, 0, "csrrs a0, time, zero", 4},
        {0x0ff0000f, 0, "fence iorw,iorw", 4},
        {0x00000000, 0, "illegal", 2},                   /* the all-zero halfword is reserved */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        unsigned len = rv_disasm(cases[i].raw, cases[i].pc, buf, sizeof buf);
        ok(!strcmp(buf, cases[i].text) && len == cases[i].len, "0x%0*x is '%s' (%u bytes): '%s' (%u)",
           cases[i].len == 2 ? 4 : 8, cases[i].raw, cases[i].text, cases[i].len, buf, len);
    }
}

/* ---- 2. a program worked by hand ---- */

static const char *const hand_src =
    "    .option norvc\n"              /* 4-byte instructions: pcs at _start + 4k */
    "    .text\n"
    "    .globl _start\n"
    "_start:\n"
    "    lla a0, value\n"                /* auipc + addi: no access */
    "    ld a1, 0(a0)\n"                 /* the data page: a fault, a file read */
    "    addi a1, a1, 1\n"
    "    sd a1, 8(a0)\n"                 /* a private file page written: copied */
    "    li a0, 0\n"
    "    li a7, 93\n"                    /* exit(0) */
    "    ecall\n"
    "    .data\n"
    "    .balign 4096\n"
    "value:\n"
    "    .dword 41, 0\n";

static unsigned long long symbol(const char *elf, const char *name)
{
    struct run_result r = run_fmt("riscv64-linux-gnu-nm %s", elf);
    unsigned long long v = 0;
    char pat[64];
    snprintf(pat, sizeof pat, " %s\n", name);
    char *at = r.status == 0 ? strstr(r.out, pat) : NULL;
    if (at) {
        while (at > r.out && at[-1] != '\n')
            at--;
        v = strtoull(at, NULL, 16);
    }
    run_free(&r);
    return v;
}

static const struct json *event(const struct json *step, const char *type, unsigned nth)
{
    const struct json *evs = jt_get(step, "events");
    for (size_t i = 0; evs && i < evs->n; i++)
        if (jt_is(jt_get(&evs->item[i], "type"), type) && nth-- == 0)
            return &evs->item[i];
    return NULL;
}

static bool insn_is(const struct json *step, unsigned long long pc, const char *text)
{
    const struct json *in = jt_get(step, "insn");
    return in && jt_u64(jt_get(in, "pc")) == pc && jt_is(jt_get(in, "text"), text);
}

static void by_hand(const char *v)
{
    char elf[512];
    if (rvg_build("step-hand", "S", hand_src, "", elf, sizeof elf)) {
        ok(0, "the hand-written program builds");
        return;
    }
    unsigned long long start = symbol(elf, "_start"), value = symbol(elf, "value");
    struct run_result r = run_fmt("%s step --run --json-lines -- %s", v, elf);
    size_t n;
    bool good;
    struct json **s = json_lines(r.out, &n, &good);
    /* the exit's ecall is on the page the fetch unit holds: no access */
    ok(r.status == 0 && good && n == 4 && start && value,
       "four steps: exec's copy of the stack, the fetch, the load, the store (%zu)", n);
    if (r.status || n != 4)
        tap_diag("exit %d: %.300s\n%.2000s", r.status, r.err, r.out);
    if (good && n == 4) {
        const struct json *a = s[0], *f = s[1], *ld = s[2], *sd = s[3];
        ok(jt_true(jt_get(a, "copy")) && jt_is(jt_get(a, "access"), "store") && !jt_get(a, "insn") &&
           jt_u64(jt_get(a, "pid")) == 1,
           "step 1: the kernel's copy of the program's stack (exec: no instruction), pid 1");
        const struct json *h = event(f, "handled", 0);
        ok(jt_is(jt_get(f, "access"), "fetch") && jt_u64(jt_get(f, "va")) == start &&
           insn_is(f, start, "auipc a0, 0x1") && h && jt_is(jt_get(h, "action"), "file-read") &&
           jt_u64(jt_get(h, "file_offset")) == 0,
           "step 2: the fetch at _start (0x%llx), 'auipc a0, 0x1': a page fault, the text read from "
           "offset 0", start);
        h = event(ld, "handled", 0);
        ok(jt_is(jt_get(ld, "access"), "load") && jt_u64(jt_get(ld, "va")) == value &&
           jt_u64(jt_get(ld, "size")) == 8 && insn_is(ld, start + 8, "ld a1, 0(a0)") && h &&
           jt_is(jt_get(h, "action"), "file-read"),
           "step 3: 'ld a1, 0(a0)' at _start+8 loads 8 bytes at value (0x%llx): the data page read "
           "from its file", value);
        /* the kernel reads a private file page into a frame of the process's
         * own, writable: the store needs no copy, only D */
        const struct json *t = event(sd, "tlb", 0), *w = event(sd, "walk", 0);
        const struct json *leaf = w ? jt_at(jt_get(w, "entries"), jt_get(w, "entries")->n - 1) : NULL;
        ok(jt_is(jt_get(sd, "access"), "store") && jt_u64(jt_get(sd, "va")) == value + 8 &&
           insn_is(sd, start + 16, "sd a1, 8(a0)") && !event(sd, "fault", 0) && t &&
           jt_is(jt_get(t, "verdict"), "dirty-rewalk") && leaf &&
           jt_u64(jt_get(leaf, "written")) == (jt_u64(jt_get(leaf, "pte")) | 0x80),
           "step 4: 'sd a1, 8(a0)' at _start+16: the DTLB entry has D = 0, the walk sets D (bit 7)");
    }
    json_lines_free(s, n);
    run_free(&r);

    /* the text form tells the same */
    r = run_fmt("%s step --run -- %s", v, elf);
    char l3[160];
    snprintf(l3, sizeof l3, "step 3  cpu 0  pid 1  pc 0x%llx  ", start + 8);
    ok(r.status == 0 && strstr(r.out, "step 1  cpu 0  pid 1  exec  the kernel's copy: store ") &&
       strstr(r.out, l3) && strstr(r.out, "ld a1, 0(a0)  load 0x"),
       "the text: step 1 is exec's copy, step 3 names its pc, encoding and instruction");
    if (r.status == 0 && !strstr(r.out, l3))
        tap_diag("%s", r.out);
    run_free(&r);
}

/* ---- 3. summed = run's counters ---- */

static void sums_case(const char *v, const char *opts, const char *prog, const char *label)
{
    struct run_result st = run_fmt("%s step --run --json-lines %s -- %s 2>/dev/null", v, opts, prog);
    struct run_result rp = run_fmt("%s run --json %s -- %s 2>&1 >/dev/null", v, opts, prog);
    size_t n = 0;
    bool same = step_sums_match(label, st.out, rp.out, true, &n) && st.status == 0 && n > 100;
    ok(same, "%s: %zu steps' events sum to the run's counters", label, n);
    if (!same)
        tap_diag("%s: step exit %d, run exit %d (%.300s)", label, st.status, rp.status, rp.out);
    run_free(&st);
    run_free(&rp);
}

static void sums(const char *v)
{
    static const char *const policies[] = {"clock", "clock-noflush", "fifo", "lru", "random",
                                           "aging", "linux"};
    const char *sort = tm_san() ? GUEST "sort 40" : GUEST "sort 200";
    char opts[128], label[128];
    for (size_t i = 0; i < sizeof policies / sizeof policies[0]; i++) {
        snprintf(opts, sizeof opts, "--frames 24 --policy %s", policies[i]);
        snprintf(label, sizeof label, "sort, %s, 24 frames", policies[i]);
        sums_case(v, opts, sort, label);
    }
    sums_case(v, "--frames 32 --cpus 2", tm_san() ? GUEST "forktree 2 2" : GUEST "forktree 2 3",
              "forktree (fork, exec, copy-on-write), 2 CPUs, 32 frames");
    sums_case(v, "--frames 64 --pt sv48 --tlb golden-cove", GUEST "lazy",
              "lazy, sv48, golden-cove TLBs, 64 frames");
}

/* ---- 4. the command line ---- */

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void command_line(const char *v)
{
    const char *prog = GUEST "sort 50";
    struct run_result all = run_fmt("%s step --run --json-lines --frames 24 -- %s 2>/dev/null", v, prog);
    struct run_result part = run_fmt("%s step --run --json-lines --frames 24 --from 300 --count 40 -- %s "
                                 "2>/dev/null", v, prog);
    /* the lines of steps 300 .. 339 of the full run */
    const char *a = all.out;
    for (int i = 1; a && i < 300; i++)
        a = strchr(a, '\n') ? strchr(a, '\n') + 1 : NULL;
    const char *b = a;
    for (int i = 0; b && i < 40; i++)
        b = strchr(b, '\n') ? strchr(b, '\n') + 1 : NULL;
    ok(all.status == 0 && part.status == 0 && a && b && strlen(part.out) == (size_t)(b - a) &&
       !memcmp(part.out, a, (size_t)(b - a)),
       "--from 300 --count 40: steps 300 to 339 of the full run, the same bytes");
    run_free(&part);

    part = run_fmt("%s step --run --json-lines --frames 24 --only faults -- %s 2>/dev/null", v, prog);
    size_t faults = 0;
    for (const char *p = all.out; (p = strstr(p, "{\"step\":")); p++) {
        const char *e = strchr(p, '\n');
        const char *f = strstr(p, "\"type\":\"fault\"");
        if (f && (!e || f < e))
            faults++;
    }
    ok(part.status == 0 && faults > 10 && count(part.out, "{\"step\":") == faults,
       "--only faults: the %zu steps of the full run with a fault", faults);
    run_free(&part);
    run_free(&all);

    struct run_result r = run_fmt("%s step --run -- " GUEST "sort 50", v);
    struct run_result q = run_fmt("%s run -- " GUEST "sort 50 2>/dev/null", v);
    ok(r.status == 0 && q.status == 0 && strstr(q.out, "sorted 50 integers") && !strstr(r.out, q.out) &&
       !strcmp(r.err, q.out), "the program's output goes to stderr, not among the steps");
    run_free(&r);
    run_free(&q);

    char dir[] = "/tmp/vmlab-steprun-XXXXXX";
    if (mkdtemp(dir)) {
        r = run_fmt("%s step --run --count 4 -o %s/steps.txt -- " GUEST "hash > %s/out.txt && "
                "grep -c '^step ' %s/steps.txt", v, dir, dir, dir);
        ok(r.status == 0 && atoi(r.out) == 4, "-o FILE: the steps in the file (%d)", atoi(r.out));
        run_free(&r);
        r = run_fmt("%s explore --run --count 200 --frames 32 -o %s/page.html -- " GUEST "hash", v, dir);
        struct run_result t = run_fmt("%s step --run --count 200 --frames 32 -- " GUEST "hash 2>/dev/null "
                                  "| grep '^step 200 '", v);
        /* the page holds each step's text as `vmlab step` prints it; its lines are
         * JSON strings: look for the 200th step's first line */
        struct run_result p = run_fmt("cat %s/page.html", dir);
        char line[512] = "";
        if (t.status == 0)
            sscanf(t.out, "%511[^\n]", line);
        ok(r.status == 0 && strstr(r.err, "200 steps (accesses 1 to 200)") && line[0] &&
           strstr(p.out, line), "explore --run: a page of 200 steps, holding step 200 as vmlab "
           "step --run says it");
        run_free(&p);
        run_free(&t);
        run_free(&r);
        r = run_fmt("rm -rf '%s'", dir);
        run_free(&r);
    }

    static const struct { const char *args; int status; const char *says; } bad[] = {
        {"step --run --limit 5 -- " GUEST "hash", 2, "--limit has no meaning for a running program"},
        {"step --run -f vmt -- " GUEST "hash", 2, "--format has no meaning"},
        {"step --run --policy opt -- " GUEST "hash", 2, "--policy opt needs the future"},
        {"step --run --json -- " GUEST "hash", 2, "--json is a report's form"},
        {"step --run", 2, "no program"},
        {"step --run -- /nonexistent/prog", 1, "/nonexistent/prog"},
        {"step --run -- tests/data/sample.lackey", 1, "sample.lackey"},
        {"explore --run -o /tmp/never.html --cpus 2 -- " GUEST "hash", 2, "one CPU"},
        {"explore --run -- " GUEST "hash", 2, "give -o PAGE.html"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = run_fmt("%s %s", v, bad[i].args);
        ok(r.status == bad[i].status && strstr(r.err, bad[i].says), "vmlab %s: exit %d, '%s'",
           bad[i].args, bad[i].status, bad[i].says);
        if (r.status != bad[i].status || !strstr(r.err, bad[i].says))
            tap_diag("exit %d: %s", r.status, r.err);
        run_free(&r);
    }
    ok(access("/tmp/never.html", F_OK) != 0, "a refused explore wrote no page");
}

/* A JSON-lines step without its "insn" object (a run trace holds no
 * instructions), in place. */
static void drop_insn(char *line)
{
    char *a = strstr(line, ",\"insn\":{");
    char *b = a ? strchr(a, '}') : NULL;
    if (b)
        memmove(a, b + 1, strlen(b + 1) + 1);
}

/* A run's trace stepped and explored: the same steps as the run itself,
 * event for event, but for the instructions. (The program's output goes to
 * /dev/null in both: glibc buffers a pipe and /dev/null alike but not its
 * allocations, so where its output goes is part of what it does.) */
static void run_traces(const char *v)
{
    char dir[] = "/tmp/vmlab-step-trace-XXXXXX";
    if (!mkdtemp(dir)) {
        tap_skip(5, "no scratch directory");
        return;
    }
    const char *opts = "--cpus 2 --frames 64 --swap 8M", *prog = GUEST "forktree 2 2";
    struct run_result a = run_fmt("%s run %s --quiet --trace-out %s/ft.vmt -- %s >/dev/null && "
                                  "%s step --run --json-lines %s -o %s/run.jl -- %s >/dev/null 2>&1 && "
                                  "%s step --json-lines -o %s/trace.jl %s/ft.vmt",
                                  v, opts, dir, prog, v, opts, dir, prog, v, dir, dir);
    char path[128];
    snprintf(path, sizeof path, "%s/run.jl", dir);
    FILE *fr = fopen(path, "r");
    snprintf(path, sizeof path, "%s/trace.jl", dir);
    FILE *ft = fopen(path, "r");
    static char lr[1 << 20], lt[1 << 20];
    size_t n = 0, differ = 0;
    while (fr && ft && fgets(lr, sizeof lr, fr)) {
        if (!fgets(lt, sizeof lt, ft)) {
            differ++;
            break;
        }
        drop_insn(lr);
        if (strcmp(lr, lt) && differ++ == 0)
            tap_diag("step %zu differs:\n  run:   %.300s\n  trace: %.300s", n + 1, lr, lt);
        n++;
    }
    bool trace_longer = ft && fgets(lt, sizeof lt, ft);
    ok(a.status == 0 && n > 10000 && !differ && !trace_longer,
       "the run trace of forktree on 2 CPUs under pressure steps as the run itself: %zu steps, "
       "event for event, but for the instructions (%zu differ)", n, differ);
    if (fr)
        fclose(fr);
    if (ft)
        fclose(ft);
    run_free(&a);

    a = run_fmt("%s step --count 3 %s/ft.vmt", v, dir);
    ok(a.status == 0 && count(a.out, "\nstep ") + !strncmp(a.out, "step ", 5) == 3 &&
           !strstr(a.out, " pc 0x") && strstr(a.out, "step 1  cpu 0  pid 1  the kernel's copy: store"),
       "the text of a run trace's steps: CPU, pid and access, no instruction");
    run_free(&a);

    a = run_fmt("cd %s && %s run --frames 64 --swap 8M --quiet --trace-out s.vmt -- "
                "%s/" GUEST "sort 2000 >/dev/null && %s explore -o s.html s.vmt && "
                "%s explore --run --frames 64 --swap 8M -o r.html -- %s/" GUEST "sort 2000 >/dev/null",
                dir, v, getenv("PWD") ? getenv("PWD") : ".", v, v, getenv("PWD") ? getenv("PWD") : ".");
    ok(a.status == 0 && count(a.err, "10000 steps (accesses 1 to 10000)") == 2,
       "explore of a one-CPU run trace: the page, as many steps as explore --run's (%s)", a.err);
    run_free(&a);
    a = run_fmt("%s explore -o %s/ft.html %s/ft.vmt; echo \"rc=$?\"; test -e %s/ft.html && echo made",
                v, dir, dir, dir);
    ok(a.out && strstr(a.out, "rc=2") && !strstr(a.out, "made") &&
           strstr(a.err, "a run of 2 CPUs: the page shows one CPU's TLBs"),
       "explore of a 2-CPU run trace is refused, no page written (%s)", a.err);
    run_free(&a);
    a = run_fmt("rm -rf %s", dir);
    run_free(&a);
}

int main(void)
{
    const char *v = vmlab_bin();
    disasm();
    if (access(GUEST "hash", R_OK) != 0 || !rvg_have_toolchain()) {
        tap_skip(1, "the guest corpus (build/guest) is not built: it needs riscv64-linux-gnu-gcc "
                    "(scripts/setup.sh installs it)");
        return tap_done();
    }
    against_objdump(GUEST "hash");
    by_hand(v);
    sums(v);
    run_traces(v);
    command_line(v);
    return tap_done();
}
