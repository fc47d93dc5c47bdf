# the bytes past end of file read zero and are never written back
run: mmap tail
file: tail 5000
counter: file_writeback == 1
san: yes
---
(mmap) begin
(mmap) create tail, 5000 bytes
(mmap) mmap tail (5000 bytes), 2 pages, writable
(mmap) bytes 0..4999 are the file's, 5000..8191 zero
(mmap) write bytes 4999 and 6000, munmap
(mmap) the file still has 5000 bytes
(mmap) byte 4999 was written back
(mmap) mapped again, byte 6000 is zero
(mmap) end
mmap: exit(0)
