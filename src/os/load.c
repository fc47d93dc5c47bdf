/* load.c — lazy ELF loading (PintOS's load + load_segment).
 *
 * Every PT_LOAD becomes one private file VMA: its pages are filled on first
 * touch with read_bytes from the executable and zeros after them. A clean
 * page is dropped on eviction and read again; a written page of a writable
 * segment becomes anonymous and goes to swap. Nothing is read at load time
 * but the headers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "os/elf.h"
#include "os/kern.h"

#define EM_X86_64 62
#define EM_RISCV 243

int kernel_load_elf(struct process *p, const char *path, vaddr_t *entry, char *err, size_t errlen)
{
    struct kernel *k = p->k;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "load: %s: open failed: %s", path, strerror(e));
        return -e;
    }
    static __thread struct elf_image img;   /* 4 KiB: keep it off small thread stacks */
    char why[256];
    if (elf_parse_fd(fd, k->user_top, &img, why, sizeof why) < 0) {
        snprintf(err, errlen, "load: %s: %s", path, why);
        close(fd);
        return -ENOEXEC;
    }
    unsigned want = k->fmt->arch == PT_ARCH_X86 ? EM_X86_64 : EM_RISCV;
    if (img.machine != want) {
        snprintf(err, errlen, "load: %s: e_machine %u does not match the machine (%u)", path,
                 img.machine, want);
        close(fd);
        return -ENOEXEC;
    }
    struct vma v[ELF_MAX_SEGMENTS];
    unsigned n = 0;
    int rc = 0;
    for (unsigned i = 0; i < img.nsegments; i++) {
        const struct elf_segment *s = &img.seg[i];
        v[n] = (struct vma){
            .start = s->vaddr,
            .end = s->vaddr + s->mem_bytes,
            .prot = (s->readable ? VM_PROT_READ : 0) | (s->writable ? VM_PROT_WRITE : 0) |
                    (s->executable ? VM_PROT_EXEC : 0),
            .flags = VMA_FILE | VMA_NOHUGE,
            .offset = s->file_offset,
            .file_bytes = s->read_bytes,
        };
        v[n].fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (v[n].fd < 0) {
            rc = -errno;
            break;
        }
        n++;
    }
    if (rc == 0)
        rc = process_insert_vmas(p, v, n);
    if (rc < 0) {
        for (unsigned i = 0; i < n; i++)
            close(v[i].fd);
        snprintf(err, errlen, "load: %s: %s", path,
                 rc == -EEXIST ? "a segment overlaps an existing mapping" : strerror(-rc));
    } else if (entry) {
        *entry = img.entry;
    }
    close(fd);
    return rc;
}
