# a mapped file's dirty pages go back to the file, not to swap
run: swap file 2
opts: --frames 96 --swap 2M
counter: file_writeback >= 512
san: yes
---
(swap) begin
(swap) create big, 2 MiB
(swap) mmap it
(swap) write every word of the mapping
(swap) read the mapping back
(swap) munmap, then read() finds every word in the file
(swap) end
swap: exit(0)
