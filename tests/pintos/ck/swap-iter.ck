run: swap iter 4
opts: --frames 64 --swap 4M --policy lru
---
(swap) begin
(swap) 4 passes over 2 MiB, each read back
(swap) end
swap: exit(0)
