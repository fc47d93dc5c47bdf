run: swap anon 4
opts: --frames 128 --swap 1M
status: 255
---
(swap) begin
swap: exit(-1)
