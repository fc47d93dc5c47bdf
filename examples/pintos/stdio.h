/* stdio.h — formatted output for PintOS programs on vmlab.
 *
 * printf formats a call's whole output into a buffer and hands it to the
 * console with one write(1, ...), so lines printed by processes running at
 * the same time never interleave mid-line (output longer than
 * PRINTF_BUFFER bytes is written in pieces of that size). Conversions:
 * d i u o x X c s p %, flags - + space # 0, width and precision (also *),
 * lengths hh h l ll j z t. */
#ifndef PINTOS_STDIO_H
#define PINTOS_STDIO_H

#include <stdarg.h>
#include <stddef.h>

#define PRINTF_BUFFER 1024

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* To descriptor fd instead of the console (PintOS's hprintf). */
int hprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vhprintf(int fd, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Into buf (size bytes, NUL-terminated if size > 0): the length the whole
 * output has. */
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int putchar(int c);
int puts(const char *s);   /* s and a newline, one write */

#endif
