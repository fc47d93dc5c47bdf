/* stdio.c — see stdio.h. One formatter writes into a sink: a caller's
 * buffer (snprintf) or a buffer flushed to a descriptor (printf). */
#include "stdio.h"

#include <stdbool.h>
#include <stdint.h>

#include "string.h"
#include "syscall.h"

struct sink {
    char *buf;
    size_t size;       /* bytes of buf usable for output */
    size_t len;        /* bytes in buf */
    size_t total;      /* bytes the output has in all */
    int fd;            /* >= 0: flush buf to fd when it is full */
};

static void flush(struct sink *s)
{
    if (s->fd >= 0 && s->len) {
        write(s->fd, s->buf, (unsigned)s->len);
        s->len = 0;
    }
}

static void put(struct sink *s, char c)
{
    if (s->len == s->size)
        flush(s);
    if (s->len < s->size)
        s->buf[s->len++] = c;
    s->total++;
}

static void put_n(struct sink *s, char c, int n)
{
    while (n-- > 0)
        put(s, c);
}

struct spec {
    bool left, plus, space, alt, zero;
    int width, prec;   /* prec < 0: none */
};

/* An integer's digits, sign and prefix, padded as spec says. */
static void put_int(struct sink *s, const struct spec *sp, uintmax_t v, bool neg, unsigned base,
                    bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[24];
    int n = 0;
    while (v) {
        tmp[n++] = digits[v % base];
        v /= base;
    }
    int prec = sp->prec < 0 ? 1 : sp->prec;
    int zeros = prec > n ? prec - n : 0;
    const char *prefix = neg ? "-" : sp->plus ? "+" : sp->space ? " " : "";
    if (sp->alt && base == 16 && n)
        prefix = upper ? "0X" : "0x";
    if (sp->alt && base == 8 && zeros == 0 && (n == 0 || tmp[n - 1] != '0'))
        zeros = 1;
    int plen = (int)strlen(prefix);
    int pad = sp->width - plen - zeros - n;
    if (sp->zero && !sp->left && sp->prec < 0) {
        zeros += pad > 0 ? pad : 0;
        pad = 0;
    }
    if (!sp->left)
        put_n(s, ' ', pad);
    for (const char *p = prefix; *p; p++)
        put(s, *p);
    put_n(s, '0', zeros);
    while (n)
        put(s, tmp[--n]);
    if (sp->left)
        put_n(s, ' ', pad);
}

static void put_str(struct sink *s, const struct spec *sp, const char *str)
{
    if (!str)
        str = "(null)";
    int n = (int)(sp->prec >= 0 ? strnlen(str, (size_t)sp->prec) : strlen(str));
    if (!sp->left)
        put_n(s, ' ', sp->width - n);
    for (int i = 0; i < n; i++)
        put(s, str[i]);
    if (sp->left)
        put_n(s, ' ', sp->width - n);
}

static int parse_number(const char **f)
{
    int v = 0;
    while (**f >= '0' && **f <= '9')
        v = v * 10 + *(*f)++ - '0';
    return v;
}

static void format(struct sink *s, const char *f, va_list ap)
{
    for (; *f; f++) {
        if (*f != '%') {
            put(s, *f);
            continue;
        }
        f++;
        struct spec sp = {.prec = -1};
        for (;; f++) {
            if (*f == '-') sp.left = true;
            else if (*f == '+') sp.plus = true;
            else if (*f == ' ') sp.space = true;
            else if (*f == '#') sp.alt = true;
            else if (*f == '0') sp.zero = true;
            else break;
        }
        if (*f == '*') {
            sp.width = va_arg(ap, int);
            if (sp.width < 0) {
                sp.left = true;
                sp.width = -sp.width;
            }
            f++;
        } else {
            sp.width = parse_number(&f);
        }
        if (*f == '.') {
            f++;
            if (*f == '*') {
                sp.prec = va_arg(ap, int);
                f++;
            } else {
                sp.prec = parse_number(&f);
            }
        }
        int len = 0;   /* 'H' hh, 'h', 'l' l, 'L' ll/j/z/t (all 64-bit here) */
        for (;; f++) {
            if (*f == 'h') len = len == 'h' ? 'H' : 'h';
            else if (*f == 'l') len = len == 'l' ? 'L' : 'l';
            else if (*f == 'j' || *f == 'z' || *f == 't') len = 'L';
            else break;
        }
        switch (*f) {
        case 'd':
        case 'i': {
            intmax_t v = len == 'l' || len == 'L' ? va_arg(ap, long) : va_arg(ap, int);
            if (len == 'h') v = (short)v;
            if (len == 'H') v = (signed char)v;
            put_int(s, &sp, v < 0 ? -(uintmax_t)v : (uintmax_t)v, v < 0, 10, false);
            break;
        }
        case 'u':
        case 'o':
        case 'x':
        case 'X': {
            uintmax_t v = len == 'l' || len == 'L' ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
            if (len == 'h') v = (unsigned short)v;
            if (len == 'H') v = (unsigned char)v;
            unsigned base = *f == 'u' ? 10 : *f == 'o' ? 8 : 16;
            put_int(s, &sp, v, false, base, *f == 'X');
            break;
        }
        case 'p':
            sp.alt = true;
            put_int(s, &sp, (uintptr_t)va_arg(ap, void *), false, 16, false);
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            if (!sp.left)
                put_n(s, ' ', sp.width - 1);
            put(s, c);
            if (sp.left)
                put_n(s, ' ', sp.width - 1);
            break;
        }
        case 's':
            put_str(s, &sp, va_arg(ap, const char *));
            break;
        case '%':
            put(s, '%');
            break;
        case '\0':
            return;
        default:   /* an unknown conversion is copied as it is */
            put(s, '%');
            put(s, *f);
            break;
        }
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sink s = {.buf = buf, .size = size ? size - 1 : 0, .fd = -1};
    format(&s, fmt, ap);
    if (size)
        buf[s.len] = '\0';
    return (int)s.total;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int vhprintf(int fd, const char *fmt, va_list ap)
{
    char buf[PRINTF_BUFFER];
    struct sink s = {.buf = buf, .size = sizeof buf, .fd = fd};
    format(&s, fmt, ap);
    flush(&s);
    return (int)s.total;
}

int hprintf(int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vhprintf(fd, fmt, ap);
    va_end(ap);
    return n;
}

int vprintf(const char *fmt, va_list ap)
{
    return vhprintf(STDOUT_FILENO, fmt, ap);
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int putchar(int c)
{
    char ch = (char)c;
    write(STDOUT_FILENO, &ch, 1);
    return (unsigned char)c;
}

int puts(const char *s)
{
    return printf("%s\n", s) >= 0 ? 0 : -1;
}
