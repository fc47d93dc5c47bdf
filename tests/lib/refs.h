/* refs.h — a trace file as the machine's access records, for tests that
 * drive CPUs directly (twins of a hardware-walk and a software-refill
 * machine, say). */
#ifndef VMLAB_TESTS_REFS_H
#define VMLAB_TESTS_REFS_H

#include <stddef.h>

#include <vmlab/machine.h>

/* The first `max` records (0: all) of the trace at path, any format the
 * readers detect, as cpu_refs; *n their number. NULL (with a TAP failure
 * naming the file) if it cannot be read. The caller frees the array. */
struct cpu_ref *refs_load(const char *path, size_t max, size_t *n);

#endif
