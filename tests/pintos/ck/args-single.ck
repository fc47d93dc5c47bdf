run: args-single onearg
files: args-single=args
---
(args-single) begin
(args-single) argc = 2
(args-single) argv[0] = 'args-single'
(args-single) argv[1] = 'onearg'
(args-single) argv[2] = null
(args-single) end
args-single: exit(0)
