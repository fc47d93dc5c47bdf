/* outfile.c — result files written beside their target and renamed into
 * place; the registry of temporaries signal handlers remove (outfile.h). */
#include "replay/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the registry ----
 * Fixed storage, so that a signal handler can walk it: a slot is FREE,
 * being FILLED by temp_register, or LIVE (its path may be unlinked). */
#define TEMP_SLOTS 64
enum { SLOT_FREE, SLOT_FILLED, SLOT_LIVE };
static struct {
    _Atomic int state;
    char path[PATH_MAX];
} temps[TEMP_SLOTS];

int temp_register(const char *path)
{
    if (strlen(path) >= PATH_MAX)
        return -1;
    for (int i = 0; i < TEMP_SLOTS; i++) {
        int expect = SLOT_FREE;
        if (atomic_compare_exchange_strong(&temps[i].state, &expect, SLOT_FILLED)) {
            strcpy(temps[i].path, path);
            atomic_store_explicit(&temps[i].state, SLOT_LIVE, memory_order_release);
            return i;
        }
    }
    return -1;
}

void temp_unregister(int slot)
{
    if (slot >= 0 && slot < TEMP_SLOTS)
        atomic_store_explicit(&temps[slot].state, SLOT_FREE, memory_order_release);
}

void temp_remove_all(void)
{
    for (int i = 0; i < TEMP_SLOTS; i++)
        if (atomic_load_explicit(&temps[i].state, memory_order_acquire) == SLOT_LIVE)
            unlink(temps[i].path);
}

/* ---- identities ---- */

struct file_id file_id_of_fd(int fd)
{
    struct stat st;
    struct file_id id = {0};
    if (fd >= 0 && fstat(fd, &st) == 0)
        id = (struct file_id){st.st_dev, st.st_ino, true};
    return id;
}

struct file_id file_id_of_path(const char *path)
{
    struct stat st;
    struct file_id id = {0};
    if (path && stat(path, &st) == 0)
        id = (struct file_id){st.st_dev, st.st_ino, true};
    return id;
}

bool file_id_names(struct file_id id, const char *path)
{
    struct file_id other = file_id_of_path(path);
    return id.set && other.set && id.dev == other.dev && id.ino == other.ino;
}

/* ---- outfiles ---- */

static mode_t creation_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

int outfile_open(struct outfile *o, const char *path, const struct file_id *keep, char *err,
                 size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->path = path;
    o->slot = -1;
    o->fd = -1;
    if (!strcmp(path, "-")) {
        o->fd = STDOUT_FILENO;
        o->f = stdout;
        return 0;
    }
    if (keep && file_id_names(*keep, path)) {
        snprintf(err, errlen, "%s is the input: vmlab does not write over its own input", path);
        return -1;
    }
    struct stat st;
    mode_t mode;
    if (stat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode)) {   /* a device, a FIFO: written directly */
            o->fd = open(path, O_WRONLY | O_CLOEXEC);
            if (o->fd < 0) {
                snprintf(err, errlen, "%s: cannot open for writing: %s", path, strerror(errno));
                return -1;
            }
            return 0;
        }
        mode = st.st_mode & 07777;
        char *real = realpath(path, NULL);   /* a symbolic link: replace its target */
        if (!real || strlen(real) >= sizeof o->target) {
            snprintf(err, errlen, "%s: %s", path, real ? "path too long" : strerror(errno));
            free(real);
            return -1;
        }
        strcpy(o->target, real);
        free(real);
    } else if (errno == ENOENT) {
        mode = creation_mode();
        if (strlen(path) >= sizeof o->target) {
            snprintf(err, errlen, "%s: path too long", path);
            return -1;
        }
        strcpy(o->target, path);
    } else {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    snprintf(o->tmp, sizeof o->tmp, "%s.tmp-%ld-XXXXXX", o->target, (long)getpid());
    o->fd = mkostemp(o->tmp, O_CLOEXEC);
    if (o->fd < 0) {
        int e = errno;
        if (e == EACCES || e == EPERM || e == EROFS)   /* the file may be writable, its folder not */
            snprintf(err, errlen, "%s: cannot create a new file beside it to rename over it "
                     "when complete: %s", path, strerror(e));
        else
            snprintf(err, errlen, "%s: cannot create: %s", path, strerror(e));
        o->tmp[0] = 0;
        return -1;
    }
    o->slot = temp_register(o->tmp);
    if (fchmod(o->fd, mode) != 0) {
        snprintf(err, errlen, "%s: cannot set the mode of its temporary file: %s", path,
                 strerror(errno));
        outfile_abort(o);
        return -1;
    }
    return 0;
}

FILE *outfile_stream(struct outfile *o)
{
    if (!o->f)
        o->f = fdopen(o->fd, "w");
    return o->f;
}

static void drop_temporary(struct outfile *o)
{
    if (o->tmp[0])
        unlink(o->tmp);
    temp_unregister(o->slot);
    o->slot = -1;
    o->tmp[0] = 0;
}

int outfile_commit(struct outfile *o, char *err, size_t errlen)
{
    int e = 0;
    if (o->f) {
        if (fflush(o->f) != 0)
            e = errno ? errno : EIO;
        else if (ferror(o->f))
            e = EIO;   /* an earlier write failed; its errno is gone */
        if (o->f != stdout && fclose(o->f) != 0 && !e)
            e = errno;
        if (o->f == stdout && e)
            clearerr(stdout);   /* reported here: not again at exit */
    } else if (o->fd > STDERR_FILENO && close(o->fd) != 0) {
        e = errno;
    }
    o->f = NULL;
    o->fd = -1;
    if (!e && o->tmp[0] && rename(o->tmp, o->target) != 0)
        e = errno;
    if (e) {
        snprintf(err, errlen, "%s: %s", strcmp(o->path, "-") ? o->path : "standard output",
                 strerror(e));
        drop_temporary(o);
        return -1;
    }
    temp_unregister(o->slot);
    o->slot = -1;
    o->tmp[0] = 0;
    return 0;
}

void outfile_abort(struct outfile *o)
{
    if (o->f && o->f != stdout)
        fclose(o->f);
    else if (!o->f && o->fd > STDERR_FILENO)
        close(o->fd);
    o->f = NULL;
    o->fd = -1;
    drop_temporary(o);
}
