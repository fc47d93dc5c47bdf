# argument passing: no arguments
run: args-none
files: args-none=args
san: yes
---
(args-none) begin
(args-none) argc = 1
(args-none) argv[0] = 'args-none'
(args-none) argv[1] = null
(args-none) end
args-none: exit(0)
