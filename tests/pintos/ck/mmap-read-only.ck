run: mmap read-only
files: sample.txt
status: 255
counter: kill_segv-write-ro == 1
---
(mmap) begin
(mmap) mmap sample.txt, read-only
(mmap) write to it
mmap: exit(-1)
