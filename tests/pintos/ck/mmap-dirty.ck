run: mmap dirty
counter: file_writeback == 1
---
(mmap) begin
(mmap) create pages, 16384 bytes
(mmap) mmap pages, 4 pages, writable
(mmap) read all four
(mmap) write one byte of page 2, munmap: that page alone is written back
(mmap) the file has it
(mmap) end
mmap: exit(0)
