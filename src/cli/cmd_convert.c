/* cmd_convert.c — vmlab convert: any trace in, a vmt trace out. */
#include <stdio.h>
#include <string.h>

#include <vmlab/trace.h>

#include "cli/cli.h"
#include "replay/outfile.h"

static void convert_usage(FILE *out)
{
    fprintf(out,
            "usage: vmlab convert [--format F] [--skip-bad] IN -o OUT.vmt\n"
            "\n"
            "Read the trace IN and write it as a vmt trace (vmlab's compact binary\n"
            "format) to OUT. IN or OUT may be '-' for standard input or output.\n"
            "Compressed input (gzip, xz, zstd) is decompressed on the fly.\n"
            "\n"
            "options:\n"
            "  -f, --format F   the format of IN: auto (default), rw, lackey, refs, vmt\n"
            "  --skip-bad       skip malformed lines of a text trace (and count them)\n"
            "                   instead of stopping at the first\n"
            "  -o, --output OUT where to write the vmt trace (required)\n"
            "  -h, --help       this help\n"
            "\n"
            "OUT is replaced only once the whole trace is written: a failed or interrupted\n"
            "conversion leaves an older OUT as it was, and no partial file. OUT may not be IN.\n"
            "docs/trace-formats.md describes every format.\n\n%s", cli_exit_status_help);
}

/* "--opt=value" or "--opt value": returns the value or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *arg, const char *name)
{
    size_t len = strlen(name);
    if (strncmp(arg, name, len))
        return NULL;
    if (arg[len] == '=')
        return arg + len + 1;
    if (arg[len] == 0 && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

int cmd_convert(int argc, char **argv)
{
    enum trace_format fmt = TRACE_AUTO;
    const char *in = NULL, *out = NULL, *v;
    struct trace_options opt = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            convert_usage(stdout);
            return VMLAB_EXIT_OK;
        } else if (!strcmp(a, "--skip-bad")) {
            opt.skip_bad = true;
        } else if ((v = option_value(argc, argv, &i, a, "--format")) ||
                   (v = option_value(argc, argv, &i, a, "-f"))) {
            if (trace_format_parse(v, &fmt) < 0) {
                fprintf(stderr, "vmlab convert: unknown format '%s' (auto, rw, lackey, refs, "
                        "vmt)\n", v);
                return VMLAB_EXIT_USAGE;
            }
        } else if ((v = option_value(argc, argv, &i, a, "--output")) ||
                   (v = option_value(argc, argv, &i, a, "-o"))) {
            out = v;
        } else if (a[0] == '-' && a[1] != 0) {
            fprintf(stderr, "vmlab convert: unknown or incomplete option '%s'\n", a);
            convert_usage(stderr);
            return VMLAB_EXIT_USAGE;
        } else if (!in) {
            in = a;
        } else {
            fprintf(stderr, "vmlab convert: more than one input ('%s', '%s')\n", in, a);
            return VMLAB_EXIT_USAGE;
        }
    }
    if (!in || !out) {
        fprintf(stderr, "vmlab convert: %s\n", !in ? "no input given" : "no output given (-o)");
        convert_usage(stderr);
        return VMLAB_EXIT_USAGE;
    }

    char err[512];
    struct trace_reader *r = trace_open(in, fmt, &opt, err, sizeof err);
    if (!r) {
        fprintf(stderr, "vmlab convert: %s\n", err);
        return VMLAB_EXIT_ERROR;
    }
    if (strcmp(out, "-") &&
        file_id_names(strcmp(in, "-") ? file_id_of_path(in) : file_id_of_fd(0), out)) {
        fprintf(stderr, "vmlab convert: %s is the input: vmlab does not write over its own "
                "input\n", out);
        trace_close(r);
        return VMLAB_EXIT_ERROR;
    }
    struct trace_writer *w = trace_writer_open(out, err, sizeof err);
    if (!w) {
        fprintf(stderr, "vmlab convert: %s\n", err);
        trace_close(r);
        return VMLAB_EXIT_ERROR;
    }
    struct trace_record rec;
    int n;
    while ((n = trace_next(r, &rec)) == 1)
        if (trace_write(w, &rec) < 0)
            break;
    int status = 0;
    if (n < 0) {
        fprintf(stderr, "vmlab convert: %s\n", trace_error(r));
        status = VMLAB_EXIT_ERROR;
    } else if (n == 1) {
        fprintf(stderr, "vmlab convert: %s\n", trace_writer_error(w));
        status = VMLAB_EXIT_ERROR;
    }
    uint64_t records = trace_writer_records(w);
    if (status != 0) {
        trace_writer_discard(w);   /* never leave a half-written trace behind */
    } else if (trace_writer_close(w, err, sizeof err) < 0) {
        fprintf(stderr, "vmlab convert: %s\n", err);
        status = VMLAB_EXIT_ERROR;
    } else {
        fprintf(stderr, "%s: %llu records (%s, %s) written to %s\n", in,
                (unsigned long long)records, trace_format_name(trace_reader_format(r)),
                trace_compression_name(trace_reader_compression(r)), out);
        if (trace_skipped(r))
            fprintf(stderr, "%s: skipped %llu malformed lines; the first: %s\n", in,
                    (unsigned long long)trace_skipped(r), trace_first_skipped(r));
    }
    trace_close(r);
    return status;
}
