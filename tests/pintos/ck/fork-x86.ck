# the PintOS ABI on x86-64 page tables: the same programs, the same output
run: fork memory
opts: --pt x86-64
---
(fork) begin
(fork) the child sees the parent's data
child: exit(0)
(fork) the parent's data is its own after the child wrote its copy
(fork) end
fork: exit(0)
