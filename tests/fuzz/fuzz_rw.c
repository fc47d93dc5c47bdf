/* fuzz_rw.c — libFuzzer harness: the rw reader over arbitrary bytes
 * (checks in fuzz_common.h). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_both(data, size, TRACE_RW);
}
