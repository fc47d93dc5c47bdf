/* test_explore_browser.c — the explorer's page in headless Chromium,
 * driven as a user would: real clicks on its buttons and real key
 * presses, over the DevTools protocol (tests/lib/cdp.c).
 *
 * After each move, what the page shows is checked against the command
 * line at the same step: the access pane's text against `vmlab step
 * --from N --count 1` (the same words), the step the "next fault" and
 * "next eviction" buttons land on against `vmlab step --only ...`, and
 * the counters table against `vmlab replay --json --limit N` (every
 * counter). Stepping back restores the earlier step exactly; playing
 * moves on and pauses. Then a screenshot is decoded and every pane's box
 * must be painted (not blank). Skipped, with the reason, when
 * /usr/bin/chromium is absent. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cdp.h"
#include "lib/jsontree.h"
#include "lib/png.h"
#include "lib/run.h"
#include "lib/tap.h"

#define CHROMIUM "/usr/bin/chromium"
#define INPUT "examples/traces/bzip.trace.gz"
#define OPTS "--frames 16 --policy clock"
#define STEPS 600

static struct cdp br;
static const char *vmlab;

/* A string the page's script returns (malloc'd), or NULL. */
static char *page_string(const char *expr)
{
    struct json *reply;
    const struct json *v = cdp_eval(&br, expr, &reply);
    char *s = v && v->type == JSON_STR ? strdup(v->str) : NULL;
    if (!v)
        tap_diag("%s", br.err);
    jt_free(reply);
    return s;
}

static int page_pos(void)
{
    char *w = page_string("document.getElementById('where').textContent");
    int n = -1;
    if (w)
        sscanf(w, "step %d of", &n);
    free(w);
    return n;
}

/* The page at step n shows what `vmlab step` and `vmlab replay` say of step n. */
static void check_at(int n, const char *how)
{
    int at = page_pos();
    is_i64(at, n, "%s: the page is at step %d", how, n);
    char *text = page_string("document.getElementById('text').textContent");
    struct run_result s = run_fmt("%s step " OPTS " --from %d --count 1 " INPUT, vmlab, n);
    size_t len = strlen(s.out);
    if (len && s.out[len - 1] == '\n')
        s.out[len - 1] = 0;
    ok(text && s.status == 0 && !strcmp(text, s.out),
       "%s: the access pane says what `vmlab step --from %d --count 1` says", how, n);
    if (text && strcmp(text, s.out))
        tap_diag("page:\n%s\nvmlab step:\n%s", text, s.out);
    free(text);
    run_free(&s);

    char *rows = page_string("JSON.stringify(Array.from(document.querySelectorAll('#counters tr'))"
                             ".map(r => [r.dataset.name, r.cells[1].textContent]))");
    struct run_result r = run_fmt("%s replay --json " OPTS " --limit %d " INPUT, vmlab, n);
    char err[128];
    struct json *page = rows ? jt_parse(rows, strlen(rows), err, sizeof err) : NULL;
    struct json *rep = jt_parse(r.out, strlen(r.out), err, sizeof err);
    const struct json *stats = jt_get(rep, "stats");
    bool same = page && stats && r.status == 0;
    size_t shown = 0, nonzero = 0;
    for (size_t i = 0; same && i < page->n; i++) {
        const char *name = jt_str(jt_at(&page->item[i], 0));
        uint64_t v = strtoull(jt_str(jt_at(&page->item[i], 1)), NULL, 10);
        const struct json *want = jt_get(stats, name);
        if (!want || jt_u64(want) != v) {
            tap_diag("%s: counter %s: the page says %llu, replay --limit %d %llu", how, name,
                     (unsigned long long)v, n, (unsigned long long)jt_u64(want));
            same = false;
        }
        shown++;
    }
    for (size_t i = 0; stats && i < stats->n; i++)
        if (jt_u64(&stats->item[i]) && strcmp(stats->key[i], "footprint") &&
            strcmp(stats->key[i], "records-folded"))
            nonzero++;
    ok(same && shown >= nonzero, "%s: the counters (%zu shown) equal `vmlab replay --limit %d`'s, "
       "every one that is not zero", how, shown, n);
    jt_free(page);
    jt_free(rep);
    free(rows);
    run_free(&r);
}

/* The step `vmlab step --only WHAT --from N` finds first. */
static int next_of(const char *what, int from)
{
    struct run_result r = run_fmt("%s step --json-lines " OPTS " --only %s --from %d --count 1 " INPUT,
                              vmlab, what, from);
    char err[128];
    struct json *j = r.status == 0 ? jt_parse(r.out, strlen(r.out), err, sizeof err) : NULL;
    int n = j ? (int)jt_u64(jt_get(j, "step")) : -1;
    jt_free(j);
    run_free(&r);
    return n;
}

/* The last step before n with a fault, as `vmlab step --only faults` lists them. */
static int last_fault_before(int n)
{
    struct run_result r = run_fmt("%s step --json-lines " OPTS " --only faults --count %d " INPUT, vmlab, n);
    int last = -1;
    for (const char *p = r.out; r.status == 0 && (p = strstr(p, "{\"step\":"));) {
        int s = atoi(p + 8);
        if (s < n)
            last = s;
        p += 8;
    }
    run_free(&r);
    return last;
}

static void panes_painted(void)
{
    unsigned char *png = NULL;
    size_t len = 0;
    struct image im = {0};
    char why[128] = "";
    bool shot = cdp_screenshot(&br, &png, &len) == 0 && png_decode(png, len, &im, why, sizeof why) == 0;
    ok(shot && im.w == 1400, "a screenshot of the page (%ux%u)%s%s", im.w, im.h, why[0] ? ": " : "", why);
    free(png);
    char *rects = page_string("JSON.stringify(Array.from(document.querySelectorAll('.pane')).map(p => "
                              "{const r = p.getBoundingClientRect(); return [p.id, r.left, r.top, "
                              "r.width, r.height];}))");
    char err[128];
    struct json *j = rects ? jt_parse(rects, strlen(rects), err, sizeof err) : NULL;
    ok(j && j->n == 7, "seven panes on the page");
    for (size_t i = 0; j && shot && i < j->n; i++) {
        const struct json *p = &j->item[i];
        int x = (int)jt_at(p, 1)->num, y = (int)jt_at(p, 2)->num;
        int w = (int)jt_at(p, 3)->num, h = (int)jt_at(p, 4)->num;
        /* inside the border: anything not the pane's background (#fafafa) is paint */
        double share = image_share_unlike(&im, x + 3, y + 3, x + w - 3, y + h - 3, 0xfafafa, 10);
        bool inside = x >= 0 && y >= 0 && x + w <= (int)im.w && y + h <= (int)im.h && w > 100 && h > 60;
        ok(inside && share > 0.03, "pane %s (%dx%d at %d,%d) is painted: %.1f%% of its box is not "
           "background", jt_str(jt_at(p, 0)), w, h, x, y, share * 100);
    }
    jt_free(j);
    free(rects);
    free(im.px);
}

/* explore --run: a program's page, stepped by clicks, says what `vmlab
 * step --run` says at the same step (the instruction among it). */
#define RUN_PROG "build/guest/sort 50"
#define RUN_OPTS "--frames 32"

static void run_check_at(int n, const char *how)
{
    is_i64(page_pos(), n, "%s: the page is at step %d", how, n);
    char *text = page_string("document.getElementById('text').textContent");
    struct run_result s = run_fmt("%s step --run " RUN_OPTS " --from %d --count 1 -- " RUN_PROG " 2>/dev/null",
                              vmlab, n);
    size_t len = strlen(s.out);
    if (len && s.out[len - 1] == '\n')
        s.out[len - 1] = 0;
    ok(text && s.status == 0 && !strcmp(text, s.out) && strstr(text, "  pc 0x"),
       "%s: the access pane says what `vmlab step --run --from %d --count 1` says, its instruction "
       "among it", how, n);
    if (text && strcmp(text, s.out))
        tap_diag("page:\n%s\nvmlab step --run:\n%s", text, s.out);
    free(text);
    run_free(&s);
}

static void run_page(const char *dir)
{
    if (access("build/guest/sort", X_OK) != 0) {
        tap_skip(1, "the guest corpus (build/guest) is not built: no program to explore");
        return;
    }
    struct run_result r = run_fmt("%s explore --run " RUN_OPTS " --count 400 -o %s/run.html -- " RUN_PROG
                              " >/dev/null", vmlab, dir);
    ok(r.status == 0 && strstr(r.err, "400 steps"), "vmlab explore --run wrote a program's page");
    run_free(&r);
    char url[512];
    snprintf(url, sizeof url, "file://%s/run.html", dir);
    if (!ok(cdp_open(&br, url, 1400, 2400, 60) == 0, "Chromium opened it"))
        return;
    for (int i = 0; i < 3; i++)
        cdp_click_id(&br, "fwd");
    run_check_at(3, "three clicks on step");
    struct run_result f = run_fmt("%s step --run --json-lines " RUN_OPTS " --only faults --from 4 --count 1 -- "
                              RUN_PROG " 2>/dev/null", vmlab);
    int next = f.status == 0 && !strncmp(f.out, "{\"step\":", 8) ? atoi(f.out + 8) : -1;
    run_free(&f);
    cdp_click_id(&br, "nextfault");
    run_check_at(next, "next fault");
    cdp_key(&br, "End");
    run_check_at(400, "the End key");
}

int main(void)
{
    if (access(CHROMIUM, X_OK) != 0) {
        tap_skip(1, CHROMIUM " is not installed: the explorer's page is not tried in a browser "
                    "(scripts/setup.sh installs it)");
        return tap_done();
    }
    vmlab = vmlab_bin();
    char dir[] = "/tmp/vmlab-explore-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    struct run_result r = run_fmt("%s explore " OPTS " --count %d -o %s/page.html " INPUT, vmlab, STEPS, dir);
    ok(r.status == 0 && strstr(r.err, "600 steps"), "vmlab explore wrote a page of %d steps", STEPS);
    run_free(&r);
    char url[512], profile[512];
    snprintf(url, sizeof url, "file://%s/page.html", dir);
    snprintf(profile, sizeof profile, "%s/profile", dir);
    bool up = cdp_start(&br, CHROMIUM, profile) == 0 && cdp_open(&br, url, 1400, 2400, 60) == 0;
    ok(up, "Chromium opened the page%s%s", up ? "" : ": ", up ? "" : br.err);
    if (up) {
        char *ready = page_string("document.body.dataset.ready + ' ' + document.body.dataset.readyMs");
        ok(ready && !strncmp(ready, "yes", 3), "the page's script ran (ready after %s ms)",
           ready ? ready + 4 : "?");
        free(ready);
        is_i64(page_pos(), 0, "it opens at step 0, before the first access");

        for (int i = 0; i < 7; i++)
            cdp_click_id(&br, "fwd");
        check_at(7, "seven clicks on step");

        int f = next_of("faults", 8);
        cdp_click_id(&br, "nextfault");
        ok(f > 7, "`vmlab step --only faults --from 8` finds step %d", f);
        check_at(f, "next fault");

        int e = next_of("evictions", f + 1);
        cdp_click_id(&br, "nextevict");
        check_at(e, "next eviction");

        cdp_click_id(&br, "back");
        check_at(e - 1, "one step back from the eviction");
        cdp_key(&br, "ArrowRight");
        check_at(e, "the Right arrow key");

        cdp_click_id(&br, "play");
        usleep(800000);
        cdp_click_id(&br, "play");
        int p = page_pos();
        ok(p > e, "play, then pause: the page moved on (from %d to %d)", e, p);
        if (p > e && p <= STEPS)
            check_at(p, "paused after playing");

        cdp_key(&br, "End");
        check_at(STEPS, "the End key");
        cdp_key(&br, "F");
        check_at(last_fault_before(STEPS), "the previous fault from the end (F)");
        panes_painted();
        run_page(dir);
    }
    cdp_stop(&br);
    r = run_fmt("rm -rf '%s'", dir);
    run_free(&r);
    return tap_done();
}
