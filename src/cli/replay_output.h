/* replay_output.h — printing a replay's result: text, JSON, CSV. */
#ifndef VMLAB_CLI_REPLAY_OUTPUT_H
#define VMLAB_CLI_REPLAY_OUTPUT_H

#include <stdio.h>

#include "cli/replay_opts.h"

void replay_print_text(FILE *f, const struct replay_opts *o, const char *input,
                       const char *format_name, const struct replay_result *r);
void replay_print_json(FILE *f, const struct replay_opts *o, const char *input,
                       const struct replay_result *r);
void replay_print_csv_header(FILE *f, const struct replay_opts *o);
void replay_print_csv_row(FILE *f, const struct replay_opts *o, const char *input,
                          const struct replay_result *r);

#endif
