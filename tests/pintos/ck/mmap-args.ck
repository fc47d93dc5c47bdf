run: mmap args
files: sample.txt
san: yes
---
(mmap) begin
(mmap) addr 0: fails
(mmap) addr not page-aligned: fails
(mmap) length 0: fails
(mmap) offset not page-aligned: fails
(mmap) a negative offset: fails
(mmap) fd 0: fails
(mmap) fd 1: fails
(mmap) create empty
(mmap) an empty file: fails
(mmap) and right: succeeds
(mmap) end
mmap: exit(0)
