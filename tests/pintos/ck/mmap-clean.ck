# only dirty pages are written back
run: mmap clean
files: sample.txt
counter: file_writeback == 0
---
(mmap) begin
(mmap) mmap sample.txt, writable
(mmap) read it all
(mmap) munmap: nothing was written, nothing is written back
(mmap) end
mmap: exit(0)
