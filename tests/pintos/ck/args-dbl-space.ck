# words are split at runs of spaces: the shell's one word 'args-dbl-space two  spaces!'
run: 'args-dbl-space  two   spaces!  '
files: args-dbl-space=args
---
(args-dbl-space) begin
(args-dbl-space) argc = 3
(args-dbl-space) argv[0] = 'args-dbl-space'
(args-dbl-space) argv[1] = 'two'
(args-dbl-space) argv[2] = 'spaces!'
(args-dbl-space) argv[3] = null
(args-dbl-space) end
args-dbl-space: exit(0)
