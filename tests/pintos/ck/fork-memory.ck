run: fork memory
---
(fork) begin
(fork) the child sees the parent's data
child: exit(0)
(fork) the parent's data is its own after the child wrote its copy
(fork) end
fork: exit(0)
