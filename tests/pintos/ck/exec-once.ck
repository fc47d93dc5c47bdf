run: exec once
files: child-simple
san: yes
---
(exec) begin
(child-simple) run
child-simple: exit(81)
(exec) wait for child-simple: 81
(exec) end
exec: exit(0)
