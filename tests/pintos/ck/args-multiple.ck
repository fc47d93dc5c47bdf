run: args-multiple some arguments for you!
files: args-multiple=args
---
(args-multiple) begin
(args-multiple) argc = 5
(args-multiple) argv[0] = 'args-multiple'
(args-multiple) argv[1] = 'some'
(args-multiple) argv[2] = 'arguments'
(args-multiple) argv[3] = 'for'
(args-multiple) argv[4] = 'you!'
(args-multiple) argv[5] = null
(args-multiple) end
args-multiple: exit(0)
