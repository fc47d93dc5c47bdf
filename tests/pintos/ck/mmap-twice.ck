run: mmap twice
files: sample.txt
---
(mmap) begin
(mmap) mmap sample.txt twice
(mmap) a write through one is seen through the other
(mmap) end
mmap: exit(0)
