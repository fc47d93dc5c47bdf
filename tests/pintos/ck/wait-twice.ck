run: wait twice
files: child-simple
san: yes
---
(wait) begin
(child-simple) run
child-simple: exit(81)
(wait) wait: 81
(wait) wait again: -1
(wait) end
wait: exit(0)
