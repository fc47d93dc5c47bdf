/* outfile.h — writing a result file without ever losing the old one.
 *
 * A report, a sweep's CSV and HTML, a converted trace: vmlab writes each
 * through an outfile. When the name is a regular file, or no file yet, the
 * bytes go to a temporary file beside it (NAME.tmp-PID-XXXXXX, created
 * exclusively) that is renamed over NAME only once everything was written,
 * flushed and closed: a run that fails, or dies, leaves an older NAME as it
 * was and no partial NAME. The new file keeps the old one's permission
 * bits (a new name gets 0666 less the umask, as fopen gives). A symbolic
 * link is followed: its target is replaced, the link stays. Anything else
 * (standard output as "-", /dev/stdout, a terminal, a FIFO, /dev/null) is
 * written directly, and its write errors are reported at commit.
 *
 * Temporaries are listed in a registry until they are renamed or removed;
 * temp_remove_all() unlinks every one and is async-signal-safe, so that the
 * command's handlers for SIGINT, SIGTERM and SIGHUP leave nothing behind
 * (src/cli/cli_signals.c). Other files vmlab creates and must remove if it
 * dies (the vmt writer's temporary, a swap file it created) register too.
 */
#ifndef VMLAB_REPLAY_OUTFILE_H
#define VMLAB_REPLAY_OUTFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

/* A file an output must never replace (the run's input): device and inode. */
struct file_id {
    dev_t dev;
    ino_t ino;
    bool set;
};
/* The identity of an open descriptor or a path; .set false if none. */
struct file_id file_id_of_fd(int fd);
struct file_id file_id_of_path(const char *path);
/* Does path name the file id (following symbolic links)? */
bool file_id_names(struct file_id id, const char *path);

struct outfile {
    const char *path;           /* as given; "-" is standard output */
    char target[PATH_MAX];      /* what the temporary is renamed to */
    char tmp[PATH_MAX + 32];    /* the temporary; "" when written directly */
    int fd;
    FILE *f;                    /* outfile_stream's stream, or NULL */
    int slot;                   /* in the registry of temporaries; -1: none */
};

/* Open path for writing. keep (NULL: none) is a file the output must not
 * replace: if path names it, the open fails. 0, or -1 with a message
 * naming path in err. */
int outfile_open(struct outfile *o, const char *path, const struct file_id *keep, char *err,
                 size_t errlen);
/* A stdio stream over the outfile (the same on every call; stdout for "-").
 * NULL with errno if none can be made. */
FILE *outfile_stream(struct outfile *o);
/* Flush, check every write, close, and rename the temporary into place.
 * 0, or -1 with a message in err; the temporary is removed either way. */
int outfile_commit(struct outfile *o, char *err, size_t errlen);
/* Give up: close and remove the temporary (a direct output stays as it is). */
void outfile_abort(struct outfile *o);

/* ---- files to remove if vmlab dies ---- */

/* Remember path (copied; at most PATH_MAX bytes) until temp_unregister.
 * Returns a slot, or -1 if the registry (64 entries) is full. */
int temp_register(const char *path);
void temp_unregister(int slot);
/* Unlink every registered file. Async-signal-safe: for signal handlers. */
void temp_remove_all(void);

#endif
