run: fork once
san: yes
---
(fork) begin
(fork) the child: fork returned 0
child: exit(7)
(fork) the parent: fork returned a pid, wait gave 7
(fork) end
fork: exit(0)
