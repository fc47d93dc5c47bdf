# exec splits its command line as the first one is split; the name stays the fork's
run: exec args
files: args
---
(exec) begin
(args) begin
(args) argc = 4
(args) argv[0] = 'args'
(args) argv[1] = 'a'
(args) argv[2] = 'bb'
(args) argv[3] = 'c'
(args) argv[4] = null
(args) end
child-args: exit(0)
(exec) wait for args: 0
(exec) end
exec: exit(0)
