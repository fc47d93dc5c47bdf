run: mmap bad-fd
status: 255
---
(mmap) begin
(mmap) mmap of fd 20, never opened
mmap: exit(-1)
