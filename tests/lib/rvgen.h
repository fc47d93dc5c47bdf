/* rvgen.h — random RV64GC test programs for the differential test.
 *
 * rvgen_program(seed, blocks, insns) returns the assembly text (malloc'd)
 * of one static, freestanding program. Each block sets every register it
 * may use (x1, x2, x5..x31, f0..f31, fcsr) from a table of values chosen
 * to hit the edges -- boundary integers, NaNs quiet and signalling with
 * and without payloads, infinities, signed zeros, subnormals, ties,
 * integers at the conversion limits, singles not NaN-boxed -- runs
 * `insns` random instructions (integer, M, A with LR/SC pairs, F and D in
 * every rounding mode and dynamic, explicit compressed forms, forward
 * branches and jumps, loads and stores of every size and alignment, some
 * crossing a page boundary, into a data area around x3), and then prints, through write(1),
 * one line of hex: x1..x31, f0..f31, fcsr and a checksum of the data area.
 * x3 (a page boundary in the data area) and x4 (the block's table, then the dump
 * buffer) are never written by the random instructions. The program exits
 * with status 0 after the last block. No instruction can trap, and none
 * has an outcome the specification leaves to the implementation, so the
 * output is one exact function of the seed.
 */
#ifndef VMLAB_TESTS_RVGEN_H
#define VMLAB_TESTS_RVGEN_H

#include <stdint.h>

char *rvgen_program(uint64_t seed, unsigned blocks, unsigned insns);

/* Words per block line: x1..x31, f0..f31, fcsr, checksum. */
#define RVGEN_WORDS 65
/* A line's word i, decoded from its hex (little-endian bytes). */
uint64_t rvgen_word(const char *line, unsigned i);
/* The name of word i ("x5", "f12", "fcsr", "memsum"). */
const char *rvgen_word_name(unsigned i, char *buf, unsigned len);

#endif
