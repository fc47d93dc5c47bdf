run: mmap unmap
files: sample.txt
status: 255
---
(mmap) begin
(mmap) mmap sample.txt
(mmap) munmap, then read the mapping
mmap: exit(-1)
