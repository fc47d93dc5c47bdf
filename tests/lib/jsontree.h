/* jsontree.h — a small JSON reader for tests: parse a document into a tree,
 * then look values up by key and index. Strict (RFC 8259 syntax; a
 * string's \u escapes below 0x80 only), so that a test also checks that an
 * output is well-formed JSON.
 */
#ifndef VMLAB_TESTS_JSONTREE_H
#define VMLAB_TESTS_JSONTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ };

struct json {
    enum json_type type;
    bool b;
    double num;
    char *str;                 /* JSON_STR: the string; JSON_NUM: its text */
    size_t n;                  /* JSON_ARR, JSON_OBJ: elements */
    struct json *item;         /* [n] */
    char **key;                /* JSON_OBJ: [n] */
};

/* Parse text[0..len) (the whole of it, surrounding blanks allowed); NULL
 * and a message with the offset in err if it is not one JSON value. */
struct json *jt_parse(const char *text, size_t len, char *err, size_t errlen);
void jt_free(struct json *j);

/* Lookups; NULL when absent or when j is not an object / array. */
const struct json *jt_get(const struct json *j, const char *key);
const struct json *jt_at(const struct json *j, size_t i);
/* A number, or a string of hex digits "0x..."; 0 otherwise. */
uint64_t jt_u64(const struct json *j);
bool jt_true(const struct json *j);
/* The string, or "" if j is not one. */
const char *jt_str(const struct json *j);
bool jt_is(const struct json *j, const char *s);   /* a string equal to s */

#endif
