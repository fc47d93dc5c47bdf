/* fuzz_vmt_write.c — libFuzzer harness for the vmt writer: the input is
 * a list of records (8-byte va, 4-byte size, 1-byte kind, little-endian);
 * the writer must refuse exactly the invalid ones (size 0, wrap-around,
 * unknown kind) and the trace it writes must read back to the records it
 * accepted, in order.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { REC = 13, MAXN = 4096 };
    static struct trace_record recs[MAXN];
    size_t n = 0;
    int refused = 0;
    int fd = memfd_create("fuzz-vmt", 0);
    char err[512];
    struct trace_writer *w = trace_writer_open_fd(fd, "fuzz.vmt", err, sizeof err);
    fuzz_check(w != NULL, "writer opens");
    for (size_t off = 0; off + REC <= size && n < MAXN; off += REC) {
        struct trace_record r = {le(data + off, 8), (uint32_t)le(data + off + 8, 4),
                                 (enum vm_access)(data[off + 12] % 4)};
        int valid = r.size >= 1 && r.va + (r.size - 1) >= r.va && r.kind <= VM_ACCESS_FETCH;
        int rc = trace_write(w, &r);
        fuzz_check((rc == 0) == valid, "writer refuses exactly the invalid records");
        if (rc < 0) {
            refused = 1;
            break;
        }
        recs[n++] = r;
    }
    int closed = trace_writer_close(w, err, sizeof err);
    fuzz_check((closed < 0) == refused, "close fails exactly after a refusal");
    if (refused) {
        close(fd);
        return 0;
    }
    off_t len = lseek(fd, 0, SEEK_END);
    uint8_t *bytes = malloc((size_t)len + 1);
    fuzz_check(pread(fd, bytes, (size_t)len, 0) == len, "read back");
    close(fd);
    struct trace_reader *r = trace_open_mem(bytes, (size_t)len, TRACE_VMT, NULL, err, sizeof err);
    fuzz_check(r != NULL, "the written trace opens");
    struct trace_record rec;
    size_t i = 0;
    int rc;
    while ((rc = trace_next(r, &rec)) == 1) {
        fuzz_check(i < n && rec.va == recs[i].va && rec.size == recs[i].size &&
                   rec.kind == recs[i].kind, "records read back equal");
        i++;
    }
    fuzz_check(rc == 0 && i == n, "the whole trace reads back");
    trace_close(r);
    free(bytes);
    return 0;
}
