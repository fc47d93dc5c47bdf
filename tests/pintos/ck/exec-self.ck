# exec keeps the process and its name: the exit line says "exec"
run: exec self
files: args
---
(exec) begin
(exec) exec args x
(args) begin
(args) argc = 2
(args) argv[0] = 'args'
(args) argv[1] = 'x'
(args) argv[2] = null
(args) end
exec: exit(0)
