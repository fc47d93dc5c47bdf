run: mmap offset
---
(mmap) begin
(mmap) create pages, 12288 bytes
(mmap) mmap page 1 of pages
(mmap) it holds bytes 4096..8191
(mmap) end
mmap: exit(0)
