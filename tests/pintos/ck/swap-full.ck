# a full swap disk kills the process that needed a slot (PintOS would panic)
run: swap full 3
opts: --frames 128 --swap 1M
counter: kill_oom-swap-full == 1
---
(swap) begin
hog: exit(-1)
(swap) wait for a child that touches 3 MiB: -1
(swap) the parent can still use 1 MiB
(swap) end
swap: exit(0)
