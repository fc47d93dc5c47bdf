/* cdp.c — a Chrome DevTools Protocol client over a pipe (cdp.h). */
#include "lib/cdp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int fail(struct cdp *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct cdp *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    return -1;
}

int cdp_start(struct cdp *c, const char *chromium, const char *profile_dir)
{
    memset(c, 0, sizeof *c);
    c->to = c->from = -1;
    c->next_id = 1;
    int in[2], out[2];
    if (pipe(in) || pipe(out))
        return fail(c, "pipe: %s", strerror(errno));
    char profile[600];
    snprintf(profile, sizeof profile, "--user-data-dir=%s", profile_dir);
    c->pid = fork();
    if (c->pid < 0)
        return fail(c, "fork: %s", strerror(errno));
    if (c->pid == 0) {
        /* the browser reads commands on fd 3 and writes replies on fd 4 */
        int r = fcntl(in[0], F_DUPFD, 10), w = fcntl(out[1], F_DUPFD, 10);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        dup2(r, 3);
        dup2(w, 4);
        for (int fd = 5; fd < 64; fd++)
            close(fd);
        execl(chromium, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-extensions", "--disable-quic", "--hide-scrollbars", "--mute-audio",
              "--remote-debugging-pipe", profile, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    c->to = in[1];
    c->from = out[0];
    signal(SIGPIPE, SIG_IGN);   /* a browser that died makes writes fail, not kill us */
    return 0;
}

static int send_msg(struct cdp *c, const char *msg)
{
    size_t len = strlen(msg) + 1, done = 0;   /* the NUL ends the message */
    while (done < len) {
        ssize_t n = write(c->to, msg + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail(c, "writing to the browser: %s", n < 0 ? strerror(errno) : "closed");
        done += (size_t)n;
    }
    return 0;
}

/* The next message (parsed), waiting until `until`; NULL on timeout or end. */
static struct json *next_msg(struct cdp *c, double until)
{
    for (;;) {
        char *nul = c->len ? memchr(c->buf, 0, c->len) : NULL;
        if (nul) {
            size_t n = (size_t)(nul - c->buf);
            char err[128];
            struct json *j = jt_parse(c->buf, n, err, sizeof err);
            memmove(c->buf, nul + 1, c->len - n - 1);
            c->len -= n + 1;
            if (!j) {
                fail(c, "the browser sent something that is not JSON: %s", err);
                return NULL;
            }
            return j;
        }
        double left = until - now();
        if (left <= 0) {
            fail(c, "the browser did not answer in time");
            return NULL;
        }
        struct pollfd p = {.fd = c->from, .events = POLLIN};
        int r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue;
        if (c->len + 65536 > c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 1 << 20;
            while (cap < c->len + 65536)
                cap *= 2;
            char *b = realloc(c->buf, cap);
            if (!b) {
                fail(c, "out of memory");
                return NULL;
            }
            c->buf = b;
            c->cap = cap;
        }
        ssize_t n = read(c->from, c->buf + c->len, 65536);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fail(c, "the browser closed its pipe");
            return NULL;
        }
        c->len += (size_t)n;
    }
}

/* Note the events a session waits for. */
static void event(struct cdp *c, const struct json *m)
{
    if (jt_is(jt_get(m, "method"), "Page.loadEventFired") &&
        (!c->session[0] || jt_is(jt_get(m, "sessionId"), c->session)))
        c->loaded = true;
}

static struct json *call(struct cdp *c, bool session, const char *method, const char *params,
                         double timeout_s)
{
    int id = c->next_id++;
    size_t len = strlen(method) + (params ? strlen(params) : 2) + 256;
    char *msg = malloc(len);
    if (!msg) {
        fail(c, "out of memory");
        return NULL;
    }
    if (session)
        snprintf(msg, len, "{\"id\":%d,\"sessionId\":\"%s\",\"method\":\"%s\",\"params\":%s}", id,
                 c->session, method, params ? params : "{}");
    else
        snprintf(msg, len, "{\"id\":%d,\"method\":\"%s\",\"params\":%s}", id, method,
                 params ? params : "{}");
    int rc = send_msg(c, msg);
    free(msg);
    if (rc)
        return NULL;
    double until = now() + timeout_s;
    for (;;) {
        struct json *m = next_msg(c, until);
        if (!m)
            return NULL;
        const struct json *mid = jt_get(m, "id");
        if (!mid) {
            event(c, m);
            jt_free(m);
            continue;
        }
        if ((int)jt_u64(mid) != id) {
            jt_free(m);
            continue;
        }
        const struct json *e = jt_get(m, "error");
        if (e) {
            fail(c, "%s: %s", method, jt_str(jt_get(e, "message")));
            jt_free(m);
            return NULL;
        }
        return m;
    }
}

struct json *cdp_call(struct cdp *c, const char *method, const char *params, double timeout_s)
{
    return call(c, true, method, params, timeout_s);
}

/* s as a JSON string (malloc'd). */
static char *quote(const char *s)
{
    size_t n = strlen(s), at = 0;
    char *q = malloc(6 * n + 3);
    if (!q)
        return NULL;
    q[at++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            at += (size_t)sprintf(q + at, "\\%c", *p);
        else if (*p < 0x20)
            at += (size_t)sprintf(q + at, "\\u%04x", *p);
        else
            q[at++] = (char)*p;
    }
    q[at++] = '"';
    q[at] = 0;
    return q;
}

int cdp_open(struct cdp *c, const char *url, int width, int height, double timeout_s)
{
    struct json *r = call(c, false, "Target.createTarget", "{\"url\":\"about:blank\"}", timeout_s);
    if (!r)
        return -1;
    char params[512];
    snprintf(params, sizeof params, "{\"targetId\":\"%s\",\"flatten\":true}",
             jt_str(jt_get(jt_get(r, "result"), "targetId")));
    jt_free(r);
    if (!(r = call(c, false, "Target.attachToTarget", params, timeout_s)))
        return -1;
    snprintf(c->session, sizeof c->session, "%s", jt_str(jt_get(jt_get(r, "result"), "sessionId")));
    jt_free(r);
    snprintf(params, sizeof params,
             "{\"width\":%d,\"height\":%d,\"deviceScaleFactor\":1,\"mobile\":false}", width, height);
    if (!(r = call(c, true, "Page.enable", NULL, timeout_s)))
        return -1;
    jt_free(r);
    if (!(r = call(c, true, "Emulation.setDeviceMetricsOverride", params, timeout_s)))
        return -1;
    jt_free(r);
    char *q = quote(url);
    size_t len = strlen(q) + 16;
    char *nav = malloc(len);
    if (!q || !nav) {
        free(q);
        free(nav);
        return fail(c, "out of memory");
    }
    snprintf(nav, len, "{\"url\":%s}", q);
    free(q);
    c->loaded = false;
    r = call(c, true, "Page.navigate", nav, timeout_s);
    free(nav);
    if (!r)
        return -1;
    jt_free(r);
    double until = now() + timeout_s;
    while (!c->loaded) {
        struct json *m = next_msg(c, until);
        if (!m)
            return -1;
        event(c, m);
        jt_free(m);
    }
    return 0;
}

const struct json *cdp_eval(struct cdp *c, const char *expr, struct json **reply)
{
    char *q = quote(expr);
    size_t len = q ? strlen(q) + 64 : 0;
    char *params = q ? malloc(len) : NULL;
    *reply = NULL;
    if (!params) {
        free(q);
        fail(c, "out of memory");
        return NULL;
    }
    snprintf(params, len, "{\"expression\":%s,\"returnByValue\":true}", q);
    free(q);
    struct json *r = call(c, true, "Runtime.evaluate", params, 30);
    free(params);
    if (!r)
        return NULL;
    const struct json *res = jt_get(r, "result");
    const struct json *ex = jt_get(res, "exceptionDetails");
    if (ex) {
        fail(c, "the page's script threw: %s",
             jt_str(jt_get(jt_get(ex, "exception"), "description")));
        jt_free(r);
        return NULL;
    }
    *reply = r;
    return jt_get(jt_get(res, "result"), "value");
}

static int mouse(struct cdp *c, const char *type, double x, double y)
{
    char params[256];
    snprintf(params, sizeof params,
             "{\"type\":\"%s\",\"x\":%.1f,\"y\":%.1f,\"button\":\"%s\",\"buttons\":%d,\"clickCount\":%d}",
             type, x, y, strcmp(type, "mouseMoved") ? "left" : "none",
             !strcmp(type, "mousePressed") ? 1 : 0, strcmp(type, "mouseMoved") ? 1 : 0);
    struct json *r = call(c, true, "Input.dispatchMouseEvent", params, 30);
    jt_free(r);
    return r ? 0 : -1;
}

int cdp_click(struct cdp *c, double x, double y)
{
    return mouse(c, "mouseMoved", x, y) || mouse(c, "mousePressed", x, y) ||
                   mouse(c, "mouseReleased", x, y)
               ? -1
               : 0;
}

int cdp_click_id(struct cdp *c, const char *id)
{
    char expr[512];
    snprintf(expr, sizeof expr,
             "(function(){const e=document.getElementById('%s');if(!e)return null;"
             "e.scrollIntoView({block:'center'});const r=e.getBoundingClientRect();"
             "return [r.left+r.width/2,r.top+r.height/2];})()", id);
    struct json *reply;
    const struct json *v = cdp_eval(c, expr, &reply);
    if (!v || v->type != JSON_ARR || v->n != 2) {
        jt_free(reply);
        return v ? fail(c, "no element #%s", id) : -1;
    }
    double x = v->item[0].num, y = v->item[1].num;
    jt_free(reply);
    return cdp_click(c, x, y);
}

int cdp_key(struct cdp *c, const char *key)
{
    char code[32];
    if (strlen(key) == 1 && ((*key >= 'a' && *key <= 'z') || (*key >= 'A' && *key <= 'Z')))
        snprintf(code, sizeof code, "Key%c", *key & ~0x20);
    else
        snprintf(code, sizeof code, "%s", !strcmp(key, " ") ? "Space" : key);
    char *q = quote(key);
    if (!q)
        return fail(c, "out of memory");
    char params[256];
    for (int i = 0; i < 2; i++) {
        snprintf(params, sizeof params, "{\"type\":\"%s\",\"key\":%s,\"code\":\"%s\"}",
                 i ? "keyUp" : "keyDown", q, code);
        struct json *r = call(c, true, "Input.dispatchKeyEvent", params, 30);
        if (!r) {
            free(q);
            return -1;
        }
        jt_free(r);
    }
    free(q);
    return 0;
}

static int b64(int ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

int cdp_screenshot(struct cdp *c, unsigned char **png, size_t *len)
{
    struct json *r = call(c, true, "Page.captureScreenshot", "{\"format\":\"png\"}", 60);
    if (!r)
        return -1;
    const char *d = jt_str(jt_get(jt_get(r, "result"), "data"));
    size_t n = strlen(d), at = 0;
    unsigned char *out = malloc(n / 4 * 3 + 3);
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; out && i < n; i++) {
        int v = b64((unsigned char)d[i]);
        if (v < 0)
            continue;   /* '=' padding */
        acc = acc << 6 | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[at++] = (unsigned char)(acc >> bits);
        }
    }
    jt_free(r);
    if (!out)
        return fail(c, "out of memory");
    *png = out;
    *len = at;
    return 0;
}

void cdp_stop(struct cdp *c)
{
    if (c->pid > 0) {
        struct json *r = call(c, false, "Browser.close", NULL, 10);
        jt_free(r);
        close(c->to);
        close(c->from);
        /* wait for it; a browser that does not go is ended */
        for (int i = 0; i < 100; i++) {
            if (waitpid(c->pid, NULL, WNOHANG) == c->pid) {
                c->pid = 0;
                break;
            }
            usleep(100000);
        }
        if (c->pid > 0) {
            kill(c->pid, SIGKILL);
            waitpid(c->pid, NULL, 0);
        }
    }
    free(c->buf);
    c->buf = NULL;
    c->pid = 0;
}
