/* vmlab/trace.h — memory traces: streaming readers and the vmt writer.
 *
 * A trace is a sequence of memory accesses, each a struct trace_record. A
 * reader turns a file, a pipe, a memory buffer or a live Valgrind run into
 * records one at a time, in constant memory whatever the trace's length:
 *
 *     char err[256];
 *     struct trace_reader *r = trace_open("gcc.trace.gz", TRACE_AUTO, NULL,
 *                                         err, sizeof err);
 *     if (!r) { fprintf(stderr, "%s\n", err); ... }
 *     struct trace_record rec;
 *     int n;
 *     while ((n = trace_next(r, &rec)) == 1)
 *         use(rec.va, rec.size, rec.kind);
 *     if (n < 0) fprintf(stderr, "%s\n", trace_error(r));
 *     trace_close(r);
 *
 * Formats (docs/trace-formats.md describes each byte by byte):
 *   rw      course traces, "hexaddr R|W" per line; size 1
 *   lackey  valgrind --tool=lackey --trace-mem=yes; "M" gives a load then a
 *           store of the same bytes (two records)
 *   refs    reference strings of page numbers ("0,1,2 0 7w"); va = page << 12
 *   vmt     vmlab's compact binary format (delta + varint, checksummed)
 *   auto    decided from the content
 * gzip, xz and zstd input is decompressed transparently (detected by its
 * magic bytes), from files and pipes alike; nothing ever seeks.
 *
 * Errors name the input and the position: "gcc.trace:1234: bad address
 * 'zz41'" for text, "run.vmt: byte 5678: bad record tag 0xff" for binary.
 *
 * A reader or writer is used by one thread at a time.
 */
#ifndef VMLAB_TRACE_H
#define VMLAB_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmlab/types.h>

/* One memory access: bytes [va, va + size) read, written or fetched.
 * size >= 1 and va + size - 1 never wraps past 2^64 - 1. A record may
 * straddle a page boundary; it stays one record (the consumer touches
 * every page it covers). */
struct trace_record {
    vaddr_t va;
    uint32_t size;
    enum vm_access kind;
};

enum trace_format {
    TRACE_AUTO = 0,
    TRACE_RW,
    TRACE_LACKEY,
    TRACE_REFS,
    TRACE_VMT,
};

enum trace_compression {
    TRACE_PLAIN = 0,
    TRACE_GZIP,
    TRACE_XZ,
    TRACE_ZSTD,
};

/* "auto", "rw", "lackey", "refs", "vmt". */
const char *trace_format_name(enum trace_format fmt);
/* Parse a format name; returns 0, or -1 if the name is unknown. */
int trace_format_parse(const char *name, enum trace_format *fmt);
/* "plain", "gzip", "xz", "zstd". */
const char *trace_compression_name(enum trace_compression c);

/* The largest size a text trace may give one access (lackey can report
 * whole XSAVE areas; anything larger is taken for a corrupt line). */
#define TRACE_MAX_TEXT_SIZE (1u << 20)
/* Text lines up to this length are always accepted (a refs line may be
 * any length); a longer one may be refused as "line longer than ...". */
#define TRACE_MAX_LINE (1u << 16)

struct trace_options {
    /* Text formats: a malformed line (refs: a malformed entry) is counted
     * and skipped instead of ending the trace with an error. The count is
     * trace_skipped(); the first one's message is trace_first_skipped().
     * Binary (vmt) and decompression errors are always fatal. */
    bool skip_bad;
    /* The name used in messages; NULL: the path, "<stdin>" for "-",
     * "<memory>" for a buffer, "valgrind" for a command. */
    const char *name;
};

struct trace_reader;

/* Open a trace file, or standard input for "-". opt may be NULL (all
 * defaults). Returns NULL with a message in err on failure (cannot open,
 * unknown compression, format not recognised, bad vmt header). */
struct trace_reader *trace_open(const char *path, enum trace_format fmt,
                                const struct trace_options *opt,
                                char *err, size_t errlen);
/* Read from an open descriptor (a file or a pipe). The descriptor is not
 * closed by trace_close(). Messages use opt->name, else "<fd N>". */
struct trace_reader *trace_open_fd(int fd, enum trace_format fmt,
                                   const struct trace_options *opt,
                                   char *err, size_t errlen);
/* Read from memory. The bytes must stay valid and unchanged until
 * trace_close(); they are not copied. */
struct trace_reader *trace_open_mem(const void *data, size_t len, enum trace_format fmt,
                                    const struct trace_options *opt,
                                    char *err, size_t errlen);
/* Run argv[0] with its arguments under valgrind --tool=lackey
 * --trace-mem=yes and read its accesses as they happen. Valgrind writes
 * to a pipe (--log-fd), so the program keeps its own stdin, stdout and
 * stderr. The valgrind command is $VMLAB_VALGRIND if set, else "valgrind"
 * on PATH. Fails (NULL, message in err) if valgrind cannot be started.
 * At the end of the stream trace_next() reaps the process: it returns -1
 * if valgrind could not run the program, else 0, and
 * trace_command_status() then gives the program's wait status. */
struct trace_reader *trace_open_command(char *const argv[], const struct trace_options *opt,
                                        char *err, size_t errlen);

/* The next record: 1 (written to *rec), 0 at the end of the trace, -1 on
 * an error (message in trace_error()). After 0 or -1, every further call
 * returns the same. */
int trace_next(struct trace_reader *r, struct trace_record *rec);

/* The message of the error that made trace_next() return -1, or "". */
const char *trace_error(const struct trace_reader *r);
/* The format being read (never TRACE_AUTO) and the compression found. */
enum trace_format trace_reader_format(const struct trace_reader *r);
enum trace_compression trace_reader_compression(const struct trace_reader *r);
/* Records returned so far. */
uint64_t trace_records(const struct trace_reader *r);
/* Lines (refs: entries) skipped under skip_bad, and the first one's
 * message ("" if none). */
uint64_t trace_skipped(const struct trace_reader *r);
const char *trace_first_skipped(const struct trace_reader *r);
/* Decompressed bytes consumed so far, and (text) the number of the next
 * line to be read, 1-based. */
uint64_t trace_offset(const struct trace_reader *r);
uint64_t trace_line(const struct trace_reader *r);
/* For trace_open_command(): after trace_next() returned 0, the program's
 * wait status (as from waitpid: WIFEXITED, WEXITSTATUS, ...); returns 0,
 * or -1 if the reader is not a command or the process was not reaped. */
int trace_command_status(const struct trace_reader *r, int *wstatus);

/* Close the reader and free it. A command still running is killed and
 * reaped. NULL is allowed. */
void trace_close(struct trace_reader *r);

/* ---- the vmt writer --------------------------------------------------- */

struct trace_writer;

/* Create a vmt file; "-" writes to standard output. The file is written
 * under a temporary name beside it (PATH.tmp-PID-XXXXXX, created
 * exclusively, with PATH's old permissions) and renamed to PATH by a
 * successful trace_writer_close(), so PATH never holds a partial trace; a
 * PATH that is no regular file (a FIFO, /dev/stdout) is written directly.
 * The temporary is registered for removal by a fatal signal's handler
 * (src/replay/outfile.h). */
struct trace_writer *trace_writer_open(const char *path, char *err, size_t errlen);
/* Write to an open descriptor, which trace_writer_close() does not close. */
struct trace_writer *trace_writer_open_fd(int fd, const char *name, char *err, size_t errlen);
/* Append one record. Returns 0, or -1 (message in trace_writer_error())
 * for an invalid record (size 0, va + size wrapping, unknown kind) or an
 * I/O error. */
int trace_write(struct trace_writer *w, const struct trace_record *rec);
const char *trace_writer_error(const struct trace_writer *w);
uint64_t trace_writer_records(const struct trace_writer *w);
/* Write the trailer, flush and close. Returns 0, or -1 with a message in
 * err if anything failed (including an earlier trace_write() error).
 * Frees w in every case. */
int trace_writer_close(struct trace_writer *w, char *err, size_t errlen);
/* Abandon the trace: free w and remove the temporary file (on standard
 * output or an fd, what was written stays written). NULL is allowed. */
void trace_writer_discard(struct trace_writer *w);

/* ---- run traces (vmt version 2) ----------------------------------------
 *
 * `vmlab run --trace-out` writes version 2 of vmt: the accesses of every CPU
 * and process, and the events that shape the address spaces they run in,
 * so that `vmlab replay` can do again exactly what the run did to the
 * machine and the kernel (docs/trace-formats.md, "Run traces"). Access
 * records are version 1's; an event is a control record. trace_next()
 * returns a version 2 trace's accesses and skips its events; a replay of
 * one reads everything with trace_next_event(). */
enum trace_event_kind {
    TRACE_EV_ACCESS = 0,   /* rec: an access by the current CPU, in user mode */
    TRACE_EV_CONFIG,       /* text: the run's configuration, "key=value" lines */
    TRACE_EV_CPU,          /* cpu: the accesses that follow are that CPU's */
    TRACE_EV_SWITCH,       /* cpu, pid: the CPU now runs process pid (0: none) */
    TRACE_EV_COPY,         /* a[0] va, a[1] len, a[2] 1 to user / 0 from user: a system
                              call's copy by the current CPU (kernel_copy_to/from_user) */
    TRACE_EV_PROCESS,      /* pid: a new process (the run's program) */
    TRACE_EV_EXEC,         /* pid, a[0] e_type, a[1] entry, a[2] file size, seg: the
                              PT_LOAD headers of the image exec'd (kernel_exec) */
    TRACE_EV_FORK,         /* pid the parent, pid2 the child (kernel_process_fork) */
    TRACE_EV_EXIT,         /* pid (kernel_process_exit) */
    TRACE_EV_MMAP,         /* pid, a[0] addr, a[1] len, a[2] prot, a[3] flags, a[4] file
                              (0: anonymous; else the run's number for it), a[5] offset,
                              a[6] the file's size, a[7] the address mapped (kernel_mmap) */
    TRACE_EV_MUNMAP,       /* pid, a[0] addr, a[1] len */
    TRACE_EV_MPROTECT,     /* pid, a[0] addr, a[1] len, a[2] prot */
    TRACE_EV_MADVISE,      /* pid, a[0] addr, a[1] len, a[2] advice */
    TRACE_EV_BRK,          /* pid, a[0] the break asked for (kernel_brk) */
    TRACE_EV_NR
};
#define TRACE_EV_MAX_SEGS 64
#define TRACE_EV_MAX_TEXT 1024
struct trace_segment {
    uint64_t vaddr, memsz, offset, filesz;
    uint32_t flags;        /* PF_R 4, PF_W 2, PF_X 1 */
};
struct trace_event {
    enum trace_event_kind kind;
    struct trace_record rec;
    unsigned cpu;
    int pid, pid2;
    uint64_t a[8];
    unsigned nsegs;
    struct trace_segment seg[TRACE_EV_MAX_SEGS];
    char text[TRACE_EV_MAX_TEXT];   /* NUL-terminated */
};
/* The next access or event: 1, 0 at the end, -1 on error. Readers of
 * other formats (and of vmt version 1) return only accesses. */
int trace_next_event(struct trace_reader *r, struct trace_event *ev);
/* The vmt version being read (1 or 2); 1 for the other formats. */
unsigned trace_reader_version(const struct trace_reader *r);
/* A version 2 writer (trace_writer_open's, otherwise). */
struct trace_writer *trace_writer_open_run(const char *path, char *err, size_t errlen);
/* Append an event (a version 2 writer only; an access event is
 * trace_write of ev->rec). 0, or -1 with the message in trace_writer_error(). */
int trace_write_event(struct trace_writer *w, const struct trace_event *ev);

/* ---- benchmarks and synthetic traces ---------------------------------- */

/* Read every record and discard it: the "decode-only" cost a replay is
 * compared against. Fills *records and a checksum of the records (so the
 * work cannot be optimised away). Returns 0 at the end, -1 on error. */
int trace_drain(struct trace_reader *r, uint64_t *records, uint64_t *checksum);

struct trace_drain_result {
    uint64_t records;
    uint64_t bytes;       /* decompressed bytes read */
    uint64_t checksum;
    double seconds;       /* wall time of opening and draining */
};
/* Open path, drain it, time it. Returns 0, or -1 with a message in err. */
int trace_drain_file(const char *path, enum trace_format fmt,
                     struct trace_drain_result *res, char *err, size_t errlen);

/* A deterministic synthetic access stream with a program's shape:
 * instruction fetches running through a code region with branches,
 * stack traffic near a moving stack pointer, and heap accesses with a hot
 * working set and a cold tail. Same seed, same stream. */
struct trace_synth {
    uint64_t rng;
    vaddr_t pc, sp, heap;
    unsigned phase;
    struct trace_record pending;
    bool has_pending;
};
void trace_synth_init(struct trace_synth *s, uint64_t seed);
void trace_synth_next(struct trace_synth *s, struct trace_record *rec);
/* Write n synthetic records to a vmt file. Returns 0, or -1 with err. */
int trace_synth_write_vmt(const char *path, uint64_t n, uint64_t seed, char *err, size_t errlen);

#endif
