/* exec.c — loading executables: kernel_load_elf into a fresh address space
 * (PintOS's load and load_segment) and kernel_exec, which replaces one
 * (Linux's execve: flush_old_exec, then load_elf_binary).
 *
 * Every PT_LOAD becomes one private file VMA: its pages are read from the
 * executable on their first touch (read_bytes of them, zeros after) and
 * nothing is read at load time but the headers. A clean page is dropped on
 * eviction and read again; a written page of a writable segment becomes
 * anonymous and goes to swap.
 *
 * exec checks the new image completely before it touches the old one, so
 * that a failed exec leaves the process as it was (PintOS's exec-missing
 * expects the caller to go on and exit(-1) itself).
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

/* Check the file open as fd (named path) for p: an ELF of the machine the
 * kernel runs, relocated (a static PIE under the Linux ABI gets a base as
 * mmap would place it). fd, or -ENOEXEC with a message (fd then closed). */
static int open_image(struct process *p, int fd, const char *path, struct elf_image *img,
                      uint64_t *biasp, char *err, size_t errlen)
{
    struct kernel *k = p->k;
    char why[256];
    bool linux_abi = p->abi->id == KERNEL_ABI_LINUX;
    if (elf_parse_fd_flags(fd, user_top(p), linux_abi ? ELF_DEFER_DYN : 0, img, why, sizeof why) < 0)
        goto bad;
    unsigned want = k->cfg.elf_machine ? k->cfg.elf_machine
                  : k->fmt->arch == PT_ARCH_X86 ? EM_X86_64 : EM_RISCV;
    if (img->machine != want) {
        snprintf(why, sizeof why, "e_machine %u does not match the machine (%u)", img->machine, want);
        goto bad;
    }
    uint64_t bias = 0;
    if (linux_abi && img->type == 3 /* ET_DYN */) {
        uint64_t lo = UINT64_MAX, hi = 0;
        for (unsigned i = 0; i < img->nsegments; i++) {
            if (img->seg[i].vaddr < lo)
                lo = img->seg[i].vaddr;
            if (img->seg[i].vaddr + img->seg[i].mem_bytes > hi)
                hi = img->seg[i].vaddr + img->seg[i].mem_bytes;
        }
        vaddr_t base = hi - lo <= p->abi->mmap_base ? p->abi->mmap_base - (hi - lo) : 0;
        bias = VM_ALIGN_DOWN(base, VM_PAGE_SIZE) - lo;
    }
    if (elf_relocate(img, bias, user_top(p), why, sizeof why) < 0)
        goto bad;
    *biasp = bias;
    return fd;
bad:
    snprintf(err, errlen, "load: %s: %s", path, why);
    close(fd);
    return -ENOEXEC;
}

/* One private file VMA per segment (descriptors of their own). */
static int map_segments(struct process *p, int fd, const struct elf_image *img)
{
    struct vma v[ELF_MAX_SEGMENTS];
    unsigned n = 0;
    int rc = 0;
    for (unsigned i = 0; i < img->nsegments; i++) {
        const struct elf_segment *s = &img->seg[i];
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
    if (rc < 0)
        for (unsigned i = 0; i < n; i++)
            close(v[i].fd);
    return rc;
}

/* path opened for reading (close-on-exec), or -errno with a message. */
static int open_path(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "load: %s: open failed: %s", path, strerror(e));
        return -e;
    }
    return fd;
}

int kernel_load_elf(struct process *p, const char *path, vaddr_t *entry, char *err, size_t errlen)
{
    static __thread struct elf_image img;   /* 4 KiB: keep it off small thread stacks */
    uint64_t bias;
    int fd = open_path(path, err, errlen);
    if (fd < 0 || (fd = open_image(p, fd, path, &img, &bias, err, errlen)) < 0)
        return fd;
    int rc = map_segments(p, fd, &img);
    if (rc < 0)
        snprintf(err, errlen, "load: %s: %s", path,
                 rc == -EEXIST ? "a segment overlaps an existing mapping" : strerror(-rc));
    else if (entry)
        *entry = img.entry;
    close(fd);
    return rc;
}

static int exec_image(struct process *p, int fd, const char *path, struct kernel_image *out,
                      struct cpu *self, char *err, size_t errlen);

int kernel_exec(struct process *p, const char *path, struct kernel_image *out, struct cpu *self,
                char *err, size_t errlen)
{
    int fd = open_path(path, err, errlen);
    return fd < 0 ? fd : exec_image(p, fd, path, out, self, err, errlen);
}

int kernel_exec_fd(struct process *p, int fd, const char *name, struct kernel_image *out,
                   struct cpu *self, char *err, size_t errlen)
{
    int own = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (own < 0) {
        int e = errno;
        snprintf(err, errlen, "load: %s: %s", name, strerror(e));
        return -e;
    }
    return exec_image(p, own, name, out, self, err, errlen);
}

/* exec of the image open as fd (ours: closed here). */
static int exec_image(struct process *p, int fd, const char *path, struct kernel_image *out,
                      struct cpu *self, char *err, size_t errlen)
{
    static __thread struct elf_image img;
    uint64_t bias;
    if ((fd = open_image(p, fd, path, &img, &bias, err, errlen)) < 0)
        return fd;
    self = kself(p->k, self);

    /* the point of no return: the old image goes */
    klock_acquire(&p->lock, self);
    process_release_all(p, self, false);
    mmu_free_tables(p, true);
    klock_release(&p->lock);

    int rc = map_segments(p, fd, &img);
    close(fd);
    if (rc == 0)
        rc = kernel_map_stack(p);
    if (rc < 0) {
        /* past the point of no return there is no image to go back to */
        snprintf(err, errlen, "exec: %s: %s (the process is killed)", path, strerror(-rc));
        process_kill(p, KILL_OOM_KERNEL, img.entry);
        return rc;
    }
    vaddr_t end = 0;
    for (unsigned i = 0; i < img.nsegments; i++)
        if (img.seg[i].vaddr + img.seg[i].mem_bytes > end)
            end = img.seg[i].vaddr + img.seg[i].mem_bytes;
    klock_acquire(&p->lock, self);
    p->heap_start = p->brk = VM_ALIGN_UP(end, VM_PAGE_SIZE);
    klock_release(&p->lock);
    *out = (struct kernel_image){
        .entry = img.entry, .phdr = img.phdr, .phent = img.phentsize, .phnum = img.phnum,
        .base = bias,
        .brk = p->brk, .stack_top = p->abi->stack_top,
    };
    return 0;
}
