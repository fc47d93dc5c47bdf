/* jsontree.c — the tests' JSON reader (jsontree.h): recursive descent. */
#include "lib/jsontree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
    const char *s;
    size_t i, len;
    char *err;
    size_t errlen;
    bool failed;
};

static void fail(struct parser *p, const char *what)
{
    if (!p->failed)
        snprintf(p->err, p->errlen, "offset %zu: %s", p->i, what);
    p->failed = true;
}

static void blanks(struct parser *p)
{
    while (p->i < p->len && strchr(" \t\r\n", p->s[p->i]) && p->s[p->i])
        p->i++;
}

static bool take(struct parser *p, char c)
{
    blanks(p);
    if (p->i < p->len && p->s[p->i] == c) {
        p->i++;
        return true;
    }
    return false;
}

static char *string(struct parser *p)
{
    if (!take(p, '"')) {
        fail(p, "expected a string");
        return NULL;
    }
    size_t cap = 16, n = 0;
    char *out = malloc(cap);
    while (out && !p->failed) {
        if (p->i >= p->len) {
            fail(p, "unterminated string");
            break;
        }
        unsigned char c = (unsigned char)p->s[p->i++];
        if (c == '"')
            break;
        if (c < 0x20) {
            fail(p, "control character in a string");
            break;
        }
        if (c == '\\') {
            if (p->i >= p->len) {
                fail(p, "unterminated escape");
                break;
            }
            char e = p->s[p->i++];
            const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
            const char *at = strchr(from, e);
            if (e == 'u') {
                unsigned v = 0;
                if (p->i + 4 > p->len || sscanf(p->s + p->i, "%4x", &v) != 1 || v >= 0x80) {
                    fail(p, "a \\u escape this reader does not take");
                    break;
                }
                p->i += 4;
                c = (unsigned char)v;
            } else if (at && e) {
                c = (unsigned char)to[at - from];
            } else {
                fail(p, "bad escape");
                break;
            }
        }
        if (n + 2 > cap) {
            char *b = realloc(out, cap *= 2);
            if (!b) {
                free(out);
                out = NULL;
                break;
            }
            out = b;
        }
        out[n++] = (char)c;
    }
    if (!out) {
        fail(p, "out of memory");
        return NULL;
    }
    out[n] = 0;
    if (p->failed) {
        free(out);
        return NULL;
    }
    return out;
}

static void value(struct parser *p, struct json *j, int depth);

static void append(struct parser *p, struct json *j, char *key, int depth)
{
    struct json *it = realloc(j->item, (j->n + 1) * sizeof *it);
    char **keys = j->type == JSON_OBJ ? realloc(j->key, (j->n + 1) * sizeof *keys) : j->key;
    if (it)
        j->item = it;
    if (keys)
        j->key = keys;
    if (!it || (j->type == JSON_OBJ && !keys)) {
        free(key);
        fail(p, "out of memory");
        return;
    }
    memset(&j->item[j->n], 0, sizeof j->item[0]);
    if (j->type == JSON_OBJ)
        j->key[j->n] = key;
    j->n++;
    value(p, &j->item[j->n - 1], depth + 1);
}

static void value(struct parser *p, struct json *j, int depth)
{
    if (depth > 64) {
        fail(p, "nested too deep");
        return;
    }
    blanks(p);
    if (p->i >= p->len) {
        fail(p, "expected a value");
        return;
    }
    char c = p->s[p->i];
    if (c == '{' || c == '[') {
        p->i++;
        j->type = c == '{' ? JSON_OBJ : JSON_ARR;
        char close = c == '{' ? '}' : ']';
        if (take(p, close))
            return;
        do {
            char *key = NULL;
            if (j->type == JSON_OBJ) {
                if (!(key = string(p)))
                    return;
                if (!take(p, ':')) {
                    free(key);
                    fail(p, "expected ':'");
                    return;
                }
            }
            append(p, j, key, depth);
        } while (!p->failed && take(p, ','));
        if (!p->failed && !take(p, close))
            fail(p, "expected ',' or the end of the container");
        return;
    }
    if (c == '"') {
        j->type = JSON_STR;
        j->str = string(p);
        return;
    }
    static const struct { const char *word; enum json_type t; bool b; } words[] = {
        {"null", JSON_NULL, false}, {"true", JSON_BOOL, true}, {"false", JSON_BOOL, false}};
    for (int w = 0; w < 3; w++) {
        size_t n = strlen(words[w].word);
        if (p->i + n <= p->len && !strncmp(p->s + p->i, words[w].word, n)) {
            p->i += n;
            j->type = words[w].t;
            j->b = words[w].b;
            return;
        }
    }
    /* a number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
    size_t start = p->i;
    if (p->i < p->len && p->s[p->i] == '-')
        p->i++;
    size_t digits = p->i;
    while (p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9')
        p->i++;
    if (p->i == digits || (p->s[digits] == '0' && p->i - digits > 1)) {
        fail(p, "not a JSON value");
        return;
    }
    if (p->i < p->len && p->s[p->i] == '.') {
        size_t f = ++p->i;
        while (p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
        if (p->i == f) {
            fail(p, "a fraction needs digits");
            return;
        }
    }
    if (p->i < p->len && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->len && (p->s[p->i] == '+' || p->s[p->i] == '-'))
            p->i++;
        size_t e = p->i;
        while (p->i < p->len && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
        if (p->i == e) {
            fail(p, "an exponent needs digits");
            return;
        }
    }
    j->type = JSON_NUM;
    j->str = strndup(p->s + start, p->i - start);
    j->num = j->str ? strtod(j->str, NULL) : 0;
}

static void release(struct json *j)
{
    for (size_t i = 0; i < j->n; i++) {
        release(&j->item[i]);
        if (j->key)
            free(j->key[i]);
    }
    free(j->item);
    free(j->key);
    free(j->str);
}

void jt_free(struct json *j)
{
    if (j) {
        release(j);
        free(j);
    }
}

struct json *jt_parse(const char *text, size_t len, char *err, size_t errlen)
{
    struct parser p = {.s = text, .len = len, .err = err, .errlen = errlen};
    struct json *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    value(&p, j, 0);
    blanks(&p);
    if (!p.failed && p.i != len)
        fail(&p, "text after the value");
    if (p.failed) {
        jt_free(j);
        return NULL;
    }
    return j;
}

const struct json *jt_get(const struct json *j, const char *key)
{
    if (!j || j->type != JSON_OBJ)
        return NULL;
    for (size_t i = 0; i < j->n; i++)
        if (!strcmp(j->key[i], key))
            return &j->item[i];
    return NULL;
}

const struct json *jt_at(const struct json *j, size_t i)
{
    return j && (j->type == JSON_ARR || j->type == JSON_OBJ) && i < j->n ? &j->item[i] : NULL;
}

uint64_t jt_u64(const struct json *j)
{
    if (!j)
        return 0;
    if (j->type == JSON_NUM)
        return j->str ? strtoull(j->str, NULL, 10) : 0;
    if (j->type == JSON_STR && j->str && !strncmp(j->str, "0x", 2))
        return strtoull(j->str + 2, NULL, 16);
    return 0;
}

bool jt_true(const struct json *j)
{
    return j && j->type == JSON_BOOL && j->b;
}

const char *jt_str(const struct json *j)
{
    return j && j->type == JSON_STR && j->str ? j->str : "";
}

bool jt_is(const struct json *j, const char *s)
{
    return j && j->type == JSON_STR && j->str && !strcmp(j->str, s);
}
