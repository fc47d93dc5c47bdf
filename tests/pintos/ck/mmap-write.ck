run: mmap write
file: out 8192
---
(mmap) begin
(mmap) create out, 8192 bytes
(mmap) mmap out, writable
(mmap) write sample.txt's text across its page boundary, munmap
(mmap) read() finds the text in the file
(mmap) end
mmap: exit(0)
