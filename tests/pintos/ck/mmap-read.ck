run: mmap read
files: sample.txt
san: yes
---
(mmap) begin
(mmap) mmap sample.txt
(mmap) the mapping holds the file's bytes
(mmap) the rest of the page is zero
(mmap) end
mmap: exit(0)
