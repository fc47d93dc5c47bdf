/* pt_impl.h — the format descriptors, defined in pt_x86.c, pt_ia32.c and
 * pt_riscv.c. */
#ifndef VMLAB_HW_PT_IMPL_H
#define VMLAB_HW_PT_IMPL_H

#include <vmlab/pt.h>

extern const struct pt_format pt_x86_64, pt_x86_64_5;
extern const struct pt_format pt_sv39, pt_sv48, pt_sv57;
extern const struct pt_format pt_ia32, pt_sv32;

#endif
