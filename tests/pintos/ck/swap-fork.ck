run: swap fork 3
opts: --frames 128 --swap 8M --cpus 2 --quantum 50000
order: per-name
counter: pswpout > 0
---
(swap) begin
(swap) write 1 MiB of bss, fork 3 children
swap-0: exit(0)
swap-1: exit(0)
swap-2: exit(0)
(swap) every child read the parent's data and rewrote its own copy
(swap) the parent's data is intact
(swap) end
swap: exit(0)
