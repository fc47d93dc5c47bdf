/* pipe.c — pipes between the run's processes: a 64 KiB ring in host memory
 * with Linux's rules (pipe(7)).
 *
 *   read   returns what is there (up to len); with nothing there, 0 (end of
 *          file) if no writer is left, else it would block (-EAGAIN).
 *   write  with no reader left: -EPIPE (the personality raises SIGPIPE).
 *          Up to PIPE_BUF (4096) bytes are atomic: they go in whole or not
 *          at all (-EAGAIN); more go in as far as there is room. The caller
 *          loops, blocking while it gets -EAGAIN, and keeps the count of
 *          what went in as the call's progress (task->sys_progress), so a
 *          blocked write resumes where it stopped.
 *
 * Readers and writers both wait on the pipe itself: every change wakes
 * both sides, and each re-checks (a restarted call). Data moves straight
 * between the ring and the task's memory (sys_copy_in/out).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sys/sys.h"

#define PIPE_SIZE 65536u
#define PIPE_ATOMIC 4096u

struct pipe {
    uint8_t *buf;
    uint32_t head;           /* the oldest byte */
    uint32_t len;            /* bytes in the ring */
    unsigned readers, writers;
    uint64_t ino;            /* its number in pipefs: the run's count of pipes */
};

struct pipe_end {
    struct pipe *p;
    bool writer;
};

static struct pipe *pipe_of(struct file *f)
{
    return ((struct pipe_end *)f->priv)->p;
}

static int64_t pipe_read(struct file *f, struct task *t, vaddr_t ubuf, uint64_t len)
{
    struct pipe *p = pipe_of(f);
    if (len == 0)
        return 0;
    if (p->len == 0)
        return p->writers ? -EAGAIN : 0;
    uint64_t n = len < p->len ? len : p->len;
    /* the ring's bytes in at most two pieces */
    uint64_t first = PIPE_SIZE - p->head < n ? PIPE_SIZE - p->head : n;
    int rc = sys_copy_out(t, ubuf, p->buf + p->head, first);
    if (rc == 0 && n > first)
        rc = sys_copy_out(t, ubuf + first, p->buf, n - first);
    if (rc < 0)
        return rc;
    p->head = (uint32_t)((p->head + n) % PIPE_SIZE);
    p->len -= (uint32_t)n;
    sys_wakeup(f->s, p);
    return (int64_t)n;
}

static int64_t pipe_write(struct file *f, struct task *t, vaddr_t ubuf, uint64_t len)
{
    struct pipe *p = pipe_of(f);
    if (p->readers == 0)
        return -EPIPE;
    uint64_t room = PIPE_SIZE - p->len;
    if (len == 0)
        return 0;
    if (room == 0 || (len <= PIPE_ATOMIC && room < len))
        return -EAGAIN;
    uint64_t n = len < room ? len : room;
    uint32_t tail = (p->head + p->len) % PIPE_SIZE;
    uint64_t first = PIPE_SIZE - tail < n ? PIPE_SIZE - tail : n;
    int rc = sys_copy_in(t, p->buf + tail, ubuf, first);
    if (rc == 0 && n > first)
        rc = sys_copy_in(t, p->buf, ubuf + first, n - first);
    if (rc < 0)
        return rc;
    p->len += (uint32_t)n;
    sys_wakeup(f->s, p);
    return (int64_t)n;
}

static int pipe_stat(struct file *f, struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_mode = S_IFIFO | 0600;
    st->st_nlink = 1;
    st->st_blksize = 4096;
    st->st_ino = (ino_t)pipe_of(f)->ino;
    st->st_dev = 0x10;   /* pipefs */
    return 0;
}

static const void *pipe_chan(struct file *f)
{
    return pipe_of(f);
}

static void pipe_release(struct file *f)
{
    struct pipe_end *e = f->priv;
    struct pipe *p = e->p;
    if (e->writer)
        p->writers--;
    else
        p->readers--;
    sys_wakeup(f->s, p);
    if (!p->readers && !p->writers) {
        free(p->buf);
        free(p);
    }
    free(e);
}

static const struct file_ops pipe_read_ops = {
    .kind = "pipe",
    .read = pipe_read,
    .stat = pipe_stat,
    .chan = pipe_chan,
    .release = pipe_release,
};

static const struct file_ops pipe_write_ops = {
    .kind = "pipe",
    .write = pipe_write,
    .stat = pipe_stat,
    .chan = pipe_chan,
    .release = pipe_release,
};

int pipe_create(struct sys *s, struct file **rd, struct file **wr)
{
    struct pipe *p = calloc(1, sizeof *p);
    struct pipe_end *er = calloc(1, sizeof *er), *ew = calloc(1, sizeof *ew);
    struct file *r = file_new(s, &pipe_read_ops, 0 /* O_RDONLY */);
    struct file *w = file_new(s, &pipe_write_ops, 1 /* O_WRONLY */);
    if (!p || !er || !ew || !r || !w || !(p->buf = malloc(PIPE_SIZE))) {
        if (p)
            free(p->buf);
        free(p);
        free(er);
        free(ew);
        free(r);
        free(w);
        return -ENOMEM;
    }
    p->readers = p->writers = 1;
    p->ino = ++s->pipes;
    *er = (struct pipe_end){.p = p, .writer = false};
    *ew = (struct pipe_end){.p = p, .writer = true};
    r->priv = er;
    w->priv = ew;
    *rd = r;
    *wr = w;
    return 0;
}

int64_t pipe_available(const struct file *f)
{
    if (f->ops != &pipe_read_ops && f->ops != &pipe_write_ops)
        return -1;
    return ((const struct pipe_end *)f->priv)->p->len;
}
