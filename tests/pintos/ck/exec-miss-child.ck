run: exec missing-child
---
(exec) begin
child: exit(-1)
(exec) wait for the child that exec'd no-such-file: -1
(exec) end
exec: exit(0)
