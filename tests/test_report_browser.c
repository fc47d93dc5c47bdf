/* test_report_browser.c — the HTML report in a real browser.
 *
 * Writes a sweep-like report, then has headless Chromium (1) dump the DOM it
 * parsed, to check that every SVG line and marker survived HTML parsing, and
 * (2) take a 1200x2000 screenshot, which is decoded here (PNG via zlib) to
 * check its size and that both charts were painted: each chart's series
 * colours appear, in two separate vertical bands. Skipped when
 * /usr/bin/chromium is absent. */
#include "lib/run.h"
#include "lib/tap.h"
#include "replay/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define CHROMIUM "/usr/bin/chromium"
#define WIDTH 1200
#define HEIGHT 2000

static char dir[] = "/tmp/vmlab-test-browser-XXXXXX";

static const char chromium_flags[] =
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync";

static void write_report(const char *path)
{
    struct report *r = report_new("vmlab sweep (browser test)");
    report_add_note(r, "trace", "synthetic");
    report_set_columns(r, 5, (const char *[]){ "policy", "frames", "pgfault", "page size",
                                               "dTLB-load-misses" });
    static const char *const pol[] = { "fifo", "lru", "opt" };
    char a[32], b[32];
    for (int p = 0; p < 3; p++) {
        for (int k = 0; k <= 8; k++) {
            snprintf(a, sizeof a, "%d", 1 << k);
            snprintf(b, sizeof b, "%d", 900000 / (1 + k * (1 + p)) + 10000 * (2 - p));
            report_add_row(r, (const char *[]){ pol[p], a, b, "-", "-" });
        }
    }
    static const char *const ps[] = { "4K", "2M" };
    for (int p = 0; p < 2; p++) {
        for (int k = 0; k < 6; k++) {
            snprintf(a, sizeof a, "%d", 16 << k);
            snprintf(b, sizeof b, "%d", 300000 / (1 + k * (1 + 3 * p)));
            report_add_row(r, (const char *[]){ "-", a, "-", ps[p], b });
        }
    }
    report_add_line_chart(r, "Faults vs memory size", "frames", "pgfault", "policy", REPORT_LOG_X);
    report_add_line_chart(r, "TLB misses vs TLB size", "frames", "dTLB-load-misses", "page size",
                          REPORT_LOG_X);
    char err[256];
    if (report_write_html(r, path, err, sizeof err) < 0)
        tap_diag("%s", err);
    report_free(r);
}

/* stdout of cmd, or NULL if it failed */
static char *run_capture(const char *cmd, size_t *len)
{
    struct run_result r;
    if (run_cmd(cmd, &r) || r.status != 0) {
        run_free(&r);
        return NULL;
    }
    free(r.err);
    *len = strlen(r.out);
    return r.out;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* ---- a small PNG decoder: 8-bit RGB or RGBA, not interlaced ---- */

struct image {
    unsigned w, h, channels;
    unsigned char *px;                  /* w*h*channels */
};

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

static int png_decode(const unsigned char *d, size_t n, struct image *im, char *why, size_t whylen)
{
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    if (n < 33 || memcmp(d, sig, 8) != 0 || memcmp(d + 12, "IHDR", 4) != 0) {
        snprintf(why, whylen, "not a PNG");
        return -1;
    }
    im->w = be32(d + 16), im->h = be32(d + 20);
    unsigned depth = d[24], ctype = d[25], interlace = d[28];
    if (depth != 8 || (ctype != 2 && ctype != 6) || interlace) {
        snprintf(why, whylen, "unsupported PNG: depth %u colour type %u interlace %u", depth, ctype, interlace);
        return -1;
    }
    im->channels = ctype == 2 ? 3 : 4;
    unsigned char *z = malloc(n);
    size_t zn = 0;
    for (size_t off = 8; off + 12 <= n;) {                  /* gather the IDAT chunks */
        uint32_t len = be32(d + off);
        if (off + 12 + len > n)
            break;
        if (memcmp(d + off + 4, "IDAT", 4) == 0)
            memcpy(z + zn, d + off + 8, len), zn += len;
        off += 12 + (size_t)len;
    }
    size_t stride = (size_t)im->w * im->channels;
    uLongf rawlen = (uLongf)((stride + 1) * im->h);
    unsigned char *raw = malloc(rawlen);
    int zrc = uncompress(raw, &rawlen, z, (uLong)zn);
    free(z);
    if (zrc != Z_OK || rawlen != (stride + 1) * im->h) {
        snprintf(why, whylen, "zlib: %d", zrc);
        free(raw);
        return -1;
    }
    im->px = malloc(stride * im->h);
    unsigned bpp = im->channels;
    for (unsigned y = 0; y < im->h; y++) {
        const unsigned char *in = raw + y * (stride + 1) + 1;
        unsigned char *out = im->px + y * stride, *up = y ? out - stride : NULL;
        unsigned filter = in[-1];
        for (size_t x = 0; x < stride; x++) {
            int a = x >= bpp ? out[x - bpp] : 0, b = up ? up[x] : 0,
                c = x >= bpp && up ? up[x - bpp] : 0, v = in[x];
            switch (filter) {
            case 1: v += a; break;
            case 2: v += b; break;
            case 3: v += (a + b) / 2; break;
            case 4: v += paeth(a, b, c); break;
            default: break;
            }
            out[x] = (unsigned char)v;
        }
    }
    free(raw);
    return 0;
}

/* Rows of the image holding at least one pixel within 12 of colour rgb. */
static void rows_with(const struct image *im, uint32_t rgb, unsigned char *rows, size_t *pixels)
{
    int r = rgb >> 16, g = (rgb >> 8) & 255, b = rgb & 255;
    *pixels = 0;
    for (unsigned y = 0; y < im->h; y++) {
        rows[y] = 0;
        for (unsigned x = 0; x < im->w; x++) {
            const unsigned char *p = im->px + ((size_t)y * im->w + x) * im->channels;
            if (abs(p[0] - r) <= 12 && abs(p[1] - g) <= 12 && abs(p[2] - b) <= 12)
                rows[y] = 1, (*pixels)++;
        }
    }
}

/* Bands of rows (gaps under 100 rows merged) and the tallest band. */
static unsigned bands(const unsigned char *rows, unsigned h, unsigned *tallest)
{
    unsigned n = 0, start = 0, last = 0;
    bool in = false;
    *tallest = 0;
    for (unsigned y = 0; y < h; y++) {
        if (!rows[y])
            continue;
        if (!in || y - last > 100) {
            if (in && last - start > *tallest)
                *tallest = last - start;
            n++, start = y, in = true;
        }
        last = y;
    }
    if (in && last - start > *tallest)
        *tallest = last - start;
    return n;
}

int main(void)
{
    if (access(CHROMIUM, X_OK) != 0) {
        tap_skip(9, CHROMIUM " not installed");
        return tap_done();
    }
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char html[300], png[300], profile[300], cmd[4096];
    snprintf(html, sizeof html, "%s/report.html", dir);
    snprintf(png, sizeof png, "%s/shot.png", dir);
    snprintf(profile, sizeof profile, "%s/profile", dir);
    write_report(html);
    ok(access(html, R_OK) == 0, "report written");

    /* 1. the DOM as Chromium parsed it */
    snprintf(cmd, sizeof cmd, "timeout 90 %s %s --user-data-dir=%s-dom --dump-dom file://%s 2>%s/dom.log",
             CHROMIUM, chromium_flags, profile, html, dir);
    size_t len = 0;
    char *dom = run_capture(cmd, &len);
    ok(dom && len > 1000, "chromium --dump-dom ran (%zu bytes)", len);
    ok(dom && count(dom, "<svg") == 2 && count(dom, "<polyline") == 5,
       "DOM: 2 SVG charts with 5 series lines survived parsing");
    ok(dom && count(dom, "class=\"pt\"") == 3 * 9 + 2 * 6, "DOM: all 39 point markers present");
    free(dom);

    /* 2. the screenshot */
    snprintf(cmd, sizeof cmd,
             "timeout 90 %s %s --user-data-dir=%s-shot --screenshot=%s --window-size=%d,%d "
             "file://%s >%s/shot.log 2>&1",
             CHROMIUM, chromium_flags, profile, png, WIDTH, HEIGHT, html, dir);
    int rc = system(cmd);
    FILE *f = fopen(png, "rb");
    ok(rc == 0 && f, "chromium --screenshot wrote a PNG");
    struct image im = { 0 };
    char why[128] = "";
    if (f) {
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        rewind(f);
        unsigned char *d = malloc((size_t)n);
        size_t got = fread(d, 1, (size_t)n, f);
        fclose(f);
        if (png_decode(d, got, &im, why, sizeof why) < 0)
            tap_diag("%s", why);
        free(d);
    }
    ok(im.px && im.w == WIDTH && im.h == HEIGHT, "screenshot is %dx%d (got %ux%u)", WIDTH, HEIGHT,
       im.w, im.h);

    /* Series colours: blue (#0072b2) and vermilion (#d55e00) are the first
     * two series of both charts, so each should paint two bands of rows;
     * green (#009e73), the third policy, only the first chart. */
    bool painted = im.px != NULL, two = im.px != NULL;
    if (im.px) {
        unsigned char *rows = malloc(im.h);
        static const uint32_t colours[] = { 0x0072b2, 0xd55e00, 0x009e73 };
        for (int c = 0; c < 3; c++) {
            size_t pixels;
            unsigned tallest;
            rows_with(&im, colours[c], rows, &pixels);
            unsigned nb = bands(rows, im.h, &tallest);
            tap_diag("colour #%06x: %zu pixels in %u bands, tallest %u rows", colours[c], pixels, nb,
                     tallest);
            painted = painted && pixels > 200 && tallest > 100;
            two = two && nb == (c < 2 ? 2u : 1u);
        }
        free(rows);
    }
    ok(painted, "chart areas are painted: every series colour covers >200 px over >100 rows");
    ok(two, "the two charts are separate bands; the third policy only in the first");
    free(im.px);

    /* 3. a real sweep's page, laid out at 1200 px: its counters table fits
     * the page (no horizontal scrolling). A copy of the page measures
     * itself with a script the page itself does not carry. */
    const char *vmlab = getenv("VMLAB");
    if (vmlab && *vmlab) {
        snprintf(cmd, sizeof cmd, "%s sweep --limit 20000 --out %s/sw examples/traces/bzip.trace.gz "
                 ">/dev/null && sed 's|</body>|<pre id=\"measure\"></pre><script>var t=document."
                 "querySelector(\"table.data\");document.getElementById(\"measure\").textContent="
                 "\"table-right=\"+Math.ceil(t.getBoundingClientRect().right)+\" page=\"+document."
                 "documentElement.clientWidth+\" scroll=\"+t.parentNode.scrollWidth+\"/\"+t.parentNode."
                 "clientWidth;</script></body>|' %s/sw.html > %s/measure.html", vmlab, dir, dir, dir);
        int built = system(cmd);
        snprintf(cmd, sizeof cmd, "timeout 90 %s %s --window-size=%d,900 --user-data-dir=%s-m "
                 "--dump-dom file://%s/measure.html 2>%s/m.log", CHROMIUM, chromium_flags, WIDTH,
                 profile, dir, dir);
        char *m = built == 0 ? run_capture(cmd, &len) : NULL;
        const char *at = m ? strstr(m, "table-right=") : NULL;
        int right = 0, page = 0, sw = 0, cw = 0;
        bool measured = at && sscanf(at, "table-right=%d page=%d scroll=%d/%d", &right, &page, &sw,
                                     &cw) == 4;
        ok(measured && right <= page && sw <= cw, "the sweep's counters table fits a %d px page (right edge %d, "
           "page %d, scroll width %d of %d)", WIDTH, right, page, sw, cw);
        free(m);
        snprintf(cmd, sizeof cmd, "rm -rf '%s-m'", profile);
        if (system(cmd) != 0)
            tap_diag("could not remove %s-m", profile);
    } else {
        tap_skip(1, "VMLAB is not set");
    }

    int status = tap_done();
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s-dom' '%s-shot'", dir, profile, profile);
    if (system(cmd) != 0)
        tap_diag("could not remove %s", dir);
    return status;
}
