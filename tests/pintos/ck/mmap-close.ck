run: mmap close
files: sample.txt
---
(mmap) begin
(mmap) mmap sample.txt
(mmap) after close(), the mapping still reads the file
(mmap) end
mmap: exit(0)
