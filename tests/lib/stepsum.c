/* stepsum.c — step output read back and summed (stepsum.h). */
#include "lib/stepsum.h"

#include <stdlib.h>
#include <string.h>

#include "lib/tap.h"

/* The JSON lines of an output, parsed; n set. NULL entries for bad lines. */
struct json **json_lines(const char *out, size_t *n, bool *all_ok)
{
    size_t cap = 64;
    struct json **v = malloc(cap * sizeof *v);
    *n = 0;
    *all_ok = true;
    for (const char *p = out; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char err[128];
        if (*n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[*n] = jt_parse(p, len, err, sizeof err);
        if (!v[*n]) {
            if (*all_ok)
                tap_diag("line %zu is not JSON: %s", *n + 1, err);
            *all_ok = false;
        }
        (*n)++;
        p += len + (e ? 1 : 0);
    }
    return v;
}

void json_lines_free(struct json **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        jt_free(v[i]);
    free(v);
}



void step_sum(const struct json *st, struct step_sums *t)
{
    t->steps++;
    const struct json *evs = jt_get(st, "events");
    for (size_t i = 0; evs && i < evs->n; i++) {
        const struct json *e = &evs->item[i];
        const struct json *type = jt_get(e, "type");
        if (jt_is(type, "tlb")) {
            const char *acc = jt_str(jt_get(e, "access"));
            const char *hit = jt_str(jt_get(e, "hit"));
            const char *verdict = jt_str(jt_get(e, "verdict"));
            bool fetch = !strcmp(acc, "fetch"), store = !strcmp(acc, "store");
            if (!strcmp(verdict, "dirty-rewalk"))
                t->dirty_rewalks++;
            if (!jt_true(jt_get(e, "counted")))
                continue;
            *(fetch ? &t->iloads : store ? &t->dstores : &t->dloads) += 1;
            if (strcmp(verdict, "used"))   /* walked: missed, or a re-walk */
                *(fetch ? &t->iload_miss : store ? &t->dstore_miss : &t->dload_miss) += 1;
            if (strcmp(hit, "l1"))
                *(fetch ? &t->il1_miss : &t->dl1_miss) += 1;
            if (!strcmp(hit, "l2"))
                t->stlb++;
        } else if (jt_is(type, "walk")) {
            t->walks++;
            const struct json *ent = jt_get(e, "entries");
            for (size_t k = 0; ent && k < ent->n; k++) {
                t->refs++;
                const struct json *x = &ent->item[k];
                if (jt_u64(jt_get(x, "written")) != jt_u64(jt_get(x, "pte")) &&
                    !jt_is(jt_get(x, "check"), "cas-lost"))
                    t->ad++;
            }
            if (jt_true(jt_get(jt_get(e, "start"), "pwc")))
                t->pwc_hits++;
            if (jt_true(jt_get(e, "pwc_missed")))
                t->pwc_misses++;
        } else if (jt_is(type, "fault")) {
            if (jt_is(jt_get(e, "fault"), "page"))
                t->page_faults++;
        } else if (jt_is(type, "handled")) {
            /* a CPU's fault counts in pgfault whatever it found; the
             * kernel's own copies to and from user memory (a program's
             * system calls) count only a fault that did something, as the
             * fault Linux's copy would take: one that finds its page
             * mapped, or is refused (-EFAULT), counts nothing */
            const char *a = jt_str(jt_get(e, "action"));
            bool copy = jt_true(jt_get(st, "copy"));
            if (copy && (!strcmp(a, "spurious") || !strcmp(a, "kill")))
                continue;
            t->pgfault++;
            if (jt_true(jt_get(e, "major")))
                t->major++;
            else if (strcmp(a, "kill"))
                t->minor++;
            if (!strcmp(a, "zero-fill"))
                t->zero += jt_true(jt_get(e, "huge")) ? 512 : 1;
            if (!strcmp(a, "swap-in"))
                t->swpin += jt_true(jt_get(e, "huge")) ? 512 : 1;
            if (!strcmp(a, "cow-copy"))
                t->cow_copy++;
            if (!strcmp(a, "cow-reuse"))
                t->cow_reuse++;
        } else if (jt_is(type, "policy")) {
            t->scan += jt_true(jt_get(e, "scanned"));
            t->activate += jt_is(jt_get(e, "verdict"), "activate");
            t->deactivate += jt_is(jt_get(e, "verdict"), "deactivate");
        } else if (jt_is(type, "evict") && jt_is(jt_get(e, "phase"), "done")) {
            const char *o = jt_str(jt_get(e, "outcome"));
            uint64_t pages = jt_is(jt_get(e, "kind"), "huge") ? 512 : 1;   /* a 2 MiB page */
            if (!strcmp(o, "dropped") || !strcmp(o, "swapped") || !strcmp(o, "written-back"))
                t->steal += pages;
            t->swpout += !strcmp(o, "swapped") ? pages : 0;
            t->drop += !strcmp(o, "dropped") ? pages : 0;
        } else if (jt_is(type, "flush")) {
            t->flushed += jt_u64(jt_get(e, "tlb")) + jt_u64(jt_get(e, "pwc"));
        } else if (jt_is(type, "shootdown")) {
            t->sent += jt_get(e, "sent") ? jt_get(e, "sent")->n : 0;
        }
    }
}

bool step_sums_compare(const char *what, const struct json *stats, const struct step_sums *t,
                       bool skip_accesses)
{
    const struct { const char *name; uint64_t got; } c[] = {
        {"accesses", t->steps}, {"dTLB-loads", t->dloads}, {"dTLB-stores", t->dstores},
        {"iTLB-loads", t->iloads}, {"dTLB-load-misses", t->dload_miss},
        {"dTLB-store-misses", t->dstore_miss}, {"iTLB-load-misses", t->iload_miss},
        {"dTLB-l1-misses", t->dl1_miss}, {"iTLB-l1-misses", t->il1_miss}, {"stlb-hits", t->stlb},
        {"tlb-dirty-rewalks", t->dirty_rewalks}, {"walks", t->walks}, {"walk-mem-refs", t->refs},
        {"walk-ad-updates", t->ad}, {"pwc-hits", t->pwc_hits}, {"pwc-misses", t->pwc_misses},
        {"page-faults", t->page_faults}, {"pgfault", t->pgfault}, {"pgmajfault", t->major},
        {"pgminfault", t->minor}, {"zero_fill", t->zero}, {"pswpin", t->swpin},
        {"pgsteal", t->steal}, {"pswpout", t->swpout}, {"pgdrop_clean", t->drop},
        {"pgscan", t->scan}, {"pgactivate", t->activate}, {"pgdeactivate", t->deactivate},
        {"tlb-entries-flushed", t->flushed}, {"shootdowns-sent", t->sent},
        {"cow_copy", t->cow_copy}, {"cow_reuse", t->cow_reuse},
    };
    bool same = stats != NULL;
    for (size_t i = 0; stats && i < sizeof c / sizeof c[0]; i++) {
        if (skip_accesses && i == 0)
            continue;
        uint64_t want = jt_u64(jt_get(stats, c[i].name));
        if (want != c[i].got) {
            tap_diag("%s: %s: step events sum to %llu, the report counts %llu", what, c[i].name,
                     (unsigned long long)c[i].got, (unsigned long long)want);
            same = false;
        }
    }
    return same;
}


bool step_sums_match(const char *what, const char *steps_out, const char *report_out,
                     bool skip_accesses, size_t *n)
{
    bool good;
    struct json **s = json_lines(steps_out, n, &good);
    char err[128];
    struct json *rj = jt_parse(report_out, strlen(report_out), err, sizeof err);
    struct step_sums t = {0};
    for (size_t i = 0; good && i < *n; i++)
        step_sum(s[i], &t);
    bool same = good && rj && step_sums_compare(what, jt_get(rj, "stats"), &t, skip_accesses);
    jt_free(rj);
    json_lines_free(s, *n);
    return same;
}
