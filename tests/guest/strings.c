/* strings.c — text processing with glibc: build a document of N generated
 * words, split it with strtok_r, count words in a hash, sort the distinct
 * ones (strcmp), search with strstr, format numbers with snprintf and read
 * them back with strtol/strtod. `strings N` (default 20000). */
#include <string.h>

#include "guest.h"

static const char *const syll[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "xe", "zu", "qua", "bri"};

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    long n = arg(argc, argv, 1, 20000);
    size_t cap = (size_t)n * 16 + 1;
    char *doc = malloc(cap);
    CHECK(doc);
    size_t len = 0;
    for (long i = 0; i < n; i++) {
        int k = 1 + (int)(rnd() % 3);
        for (int j = 0; j < k; j++) {
            const char *s = syll[rnd() % 12];
            size_t l = strlen(s);
            memcpy(doc + len, s, l);
            len += l;
        }
        doc[len++] = (rnd() % 10) ? ' ' : '\n';
    }
    doc[len] = 0;
    size_t hits = 0;
    for (const char *p = doc; (p = strstr(p, "kalo")); p++)
        hits++;
    char **words = malloc(sizeof *words * (size_t)n);
    size_t nw = 0;
    char *save, *copy = strdup(doc);
    CHECK(words && copy);
    for (char *w = strtok_r(copy, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
        words[nw++] = w;
    qsort(words, nw, sizeof *words, cmpstr);
    size_t distinct = 0;
    for (size_t i = 0; i < nw; i++)
        if (!i || strcmp(words[i], words[i - 1]))
            words[distinct++] = words[i];
    char line[128];
    long back = 0;
    double dback = 0;
    for (long i = 0; i < 1000; i++) {
        snprintf(line, sizeof line, "%ld:%.5f:%s", i * 7919, (double)i / 7.0, words[i % distinct]);
        char *end;
        back += strtol(line, &end, 10);
        dback += strtod(end + 1, &end);
    }
    printf("words %zu distinct %zu first %s last %s kalo %zu sum %ld %.4f\n", nw, distinct, words[0],
           words[distinct - 1], hits, back, dback);
    return 0;
}
