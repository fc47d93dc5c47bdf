/* printf.c — the library's printf and snprintf, against what the C
 * standard says each conversion prints. */
#include "common.h"

static char long_text[2001];

int main(void)
{
    printf("(printf) begin\n");
    printf("%d %i %u\n", -5, 42, 3000000000u);
    printf("%5d|%-5d|%05d|%.5d|%*d|%-*d|\n", 42, 42, 42, 42, 6, 42, 4, 7);
    printf("%+d % d %+d % d\n", 5, 5, -5, -5);
    printf("%x %X %#x %o %#o %#x\n", 255, 255, 255, 255, 255, 0);
    printf("%ld %lu %lld %llx\n", -9223372036854775807l - 1, 18446744073709551615ul, 1234567890123ll,
           0xdeadbeefcafeull);
    printf("%hhd %hd %hhu %hu\n", 300, 70000, 300, 70000);
    printf("%zu %zd %jd %td\n", sizeof(long), (ptrdiff_t)-3, (intmax_t)-4, (ptrdiff_t)5);
    printf("%c%c%c|%3c|%-3c|\n", 'a', 'b', 'c', 'x', 'y');
    printf("%s|%10s|%-10s|%.3s|%10.2s|\n", "vmlab", "vmlab", "vmlab", "vmlab", "vmlab");
    printf("%p\n", (void *)0x400000);
    printf("100%%\n");
    printf("%08d|%-8d|%.0d|%.3x|\n", -7, 7, 0, 10);
    char buf[8];
    int n = snprintf(buf, sizeof buf, "%s", "abcdefghij");
    printf("snprintf into 8 bytes: %d '%s'\n", n, buf);
    n = snprintf(NULL, 0, "%d-%d", 123, 4567);
    printf("snprintf of nothing: %d\n", n);
    memset(long_text, 'z', 2000);
    n = printf("%s\n", long_text);
    printf("a line of %d bytes\n", n);
    printf("(printf) end\n");
    return 0;
}
