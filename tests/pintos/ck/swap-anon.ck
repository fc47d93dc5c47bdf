run: swap anon 4
opts: --frames 128 --swap 8M
counter: pswpout >= 512
counter: pswpin >= 512
---
(swap) begin
(swap) write 4 MiB of bss
(swap) read it back
(swap) and again
(swap) end
swap: exit(0)
