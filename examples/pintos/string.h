/* string.h — memory and string functions (the C standard's, plus BSD's
 * strlcpy/strlcat and strtok_r, which PintOS code uses). */
#ifndef PINTOS_STRING_H
#define PINTOS_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
size_t strspn(const char *s, const char *accept);
size_t strcspn(const char *s, const char *reject);
char *strpbrk(const char *s, const char *accept);
/* Copy src into dst (size bytes, always NUL-terminated if size > 0):
 * strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);
/* Append src to dst (size bytes in all): the length it tried to make. */
size_t strlcat(char *dst, const char *src, size_t size);
/* Split s at characters of delim, reentrantly (*save keeps the place). */
char *strtok_r(char *s, const char *delim, char **save);

#endif
