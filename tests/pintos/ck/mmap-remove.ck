run: mmap remove
files: sample.txt
absent: sample.txt
---
(mmap) begin
(mmap) mmap sample.txt
(mmap) remove sample.txt
(mmap) it cannot be opened
(mmap) the mapping still reads it
(mmap) end
mmap: exit(0)
