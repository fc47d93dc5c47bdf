/* cdp.h — driving headless Chromium from a test, as a user would, over the
 * Chrome DevTools Protocol on a pipe (chromium --remote-debugging-pipe:
 * JSON messages ending in a NUL byte, written to the browser's fd 3 and
 * read from its fd 4).
 *
 * A session opens one page at a fixed viewport size, then evaluates
 * JavaScript in it, clicks at a point and presses keys with real input
 * events (Input.dispatchMouseEvent / dispatchKeyEvent: the page sees what
 * a user's mouse and keyboard would give it), and takes screenshots.
 */
#ifndef VMLAB_TESTS_CDP_H
#define VMLAB_TESTS_CDP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/jsontree.h"

struct cdp {
    pid_t pid;
    int to, from;                  /* our ends of the browser's fd 3 and fd 4 */
    char *buf;                     /* bytes read and not yet taken */
    size_t len, cap;
    int next_id;
    char session[128];             /* the page's session */
    bool loaded;                   /* Page.loadEventFired seen */
    char err[512];                 /* why the last call failed */
};

/* Start chromium (binary path) with a fresh profile in profile_dir. 0, or -1 (c->err). */
int cdp_start(struct cdp *c, const char *chromium, const char *profile_dir);
/* Open url in a new page of width x height CSS pixels and wait (at most
 * timeout_s) for its load event. 0 or -1. */
int cdp_open(struct cdp *c, const char *url, int width, int height, double timeout_s);
/* Call a method of the page's session with params (a JSON object's text,
 * or NULL); the whole reply, or NULL (c->err) on an error or after timeout_s.
 * jt_free the reply. */
struct json *cdp_call(struct cdp *c, const char *method, const char *params, double timeout_s);
/* Evaluate a JavaScript expression; its value as JSON (a reply's
 * result.result.value), kept in *reply (jt_free it); NULL on an error. */
const struct json *cdp_eval(struct cdp *c, const char *expr, struct json **reply);
/* A left click at (x, y), CSS pixels of the viewport. 0 or -1. */
int cdp_click(struct cdp *c, double x, double y);
/* Click the centre of the element with this id (scrolled into view first). 0 or -1. */
int cdp_click_id(struct cdp *c, const char *id);
/* Press and release a key ("ArrowRight", "End", "f", " "). 0 or -1. */
int cdp_key(struct cdp *c, const char *key);
/* A PNG of the viewport (malloc'd). 0 or -1. */
int cdp_screenshot(struct cdp *c, unsigned char **png, size_t *len);
/* Close the browser and wait for it. */
void cdp_stop(struct cdp *c);

#endif
