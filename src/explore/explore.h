/* explore.h — `vmlab explore`: the steps of a run as one page.
 *
 * An explorer follows a run step by step beside a step recorder
 * (step/step.h): before the first step it takes the whole state it shows
 * (every TLB and page-walk-cache slot, every page-table entry reachable
 * from the CPU's root, every frame with the policy's lists, hand and
 * per-frame state, the swap slots in use, every counter), and after each
 * step only what changed, read back from the machine and the kernel (the
 * step's events say where to look). With each step it keeps the step's
 * text as `vmlab step` prints it and what the step touched, for the
 * page's highlights. explorer_write then writes one self-contained HTML
 * page: the page's script and style (src/explore/page.*, built into the
 * binary) and the recorded data as JSON, which the script replays forward
 * and back (docs/step.md, "The explorer").
 *
 * The page is kept under a byte budget: once the data would pass it, the
 * explorer takes no more steps and the page says where it stopped.
 */
#ifndef VMLAB_EXPLORE_EXPLORE_H
#define VMLAB_EXPLORE_EXPLORE_H

#include <stdio.h>

#include <vmlab/kernel.h>
#include <vmlab/machine.h>
#include <vmlab/observe.h>

#include "step/step.h"

#define EXPLORE_DEFAULT_STEPS 10000
#define EXPLORE_MAX_BYTES 5000000u      /* the page's budget: 5 MB */
#define EXPLORE_MAX_FRAMES 65536u       /* frames the page shows (a pool's first ones) */

struct explorer;

/* What the page says about the run. */
struct explore_info {
    const char *title;              /* "vmlab explore: bzip.trace.gz" */
    const char *input;              /* the input's name */
    const char *config;             /* one line: frames, policy, page tables, TLB, ... */
    uint64_t from;                  /* the first step's access number (1-based) */
};

struct explorer *explorer_new(const struct explore_info *info, uint64_t max_bytes);
/* The line describing the system, known only once it is built (a run
 * trace's configuration is the run's): before explorer_begin. 0, or -1
 * (out of memory). */
int explorer_set_config(struct explorer *x, const char *config);
void explorer_free(struct explorer *x);

/* The system is ready and the next step is the first to show: take the
 * state it starts from. cpu is the CPU the steps are made on. */
int explorer_begin(struct explorer *x, struct machine *m, struct kernel *k, struct cpu *cpu,
                   const struct pt_format *fmt);
/* After step s (its events recorded): what changed, its text, what it
 * touched. false once the page's budget is reached (the step is not
 * kept): take no more steps. */
bool explorer_step(struct explorer *x, const struct step_ctx *ctx, const struct step *s);
/* Steps kept; whether the budget stopped the explorer. */
uint64_t explorer_steps(const struct explorer *x);
bool explorer_full(const struct explorer *x);
/* Say on the page how the run ended ("the process was killed: ..."). */
void explorer_note(struct explorer *x, const char *note);

/* The page. 0, or -1 with err (out of memory, a write error). */
int explorer_write(struct explorer *x, FILE *out, char *err, size_t errlen);

/* The page's assets, built into the binary from src/explore/page.{html,css,js}
 * (the Makefile runs xxd -i on them). */
extern unsigned char explore_page_html[], explore_page_css[], explore_page_js[];
extern unsigned int explore_page_html_len, explore_page_css_len, explore_page_js_len;

#endif
