run: mmap beyond
files: sample.txt
---
(mmap) begin
(mmap) mmap sample.txt, 3 pages long
(mmap) the pages past its end read zero
(mmap) end
mmap: exit(0)
