# exit unmaps (and writes back) before the parent's wait returns
run: mmap exit
counter: file_writeback == 1
---
(mmap) begin
(mmap) create out, 4096 bytes
child: exit(0)
(mmap) once wait returns, the child's mapping is written back
(mmap) end
mmap: exit(0)
