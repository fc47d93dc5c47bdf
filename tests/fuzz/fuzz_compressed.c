/* fuzz_compressed.c — libFuzzer harness for the gzip, xz and zstd decoders.
 *
 * The first byte picks the compression, whose magic is put in front of the
 * remaining bytes, so mutations land in the compressed stream itself
 * rather than breaking the magic. The result is read with format auto
 * (checks in fuzz_common.h). Seeds are tests/fuzz/seeds/fuzz_compressed:
 * a selector byte followed by a compressed trace minus its magic.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct { const char *magic; size_t len; } magics[] = {
        {"\x1f\x8b", 2},
        {"\xfd" "7zXZ\0", 6},
        {"\x28\xb5\x2f\xfd", 4},
    };
    if (size < 1)
        return 0;
    unsigned k = data[0] % 3;
    size_t len = magics[k].len + size - 1;
    uint8_t *buf = malloc(len);
    memcpy(buf, magics[k].magic, magics[k].len);
    memcpy(buf + magics[k].len, data + 1, size - 1);
    fuzz_both(buf, len, TRACE_AUTO);
    free(buf);
    return 0;
}
